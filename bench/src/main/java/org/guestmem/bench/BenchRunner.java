package org.guestmem.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The side-by-side benchmark runner behind {@code guestmem bench}: runs the native peers (native/bench,
 * built by CMake), then the JMH benchmarks in-process through JMH's Runner API, and prints one table of
 * Java figure, peer figure, ratio and goal, with the machine, JDK and date. Writes
 * {@code bench/results/SUITE-DATE.json} and {@code SUITE-latest.md}.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Dguestmem.native.dir=build/native \
 *     -cp bench/target/benchmarks.jar org.guestmem.bench.BenchRunner rcu [--full] [--json] [--out DIR]</pre>
 *
 * Quick (default) takes one to two minutes; {@code --full} runs JMH with 2 forks and 5 + 5 one-second
 * iterations and the native benchmarks in their long tier. Exit status: 0 on a completed run (missed goals
 * are reported, not failed), 2 for bad arguments, 1 if a benchmark failed.
 */
public final class BenchRunner {
    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        RunOptions opts;
        try {
            opts = RunOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            BenchReport report = run(opts);
            List<Path> written = report.write(opts.outDir());
            System.out.print(opts.json() ? org.guestmem.cli.Json.write(report.toJson()) : report.table());
            System.err.println("bench: wrote " + written.get(0) + " and " + written.get(1));
        } catch (IllegalStateException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs the suite named in {@code opts} and returns its report (nothing written yet). */
    public static BenchReport run(RunOptions opts) throws Exception {
        if (!opts.suite().equals("rcu")) {
            throw new IllegalArgumentException("unknown suite '" + opts.suite() + "': known suites are " + RunOptions.SUITES);
        }
        long t0 = System.nanoTime();
        NativePeers peers = new NativePeers(opts.nativeBenchDir(), opts.full());
        System.err.println("bench: native peers from " + opts.nativeBenchDir() + " (" + (opts.full() ? "full" : "quick") + ")");
        List<Figure> natives = peers.run(RcuSuite.nativeExecutables());
        for (String m : peers.missing()) {
            System.err.println("bench: " + opts.nativeBenchDir().resolve(m) + " not built (liburcu missing?): its peers show n/a");
        }
        Path log = JmhSuite.newLog(opts.suite());
        System.err.println("bench: JMH (" + (opts.full() ? "2 forks, 5+5 x 1 s" : "1 fork, 3 x 200 ms + 3 x 300 ms")
                + " per benchmark); JMH output in " + log);
        List<Figure> java = new JmhSuite(opts.full(), opts.nativeLib(), log).run(RcuSuite.jmhClasses());
        System.err.printf("bench: done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return new BenchReport(opts.suite(), opts.full(), MachineInfo.current(), RcuSuite.comparisons(java, natives),
                java, natives, peers.missing(), RcuSuite.notes());
    }
}
