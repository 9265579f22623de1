package org.guestmem.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the native benchmark executables of native/bench (built by CMake) one after the other and reads
 * their JSON lines ({@code native/bench/gm_bench.h}) into {@link Figure}s. An executable that was not
 * built (no liburcu on the machine) is reported as missing; its peers then show "n/a" in the table.
 */
public final class NativePeers {
    // A flat object of string and number members, as gm_emit() prints it (no nesting, no escapes).
    private static final Pattern MEMBER = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"([^\"\\\\]*)\"|(-?[0-9.]+(?:[eE][-+]?[0-9]+)?))");
    private static final long TIMEOUT_S = 15 * 60;

    private final Path dir;
    private final boolean full;
    private final List<String> missing = new ArrayList<>();

    public NativePeers(Path dir, boolean full) {
        this.dir = dir;
        this.full = full;
    }

    /** Runs each executable that exists; returns every figure they printed. */
    public List<Figure> run(List<String> executables) throws IOException, InterruptedException {
        List<Figure> figures = new ArrayList<>();
        for (String exe : executables) {
            Path path = dir.resolve(exe);
            if (!Files.isExecutable(path)) {
                missing.add(exe);
                continue;
            }
            figures.addAll(runOne(exe, path));
        }
        return figures;
    }

    /** Executables asked for but not found (not built here). */
    public List<String> missing() {
        return List.copyOf(missing);
    }

    private List<Figure> runOne(String exe, Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(path.toString(), full ? "--full" : "--quick")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Figure> figures = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("{")) {
                    figures.add(parse(exe, line));
                }
            }
        }
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(path + " did not finish within " + TIMEOUT_S + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(path + " failed with exit status " + p.exitValue() + " (its stderr is above)");
        }
        return figures;
    }

    /** One line of a native benchmark; IllegalArgumentException naming the line if a member is missing. */
    static Figure parse(String source, String line) {
        Map<String, String> members = new HashMap<>();
        Matcher m = MEMBER.matcher(line);
        while (m.find()) {
            members.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        for (String key : List.of("name", "flavor", "threads", "ns_per_op")) {
            if (!members.containsKey(key)) {
                throw new IllegalArgumentException(source + " printed a line without \"" + key + "\": " + line);
            }
        }
        double min = Double.parseDouble(members.getOrDefault("min_ns_per_op", "0"));
        double max = Double.parseDouble(members.getOrDefault("max_ns_per_op", "0"));
        return new Figure(source, members.get("name"), members.get("flavor"), Integer.parseInt(members.get("threads")),
                Double.parseDouble(members.get("ns_per_op")), Math.max(0, (max - min) / 2));
    }
}
