package org.guestmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where and when a run was measured: CPU model (from /proc/cpuinfo), cores, kernel, JDK, date, and the
 * load average at the end (a busy machine makes every figure noisier; the report says so).
 *
 * @param cpu      the CPU model name
 * @param cores    processors this JVM may use
 * @param os       OS name, kernel version and architecture
 * @param jdk      JDK version and VM name
 * @param date     when the run ended (UTC, seconds)
 * @param loadAvg  1, 5 and 15 minute load averages, or "unknown"
 */
public record MachineInfo(String cpu, int cores, String os, String jdk, Instant date, String loadAvg) {

    /** This machine, now. */
    public static MachineInfo current() {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), loadAverage());
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lines printed above the table. */
    public List<String> lines() {
        return List.of("Machine: " + cpu + ", " + cores + " cores, " + os,
                "JDK: " + jdk,
                "Date: " + date,
                "Load average at the end (1, 5, 15 min): " + loadAvg);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("os", os);
        m.put("jdk", jdk);
        m.put("date", date.toString());
        m.put("load_average", loadAvg);
        return m;
    }
}
