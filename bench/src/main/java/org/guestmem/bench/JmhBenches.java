package org.guestmem.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs JMH in-process through its Runner API (each benchmark still in its own forked JVM, which gets the
 * native-library property appended). Quick mode: 1 fork, 3 x 0.3 s warm-up, 3 x 0.5 s measurement; full
 * mode keeps the annotations (3 forks, 5 x 1 s each). Prints one progress line per benchmark instead of
 * JMH's own report, so the run ends with a single table.
 */
final class JmhBenches {
    private JmhBenches() {
    }

    /**
     * Runs the benchmarks whose names match {@code include} with {@code params} overriding @Param values.
     * Failed benchmarks (an exception in a fork) leave no figure; the report shows them as missing.
     */
    static void run(String include, Map<String, String[]> params, boolean full, String nativeLib, Measurements into)
            throws RunnerException {
        run(include, params, full, nativeLib, 0, false, into);
    }

    /**
     * As {@link #run(String, Map, boolean, String, Measurements)}; {@code threads > 0} overrides every
     * benchmark's @Threads and is recorded as the figure's {@code threads} parameter; {@code brief} shortens
     * the quick mode to 2 x 0.2 s warm-up and 2 x 0.3 s measurement (the scaling curves have many points).
     */
    static void run(String include, Map<String, String[]> params, boolean full, String nativeLib, int threads, boolean brief,
            Measurements into) throws RunnerException {
        run(include, params, full, nativeLib, threads, brief, false, into);
    }

    /**
     * As above; with {@code best}, each figure is the best (lowest) iteration instead of the mean, in CPU
     * time per operation where the benchmark reports {@link CpuTime} (else wall time), and quick mode
     * measures 10 iterations of 0.15 s: on a shared machine the best iteration is the one least disturbed,
     * for peers that report their best repetition, in thread CPU time, too.
     */
    static void run(String include, Map<String, String[]> params, boolean full, String nativeLib, int threads, boolean brief,
            boolean best, Measurements into) throws RunnerException {
        ChainedOptionsBuilder opt = options(include, params, nativeLib);
        if (threads > 0) {
            opt.threads(threads);
        }
        if (!full && brief && !best) {
            opt.forks(1).warmupIterations(2).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(300));
        } else if (!full) {
            opt.forks(1).warmupIterations(3).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(best ? 10 : 3).measurementTime(TimeValue.milliseconds(best ? 150 : 500));
        }
        Collection<RunResult> results = runWaitingForLock(new Runner(opt.build(), new Progress(System.out)));
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String name = shortName(p);
            Map<String, String> ps = params(p);
            if (threads > 0) {
                ps.put("threads", Integer.toString(p.getThreads()));
            }
            String unit = r.getPrimaryResult().getScoreUnit();
            double score = r.getPrimaryResult().getScore();
            if (best) {
                double cpuBest = bestCpuNsPerOp(r);
                if (!Double.isNaN(cpuBest)) {
                    ps.put("clock", "thread-cpu");
                    into.addJava(name, ps, cpuBest, Double.NaN);
                    continue;
                }
                boolean throughput = unit.startsWith("ops/");
                for (BenchmarkResult b : r.getBenchmarkResults()) {
                    for (IterationResult it : b.getIterationResults()) {
                        double s = it.getPrimaryResult().getScore();
                        score = throughput ? Math.max(score, s) : Math.min(score, s);
                    }
                }
            }
            into.addJava(name, ps, toNs(score, unit), toNs(r.getPrimaryResult().getScoreError(), unit));
        }
    }

    /** {@code Class.method} of a benchmark's full name. */
    private static String shortName(BenchmarkParams p) {
        String b = p.getBenchmark();
        return b.substring(b.lastIndexOf('.', b.lastIndexOf('.') - 1) + 1);
    }

    /** The benchmark's @Param values, in declaration order. */
    private static Map<String, String> params(BenchmarkParams p) {
        Map<String, String> ps = new LinkedHashMap<>();
        for (String k : p.getParamsKeys()) {
            ps.put(k, p.getParam(k));
        }
        return ps;
    }

    /** The options every run shares: which benchmarks, their @Param overrides, the native library path. */
    private static ChainedOptionsBuilder options(String include, Map<String, String[]> params, String nativeLib) {
        ChainedOptionsBuilder opt = new OptionsBuilder().include(include).shouldFailOnError(false)
                .jvmArgsAppend("-Dguestmem.native.lib=" + nativeLib);
        params.forEach(opt::param);
        return opt;
    }

    /**
     * One fork of each benchmark matching {@code include} (quick mode: 3 x 0.3 s warm-up, 3 x 0.5 s measurement;
     * full mode: the annotations' iterations), each figure the fork's mean, kept if it beats the figure of an
     * earlier fork ({@link Measurements#addJavaBest}). One round of {@link BenchRunner#interleaved}: for
     * figures that move between processes with where the data lands and with the machine's slow minutes, as
     * the C twins' figures do between runs ({@link NativeBenches#runAgain}).
     */
    static void runOneFork(String include, Map<String, String[]> params, boolean full, String nativeLib, Measurements into)
            throws RunnerException {
        ChainedOptionsBuilder opt = options(include, params, nativeLib).forks(1);
        if (!full) {
            opt.warmupIterations(3).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        for (RunResult r : runWaitingForLock(new Runner(opt.build(), new Progress(System.out)))) {
            String unit = r.getPrimaryResult().getScoreUnit();
            into.addJavaBest(shortName(r.getParams()), params(r.getParams()), toNs(r.getPrimaryResult().getScore(), unit));
        }
    }

    /**
     * The best iteration's CPU nanoseconds per operation from the {@link CpuTime} secondary results
     * ({@code cpuNs}, {@code ops}), or NaN when the benchmark does not report them.
     */
    private static double bestCpuNsPerOp(RunResult r) {
        double best = Double.NaN;
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) {
                var cpu = it.getSecondaryResults().get("cpuNs");
                var ops = it.getSecondaryResults().get("ops");
                if (cpu == null || ops == null || ops.getScore() <= 0 || cpu.getScore() <= 0) {
                    return Double.NaN;
                }
                double ns = cpu.getScore() / ops.getScore();
                best = Double.isNaN(best) ? ns : Math.min(best, ns);
            }
        }
        return best;
    }

    /**
     * A score in nanoseconds per operation, whatever the benchmark's mode and time unit: "us/op" and the
     * like are scaled, throughput ("ops/s") inverted (its error then only approximately).
     */
    static double toNs(double score, String unit) {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("JMH score unit '" + unit + "' is neither time/op nor ops/time");
        }
        if (parts[1].equals("op")) {
            return score * nsPer(parts[0], unit);
        }
        if (parts[0].equals("ops")) {
            return nsPer(parts[1], unit) / score;
        }
        throw new IllegalArgumentException("JMH score unit '" + unit + "' is neither time/op nor ops/time");
    }

    private static double nsPer(String timeUnit, String unit) {
        return switch (timeUnit) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "min" -> 60e9;
            default -> throw new IllegalArgumentException("JMH score unit '" + unit + "' has an unknown time unit '" + timeUnit + "'");
        };
    }

    /**
     * JMH refuses to start while another JMH run on this machine holds its lock file (two runs would
     * disturb each other's figures): wait for it, up to 15 minutes, instead of failing.
     */
    private static Collection<RunResult> runWaitingForLock(Runner runner) throws RunnerException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        boolean told = false;
        while (true) {
            try {
                return runner.run();
            } catch (RunnerException e) {
                if (!String.valueOf(e.getMessage()).contains("JMH lock") || System.nanoTime() > deadline) {
                    throw e;
                }
                if (!told) {
                    System.out.println("jmh: another JMH run holds the JMH lock; waiting for it to finish (up to 15 minutes)");
                    told = true;
                }
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** One line per benchmark: its name and parameters when it starts, its score when it ends. */
    private static final class Progress implements OutputFormat {
        private final PrintStream out;
        private int started;

        Progress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void startBenchmark(BenchmarkParams p) {
            StringBuilder sb = new StringBuilder("jmh [" + ++started + "] " + p.getBenchmark().replace("org.guestmem.bench.", ""));
            for (String k : p.getParamsKeys()) {
                sb.append(' ').append(k).append('=').append(p.getParam(k));
            }
            if (p.getThreads() > 1) {
                sb.append(" threads=").append(p.getThreads());
            }
            out.print(sb.append(" ... "));
            out.flush();
        }

        @Override
        public void endBenchmark(BenchmarkResult result) {
            if (result == null) {
                out.println("failed");
            } else {
                out.printf("%.3f %s%n", result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreUnit());
            }
        }

        @Override
        public void println(String s) {
            // JMH's errors arrive here: keep them (they say why a benchmark has no figure)
            if (s.contains("Exception") || s.contains("ERROR") || s.contains("<failure>")) {
                out.println();
                out.println(s);
            }
        }

        @Override
        public void iteration(BenchmarkParams b, IterationParams i, int n) {
        }

        @Override
        public void iterationResult(BenchmarkParams b, IterationParams i, int n, IterationResult r) {
        }

        @Override
        public void startRun() {
        }

        @Override
        public void endRun(Collection<RunResult> results) {
        }

        @Override
        public void print(String s) {
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
        }

        @Override
        public void verbosePrintln(String s) {
        }

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b) throws IOException {
        }
    }

    static Map<String, String[]> params(Object... keyValues) {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], ((List<?>) keyValues[i + 1]).stream().map(String::valueOf).toArray(String[]::new));
        }
        return m;
    }
}
