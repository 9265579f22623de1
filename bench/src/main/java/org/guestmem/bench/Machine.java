package org.guestmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Where and when the figures were taken: CPU model, cores, kernel, JDK, date. */
record Machine(String cpu, int cores, String os, String jdk, String date) {
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
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), os, jdk,
                ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    String oneLine() {
        return "machine: " + cpu + ", " + cores + " cores, " + os + "; JDK: " + jdk + "; date: " + date;
    }
}
