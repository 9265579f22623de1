package org.guestmem.bench;

import static org.guestmem.bench.Comparison.Goal.NONE;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.openjdk.jmh.runner.RunnerException;

/**
 * The {@code scaling} suite: cost curves rather than single points. Reader throughput with 1, 2 and N
 * threads (N = cores) per RCU flavor beside liburcu, ReentrantReadWriteLock and pthread_rwlock; lookup miss
 * cost with 8 to 4096 blocks, ours beside QEMU's linear scan and both C twins; bitmap sync cost against
 * guest size (1 to 64 GiB of lazily allocated RAM, clean and lightly dirty), each point beside its C twin
 * and beside the 1 GiB figure scaled linearly. Quick mode runs every JMH point briefly (2 x 0.2 s + 2 x 0.3 s).
 */
final class ScalingSuite {
    static final List<Integer> BLOCKS = List.of(8, 16, 64, 256, 1024, 4096);
    static final List<Integer> GUEST_GIB = List.of(1, 4, 16, 64);
    static final List<String> SYNC_STATES = List.of("clean", "light");

    private ScalingSuite() {
    }

    /** 1, 2 and the number of cores, each once, ascending. */
    static List<Integer> threadCounts() {
        TreeSet<Integer> t = new TreeSet<>(List.of(1, 2, Runtime.getRuntime().availableProcessors()));
        return List.copyOf(t);
    }

    /**
     * Copies into {@code into} the figures an earlier suite of the same run measured with the same
     * benchmark and parameters: rcu's 1- and 2-thread read sections and lock peers (its {@code ...2}
     * methods are the 2-thread points) and ram's lookup misses; returns whether any was copied.
     */
    static boolean reuse(List<Measurements> earlier, Measurements into) {
        boolean any = false;
        for (Measurements from : earlier) {
            for (Measurements.Figure f : from.javaFigures()) {
                String b = f.benchmark();
                Map<String, String> p = new LinkedHashMap<>(f.params());
                if (b.matches("(RcuReadBench\\.readSection|LockReadBench\\.(reentrantReadLock|stampedOptimistic))2?")) {
                    p.put("threads", b.endsWith("2") ? "2" : "1");
                    b = b.endsWith("2") ? b.substring(0, b.length() - 1) : b;
                } else if (!b.matches("RamListLookupBench\\.miss(BinarySearch|LinearScanQemu)")) {
                    continue;
                }
                into.addJava(b, p, f.ns(), f.error());
                any = true;
            }
        }
        return any;
    }

    /** Measures the suite into {@code m}, beside what {@link #reuse} put there; returns notes about what was skipped and checked. */
    static List<String> run(Path nativeBench, List<String> flavors, boolean full, String lib, Measurements m)
            throws IOException, InterruptedException, RunnerException {
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> notes = new ArrayList<>(NativeBenches.run(nativeBench,
                List.of("urcu_memb_bench", "urcu_qsbr_bench", "urcu_mb_bench", "rwlock_bench"), full,
                List.of("--threads", Integer.toString(Math.min(cores, 64)), "--read-only"), m));
        notes.addAll(NativeBenches.run(nativeBench, List.of("lookup_bench", "bitmap_sync_bench"), full, m));
        for (int t : threadCounts()) {
            if (m.java("RcuReadBench.readSection", "threads=" + t).isPresent()) {
                continue;                                   // measured by the rcu suite of this run
            }
            JmhBenches.run("org\\.guestmem\\.bench\\.(RcuReadBench\\.readSection|LockReadBench\\.(reentrantReadLock|stampedOptimistic))$",
                    JmhBenches.params("flavor", flavors), full, lib, t, true, m);
        }
        List<Integer> blocks = BLOCKS.stream().filter(b -> m.java("RamListLookupBench.missBinarySearch", "blocks=" + b).isEmpty()).toList();
        if (!blocks.isEmpty()) {
            JmhBenches.run("org\\.guestmem\\.bench\\.RamListLookupBench\\.(missBinarySearch|missLinearScanQemu)$",
                    JmhBenches.params("blocks", blocks), full, lib, 0, true, m);
        }
        JmhBenches.run("org\\.guestmem\\.bench\\.BitmapSyncBench\\.",
                JmhBenches.params("guestGiB", GUEST_GIB, "state", SYNC_STATES), full, lib, 0, true, m);
        notes.add("reader throughput: JMH's per-thread time per read section with every thread in one RCU domain"
                + " (Rcu.read(), QSBR threads online); the chart shows the total rate, threads x 1e9 / ns");
        notes.add("bitmap sync: one RAM block of the guest size, anonymous with MAP_NORESERVE and never touched;"
                + " lightly dirty = one page in 1024 marked before each call, outside the timing; the peers of each point"
                + " is its C twin (native/bench/bitmap_sync_bench.c, bitmaps only) and the 1 GiB figure times the size,"
                + " where a ratio near 1 means the cost grows linearly");
        notes.add(LazyRamCheck.run(GUEST_GIB.getLast()));
        return notes;
    }

    static List<Comparison> rows(Measurements m, List<String> flavors) {
        List<Comparison> rows = new ArrayList<>();
        for (int t : threadCounts()) {
            String th = "threads=" + t;
            for (String f : flavors) {
                rows.add(new Comparison("read lock+unlock " + f + ", " + threads(t) + " (ns per thread)",
                        m.java("RcuReadBench.readSection", "flavor=" + f, th), Comparisons.liburcuPeer(f),
                        m.nativeFigure("read", "impl=" + Comparisons.liburcuPeer(f), th), NONE));
            }
            rows.add(new Comparison("ReentrantReadWriteLock.readLock, " + threads(t), m.java("LockReadBench.reentrantReadLock", th),
                    "pthread_rwlock rdlock", m.nativeFigure("read", "impl=pthread-rwlock", th), NONE));
            for (String f : flavors) {
                rows.add(new Comparison("read lock+unlock " + f + ", " + threads(t), m.java("RcuReadBench.readSection", "flavor=" + f, th),
                        "ReentrantReadWriteLock.readLock", m.java("LockReadBench.reentrantReadLock", th), NONE));
            }
        }
        for (int b : BLOCKS) {
            rows.add(new Comparison("lookup miss, binary search, " + b + " blocks", m.java("RamListLookupBench.missBinarySearch", "blocks=" + b),
                    "Java linear scan (QEMU)", m.java("RamListLookupBench.missLinearScanQemu", "blocks=" + b), NONE));
        }
        for (int b : BLOCKS) {
            rows.add(new Comparison("lookup miss, binary search, " + b + " blocks", m.java("RamListLookupBench.missBinarySearch", "blocks=" + b),
                    "C twin", m.nativeFigure("lookup", "variant=miss_bsearch", "param=" + b), NONE));
            rows.add(new Comparison("lookup miss, linear scan, " + b + " blocks", m.java("RamListLookupBench.missLinearScanQemu", "blocks=" + b),
                    "C twin", m.nativeFigure("lookup", "variant=miss_scan", "param=" + b), NONE));
        }
        for (String method : List.of("snapshotAndClear", "migrationSync")) {
            for (String state : SYNC_STATES) {
                for (int gib : GUEST_GIB) {
                    rows.add(new Comparison(syncName(method) + ", " + gib + " GiB, " + stateName(state), sync(m, method, gib, state),
                            "C twin", syncTwin(m, method, gib, state), NONE));
                }
            }
        }
        for (String method : List.of("snapshotAndClear", "migrationSync")) {
            for (String state : SYNC_STATES) {
                Optional<Measurements.Figure> one = sync(m, method, 1, state);
                for (int gib : GUEST_GIB.subList(1, GUEST_GIB.size())) {
                    rows.add(new Comparison(syncName(method) + ", " + gib + " GiB, " + stateName(state), sync(m, method, gib, state),
                            gib + " x the 1 GiB figure (" + Comparison.time(one) + ")", one.map(f -> scaled(f, gib)), NONE));
                }
            }
        }
        return rows;
    }

    static Optional<Measurements.Figure> sync(Measurements m, String method, int gib, String state) {
        return m.java("BitmapSyncBench." + method, "guestGiB=" + gib, "state=" + state);
    }

    /** The C twin's figure (native/bench/bitmap_sync_bench.c) of a BitmapSyncBench point. */
    static Optional<Measurements.Figure> syncTwin(Measurements m, String method, int gib, String state) {
        return m.nativeFigure("bitmap_sync", "variant=" + (method.equals("snapshotAndClear") ? "snapshot_" : "sync_") + state, "param=" + gib);
    }

    static String syncName(String method) {
        return method.equals("snapshotAndClear") ? "DirtyMemory.snapshotAndClear" : "migration bitmap sync (RamSaver.sync)";
    }

    static String stateName(String state) {
        return state.equals("clean") ? "clean" : "1 page in 1024 dirty";
    }

    private static Measurements.Figure scaled(Measurements.Figure f, int factor) {
        return new Measurements.Figure(f.source(), f.benchmark() + " x" + factor, f.params(), f.ns() * factor, f.error() * factor);
    }

    private static String threads(int t) {
        return t == 1 ? "1 thread" : t + " threads";
    }
}
