package org.guestmem.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the executables of native/bench (built by CMake under {@code <guestmem.native.dir>/native/bench})
 * one after another, before any JMH fork, and reads their JSON lines into {@link Measurements}. A missing
 * executable (liburcu not installed, native build not run) is reported and skipped.
 */
final class NativeBenches {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"([^\"]*)\"|[-0-9.eE+]+)");

    private NativeBenches() {
    }

    /** The liburcu peer executables (native/bench/CMakeLists.txt builds them only where pkg-config finds liburcu). */
    static final List<String> LIBURCU_PEERS = List.of("urcu_memb_bench", "urcu_qsbr_bench", "urcu_mb_bench");

    /** The liburcu peer executable of an RCU flavor: FENCE's is liburcu mb, MEMBARRIER's memb, QSBR's qsbr. */
    static String liburcuPeer(String flavor) {
        return switch (flavor) {
            case "FENCE" -> "urcu_mb_bench";
            case "MEMBARRIER" -> "urcu_memb_bench";
            case "QSBR" -> "urcu_qsbr_bench";
            default -> throw new IllegalArgumentException("no liburcu peer for RCU flavor '" + flavor + "'");
        };
    }

    /**
     * A banner for the top of the table when the liburcu peers were not built in {@code dir} (liburcu-dev
     * missing at build time): what is missing, what it costs, and the command that fixes it. Empty when they
     * are all there.
     */
    static List<String> liburcuBanner(Path dir) {
        List<String> missing = LIBURCU_PEERS.stream().filter(n -> !Files.isExecutable(dir.resolve(n))).toList();
        if (missing.isEmpty()) {
            return List.of();
        }
        return List.of("liburcu peers missing (" + String.join(", ", missing) + " not built in " + dir + "): liburcu-dev was not"
                        + " installed when the native code was built, so every liburcu column says 'missing' and the goals against"
                        + " liburcu cannot be met.",
                "Fix: sudo apt-get install liburcu-dev && ./mvnw -B -q -DskipTests package, then run the bench again.");
    }

    /** Runs {@code names} from {@code dir}; returns the notes about what was skipped or failed. */
    static List<String> run(Path dir, List<String> names, boolean full, Measurements into) throws IOException, InterruptedException {
        return run(dir, names, full, List.of(), into);
    }

    /** As {@link #run(Path, List, boolean, Measurements)}, passing {@code extraArgs} to every executable. */
    static List<String> run(Path dir, List<String> names, boolean full, List<String> extraArgs, Measurements into)
            throws IOException, InterruptedException {
        return run(dir, names, full, extraArgs, false, into);
    }

    /**
     * Runs {@code names} once more with {@code extraArgs}; each figure keeps the better of this process and the
     * earlier ones ({@link Measurements#addNativeBest}). A later round of {@link BenchRunner#interleaved}.
     */
    static List<String> runAgain(Path dir, List<String> names, boolean full, List<String> extraArgs, Measurements into)
            throws IOException, InterruptedException {
        return run(dir, names, full, extraArgs, true, into);
    }

    private static List<String> run(Path dir, List<String> names, boolean full, List<String> extraArgs, boolean best, Measurements into)
            throws IOException, InterruptedException {
        List<String> notes = new ArrayList<>();
        for (String name : names) {
            Path exe = dir.resolve(name);
            if (!Files.isExecutable(exe)) {
                notes.add("native " + name + " skipped: " + exe + " is not built");
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of(exe.toString()));
            if (full) {
                cmd.add("--full");
            }
            cmd.addAll(extraArgs);
            System.out.println("native: " + String.join(" ", cmd).substring(exe.toString().length() - name.length()));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith("{")) {
                        add(parse(line), best, into);
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                notes.add("native " + name + " timed out");
            } else if (p.exitValue() != 0) {
                notes.add("native " + name + " exited with status " + p.exitValue());
            }
        }
        return notes;
    }

    /** The fields of one flat JSON object line (string and number values only). */
    static Map<String, String> parse(String line) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            fields.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return fields;
    }

    private static void add(Map<String, String> f, boolean best, Measurements into) {
        String bench = f.get("bench");
        String nsText = f.get("ns_per_op");
        if (bench == null || nsText == null) {
            throw new IllegalArgumentException("native result line without bench or ns_per_op: " + f);
        }
        // lookup_bench writes "blocks" and no impl/threads/param.
        String impl = f.getOrDefault("impl", "c-twin");
        int threads = Integer.parseInt(f.getOrDefault("threads", "1"));
        long param = Long.parseLong(f.getOrDefault("param", f.getOrDefault("blocks", "0")));
        Map<String, String> extra = new java.util.LinkedHashMap<>(f);
        extra.keySet().removeAll(List.of("bench", "variant", "impl", "threads", "param", "blocks", "ns_per_op", "ops_per_s"));
        if (best) {
            into.addNativeBest(bench, f.getOrDefault("variant", ""), impl, threads, param, Double.parseDouble(nsText), extra);
        } else {
            into.addNative(bench, f.getOrDefault("variant", ""), impl, threads, param, Double.parseDouble(nsText), extra);
        }
    }
}
