package org.guestmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs JMH benchmarks in this JVM through JMH's Runner API (each benchmark still in its own forked JVM)
 * and turns the results into {@link Figure}s. Quick: 1 fork, 3 warmup and 3 measured iterations of a few
 * hundred ms; full: 2 forks, 5 + 5 iterations of 1 s. The forks get {@code -Dguestmem.native.lib} (the
 * MEMBARRIER flavor loads the shim). JMH's own progress output goes to a log file, not to stdout.
 */
public final class JmhSuite {
    private static final long LOCK_WAIT_MS = 10 * 60 * 1000;

    private final boolean full;
    private final Path nativeLib;
    private final Path log;

    public JmhSuite(boolean full, Path nativeLib, Path log) {
        this.full = full;
        this.nativeLib = nativeLib;
        this.log = log;
    }

    /** Runs every benchmark whose class is one of {@code classes}; returns one figure per benchmark and parameter set. */
    public List<Figure> run(List<Class<?>> classes) throws RunnerException, IOException, InterruptedException {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .jvmArgsAppend("-Dguestmem.native.lib=" + nativeLib)
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .output(log.toString());
        for (Class<?> c : classes) {
            b.include("^" + c.getName().replace(".", "\\.") + "\\.");
        }
        if (full) {
            b.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        } else {
            b.forks(1).warmupIterations(3).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
        }
        Collection<RunResult> results = runWaitingForLock(new Runner(b.build()));
        List<Figure> figures = new ArrayList<>();
        for (RunResult r : results) {
            figures.add(toFigure(r));
        }
        return figures;
    }

    /** JMH allows one run per machine (a file lock); another run holding it makes this one wait, not fail. */
    private Collection<RunResult> runWaitingForLock(Runner runner) throws RunnerException, InterruptedException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        boolean told = false;
        while (true) {
            try {
                return runner.run();
            } catch (RunnerException e) {
                String msg = String.valueOf(e.getMessage());
                if (!msg.contains("lock") || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                if (!told) {
                    System.err.println("bench: another JMH run holds its lock (" + System.getProperty("java.io.tmpdir")
                            + "/jmh.lock); waiting up to " + LOCK_WAIT_MS / 60000 + " min");
                    told = true;
                }
                Thread.sleep(5000);
            }
        }
    }

    static Figure toFigure(RunResult r) {
        BenchmarkParams p = r.getParams();
        String bench = p.getBenchmark();
        String name = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1); // Class.method
        List<String> values = new ArrayList<>();
        for (String key : p.getParamsKeys()) {
            values.add(p.getParam(key));
        }
        var primary = r.getPrimaryResult();
        double error = primary.getScoreError();
        return new Figure("java", name, String.join(",", values), p.getThreads(), toNs(primary.getScore(), primary.getScoreUnit()),
                Double.isNaN(error) ? 0 : toNs(error, primary.getScoreUnit()));
    }

    private static double toNs(double value, String unit) {
        return switch (unit) {
            case "ns/op" -> value;
            case "us/op" -> value * 1e3;
            case "ms/op" -> value * 1e6;
            case "s/op" -> value * 1e9;
            default -> throw new IllegalStateException("JMH score unit '" + unit + "' is not a time per operation");
        };
    }

    /** A fresh log file for JMH's output. */
    public static Path newLog(String suite) throws IOException {
        return Files.createTempFile("guestmem-bench-" + suite + "-", ".log");
    }
}
