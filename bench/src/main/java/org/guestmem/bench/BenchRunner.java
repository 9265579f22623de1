package org.guestmem.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.guestmem.rcu.Rcu;

/**
 * {@code BenchRunner [rcu|ram|scaling|migration|migration-progress|all] [--full] [--json] [--out DIR]}: the side-by-side benchmarks behind
 * {@code guestmem bench}. Runs the native peers (native/bench executables under
 * {@code <guestmem.native.dir>/native/bench}) and JMH in-process, the goal rows in rounds of each peer then
 * the Java forks compared with it ({@link #interleaved}), then prints one table (benchmark, Java
 * figure, peer figure, ratio, goal, met?) with the machine, JDK and date, and writes
 * {@code <suite>-<date>.json}, {@code <suite>-latest.md} and PNG charts to the results directory
 * (default {@code <guestmem.home>/bench/results}). {@code --json} prints the JSON instead of the table.
 * Quick by default (1 fork, short iterations; about 2 minutes per suite; with no suite, all of them with
 * briefer iterations); {@code --full} uses proper forks and iterations and the native benchmarks' long mode.
 */
public final class BenchRunner {
    static final List<Integer> QUICK_BLOCKS = List.of(8, 64, 1024, 4096);
    static final List<Integer> FULL_BLOCKS = List.of(8, 64, 256, 1024, 4096);

    private BenchRunner() {
    }

    record Args(List<String> suites, boolean full, boolean json, Path out) {
        static Args parse(String[] argv) {
            String suite = null;
            boolean full = false, json = false;
            Path out = Path.of(System.getProperty("guestmem.home", ".")).resolve("bench/results");
            for (int i = 0; i < argv.length; i++) {
                switch (argv[i]) {
                    case "--full" -> full = true;
                    case "--json" -> json = true;
                    case "--out" -> {
                        if (i + 1 >= argv.length) {
                            throw new IllegalArgumentException("--out needs a directory");
                        }
                        out = Path.of(argv[++i]);
                    }
                    case "rcu", "ram", "scaling", "migration", "migration-progress", "all" -> {
                        if (suite != null) {
                            throw new IllegalArgumentException("suite given twice: '" + suite + "' and '" + argv[i] + "'");
                        }
                        suite = argv[i];
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + argv[i] + "' (suites: rcu, ram, scaling, migration, migration-progress, all; options: --full, --json, --out DIR)");
                }
            }
            suite = suite == null ? "all" : suite;
            return new Args(suite.equals("all") ? List.of("rcu", "ram", "scaling", "migration", "migration-progress") : List.of(suite), full, json, out);
        }
    }

    /** Processes per side for the figures that move with where a process's data lands (see {@link #bestOfNote()}). */
    static final int BEST_OF = 5;

    /** Runs native benchmark executables; returns the notes about what was skipped or failed. */
    @FunctionalInterface
    interface NativeStep {
        List<String> run() throws Exception;
    }

    /** Runs JMH benchmarks. */
    @FunctionalInterface
    interface JavaStep {
        void run() throws Exception;
    }

    /**
     * One C peer process and the JMH forks whose rows are compared with its figures, run back to back in each
     * round of {@link #interleaved(List)}: the first round runs {@code firstNative} (every figure of the peer),
     * later rounds {@code laterNative} (its goal figures again, or nothing).
     */
    record Turn(NativeStep firstNative, NativeStep laterNative, JavaStep javaForks) {
    }

    /**
     * {@link #BEST_OF} rounds of every turn in order: a C process, then at once the JMH forks measured against
     * it (one fork each); each side keeps its best process ({@link Measurements#addNativeBest},
     * {@link Measurements#addJavaBest}). The two halves of a ratio are measured seconds apart, so a change of
     * the machine's speed (other tenants, clock) that lasts a few seconds or longer reaches both of them, and
     * over the rounds both sides' best figures come from its fast minutes. Returns the native notes, each once.
     */
    static List<String> interleaved(List<Turn> turns) throws Exception {
        List<String> notes = new ArrayList<>();
        for (int round = 0; round < BEST_OF; round++) {
            System.out.println("bench: goal rows, round " + (round + 1) + " of " + BEST_OF
                    + " (each C peer, then at once the Java forks compared with it)");
            for (Turn turn : turns) {
                for (String note : (round == 0 ? turn.firstNative() : turn.laterNative()).run()) {
                    if (!notes.contains(note)) {
                        notes.add(note);
                    }
                }
                turn.javaForks().run();
            }
        }
        return notes;
    }

    /**
     * The turn of C peer executable {@code exe} (every figure in the first round, then again with
     * {@code laterArgs}) and one JMH fork of each benchmark matching {@code include}.
     */
    private static Turn peerTurn(Path nativeBench, String exe, List<String> laterArgs, String include, Map<String, String[]> params,
            Args args, String lib, Measurements m) {
        return new Turn(
                () -> NativeBenches.run(nativeBench, List.of(exe), args.full(), m),
                () -> NativeBenches.runAgain(nativeBench, List.of(exe), args.full(), laterArgs, m),
                () -> JmhBenches.runOneFork(include, params, args.full(), lib, m));
    }

    static String bestOfNote() {
        return "goal rows of the read side, GuestMemory, DirtyMemory and the lookup miss at " + Comparisons.MISS_GOAL_BLOCKS
                + " blocks: the best of " + BEST_OF + " processes on each side,"
                + " in " + BEST_OF + " rounds in which each C peer process is followed at once by one JMH fork of each row"
                + " compared with it (each figure a process's mean):"
                + " a process is steady, but processes differ by up to 1.8x on both sides with where their data lands"
                + " (the C twin's readLong took 2.47 to 4.50 ns in six runs of one build), and this shared machine has"
                + " slow minutes (the same JMH fork took 0.85 or 1.5 ns); each row's JSON says best_of";
    }

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.setProperty("java.awt.headless", "true");
        String lib = System.getProperty("guestmem.native.lib", "");
        Path nativeBench = Path.of(System.getProperty("guestmem.native.dir",
                Path.of(System.getProperty("guestmem.home", ".")).resolve("build/native").toString())).resolve("native/bench");
        Files.createDirectories(args.out());
        boolean membarrier = membarrierAvailable();
        List<String> banner = NativeBenches.liburcuBanner(nativeBench);
        banner.forEach(b -> System.out.println("bench: " + b)); // at once, before the minutes of measuring
        List<String> flavors = membarrier ? Comparisons.FLAVORS : List.of("FENCE", "QSBR");
        // Quick runs of several suites give each JMH point the brief shape, to keep the whole run to a few minutes.
        boolean brief = !args.full() && args.suites().size() > 1;
        List<Measurements> earlier = new ArrayList<>();
        for (String suite : args.suites()) {
            if (suite.equals("migration-progress")) {
                System.out.println();
                System.out.println("results: " + args.out().resolve("migration-progress.json") + ", chart "
                        + args.out().resolve(MigrationProgressChart.run(args.out(), lib)));
                continue;
            }
            Measurements m = new Measurements();
            earlier.add(m);
            List<String> notes = new ArrayList<>();
            if (!membarrier) {
                notes.add("RCU MEMBARRIER is unavailable on this machine (kernel, native library or JIT): its rows have no figure");
            }
            List<Integer> blocks = args.full() ? FULL_BLOCKS : QUICK_BLOCKS;
            List<Comparison> rows;
            List<String> charts = new ArrayList<>();
            if (suite.equals("rcu")) {
                JmhBenches.run("org\\.guestmem\\.bench\\.(RcuReadBench\\.(readSection|readerHandle)2?|ReadSideFloorBench\\.(threadLocal|offHeapWords|offHeapWordsPlain|onHeapWords|heapWordsGlobalGp|heapWordsHeapGp)"
                                + "|LockReadBench\\.(baseline|reentrantReadLock2?|stampedOptimistic2?)|RcuSynchronizeBench\\.\\w+|RcuCallbackBench\\.\\w+)$",
                        JmhBenches.params("flavor", flavors), args.full(), lib, 0, brief, m);
                // The read side's goal rows: the best of BEST_OF processes on both sides, each flavor's liburcu peer
                // and its Java forks back to back (the QSBR floor rows with QSBR, whose goal they explain).
                List<Turn> turns = new ArrayList<>();
                for (String flavor : flavors) {
                    String peer = NativeBenches.liburcuPeer(flavor);
                    String floor = flavor.equals("QSBR") ? "|ReadSideFloorBench\\.\\w+Batch2?" : "";
                    turns.add(peerTurn(nativeBench, peer, List.of("--read-only"),
                            "org\\.guestmem\\.bench\\.(RcuReadBench\\.\\w+Batch2?" + floor + ")$",
                            JmhBenches.params("flavor", List.of(flavor)), args, lib, m));
                }
                List<String> others = new ArrayList<>(NativeBenches.LIBURCU_PEERS); // a peer of a flavor this machine lacks
                flavors.forEach(f -> others.remove(NativeBenches.liburcuPeer(f)));
                others.add("rwlock_bench");
                turns.add(new Turn(
                        () -> NativeBenches.run(nativeBench, others, args.full(), m),
                        List::of, // the lock rows' goal is Java against Java
                        () -> JmhBenches.runOneFork("org\\.guestmem\\.bench\\.LockReadBench\\.reentrantReadLockBatch2?$",
                                Map.of(), args.full(), lib, m)));
                notes.addAll(interleaved(turns));
                notes.add(bestOfNote());
                rows = Comparisons.rcu(m);
                notes.addAll(Comparisons.rcuNotes(m));
                ResultCharts.readSide(m, args.out(), suite).ifPresent(charts::add);
            } else if (suite.equals("scaling")) {
                if (ScalingSuite.reuse(earlier.subList(0, earlier.size() - 1), m)) {
                    notes.add("the 1- and 2-thread read figures and the lookups at the ram suite's block counts come from"
                            + " the rcu and ram suites of this run (same benchmarks, same parameters)");
                }
                notes.addAll(ScalingSuite.run(nativeBench, flavors, args.full(), lib, m));
                rows = ScalingSuite.rows(m, flavors);
                ScalingCharts.readers(m, args.out(), flavors).ifPresent(charts::add);
                ResultCharts.lookup(m, args.out(), suite, ScalingSuite.BLOCKS).ifPresent(charts::add);
                ScalingCharts.bitmapSync(m, args.out()).ifPresent(charts::add);
            } else if (suite.equals("migration")) {
                notes.addAll(NativeBenches.run(nativeBench, List.of("xbzrle_bench"), args.full(), m));
                JmhBenches.run("org\\.guestmem\\.bench\\.(XbzrleBench|ZeroPageBench|MigrationThroughputBench)\\.",
                        Map.of(), args.full(), lib, 0, brief, true, m);
                rows = Comparisons.migration(m);
                notes.addAll(Comparisons.migrationNotes(m));
            } else {
                notes.add("dirty marking: Java uses RCU " + (membarrier ? "MEMBARRIER" : "FENCE")
                        + ", the C twin a liburcu memb read section per call when liburcu is installed");
                notes.add("GuestMemory and setDirtyRange rows: 1024 calls per clock read on both sides (the ...Batch benchmarks,"
                        + " guest_memory_bench.c, dirty_bench.c); the 'per JMH call' rows add JMH's per-call cost (and a Blackhole)");
                String flavor = membarrier ? "MEMBARRIER" : "FENCE";
                JmhBenches.run("org\\.guestmem\\.bench\\.(RamListLookupBench\\.hit|GuestMemoryBench\\.(readLong|writeLong)|DirtyMemoryBench\\.setDirtyRange)$",
                        JmhBenches.params("blocks", blocks, "flavor", List.of(flavor)), args.full(), lib, 0, brief, m);
                // The misses at the goal's block count are measured in the rounds below (both sides of that goal are Java).
                List<Integer> missBlocks = blocks.stream().filter(b -> b != Comparisons.MISS_GOAL_BLOCKS).toList();
                JmhBenches.run("org\\.guestmem\\.bench\\.RamListLookupBench\\.miss\\w+$", JmhBenches.params("blocks", missBlocks),
                        args.full(), lib, 0, brief, m);
                Map<String, String[]> flavorParam = JmhBenches.params("flavor", List.of(flavor));
                notes.addAll(interleaved(List.of(
                        peerTurn(nativeBench, "dirty_bench", List.of(),
                                "org\\.guestmem\\.bench\\.DirtyMemoryBench\\.(setDirtyRangeBatch|snapshotAndClear)$", flavorParam, args, lib, m),
                        peerTurn(nativeBench, "guest_memory_bench", List.of(),
                                "org\\.guestmem\\.bench\\.GuestMemoryBench\\.\\w+Batch$", flavorParam, args, lib, m),
                        new Turn(
                                () -> NativeBenches.run(nativeBench, List.of("lookup_bench"), args.full(), m),
                                List::of, // the miss goal is Java against Java
                                () -> JmhBenches.runOneFork("org\\.guestmem\\.bench\\.RamListLookupBench\\.miss\\w+$",
                                        JmhBenches.params("blocks", List.of(Comparisons.MISS_GOAL_BLOCKS)), args.full(), lib, m)))));
                notes.add(bestOfNote());
                rows = Comparisons.ram(m, blocks);
                ResultCharts.lookup(m, args.out(), suite, blocks).ifPresent(charts::add);
            }
            ResultReport report = new ResultReport(suite, args.full() ? "full" : "quick", Machine.current(), rows, notes,
                    suite.equals("migration") ? List.of() : banner); // the migration suite has no liburcu peer
            String json = report.json(m);
            Path jsonFile = args.out().resolve(suite + "-" + java.time.LocalDate.now() + ".json");
            Files.writeString(jsonFile, json, StandardCharsets.UTF_8);
            Files.writeString(args.out().resolve(suite + "-latest.md"), report.markdown(charts), StandardCharsets.UTF_8);
            System.out.println();
            System.out.print(args.json() ? json : report.table());
            System.out.println("results: " + jsonFile + ", " + args.out().resolve(suite + "-latest.md")
                    + (charts.isEmpty() ? "" : ", charts " + String.join(", ", charts)));
        }
    }

    /** Whether an Rcu MEMBARRIER domain can be created here (the forks see the same kernel, library and JIT). */
    private static boolean membarrierAvailable() {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.MEMBARRIER)) {
            return true;
        } catch (IllegalStateException | UnsatisfiedLinkError e) {
            return false;
        }
    }

}
