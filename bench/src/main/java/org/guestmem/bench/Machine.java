package org.guestmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where and when the figures were taken: CPU model, cores, kernel, JDK, date, and the load average at the
 * end of the run (other processes competing for the cores make the figures noisier).
 */
record Machine(String cpu, int cores, String os, String jdk, String date, String load) {
    static Machine current() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep "unknown CPU"
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        String load = "unknown";
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            load = f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), os, jdk,
                ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), load);
    }

    String oneLine() {
        return "machine: " + cpu + ", " + cores + " cores, " + os + "; JDK: " + jdk + "; date: " + date + "; load average at the end: " + load;
    }
}
