package org.guestmem.bench;

import java.util.ArrayList;
import java.util.List;
import org.guestmem.rcu.Rcu;

/**
 * The {@code rcu} suite: which JMH classes and native executables it runs, and how their figures pair up
 * into the table. Goals (issue "RCU in Java"): MEMBARRIER and QSBR read sections within 1.5x of liburcu
 * memb and qsbr, FENCE within 1.5x of liburcu mb, every flavor at least 10x cheaper than
 * {@code ReentrantReadWriteLock.readLock()}. synchronize and callRcu are shown beside liburcu without a goal.
 */
public final class RcuSuite {
    static final String READ = "Read side: lock + deref + unlock, time per operation per thread";
    static final String SYNC = "synchronize() latency (writer not registered; 1 reader thread)";
    static final String CALL = "callRcu, time per callback (batches of " + RcuCallbackBench.BATCH + ")";
    static final String RRWL = "ReentrantReadWriteLock.readLock";

    private RcuSuite() {}

    public static List<Class<?>> jmhClasses() {
        return List.of(RcuReadBench.class, LockReadBench.class, RcuSynchronizeBench.class, RcuCallbackBench.class);
    }

    public static List<String> nativeExecutables() {
        return List.of("rcu_bench_memb", "rcu_bench_qsbr", "rcu_bench_mb", "rwlock_bench");
    }

    /** The liburcu flavor each Java flavor is compared with. */
    static String liburcuFlavor(Rcu.Flavor f) {
        return switch (f) {
            case FENCE -> "mb";
            case MEMBARRIER -> "memb";
            case QSBR -> "qsbr";
        };
    }

    /** Every row of the table, in order; figures that were not measured leave their cells "n/a". */
    public static List<Comparison> comparisons(List<Figure> java, List<Figure> natives) {
        Lookup j = new Lookup(java);
        Lookup c = new Lookup(natives);
        List<Comparison> rows = new ArrayList<>();
        for (int t = 1; t <= 2; t++) {
            String threads = t == 1 ? "1 thread" : t + " threads";
            Figure rrwl = j.find("LockReadBench.rwLockRead" + t, "", t);
            Figure stamped = j.find("LockReadBench.stampedOptimistic" + t, "", t);
            for (Rcu.Flavor f : Rcu.Flavor.values()) {
                String lf = liburcuFlavor(f);
                Figure urcu = c.find("read_lock_unlock", lf, t);
                Figure viaRead = j.find("RcuReadBench.read" + t, f.name(), t);
                Figure viaHandle = j.find("RcuReadBench.handle" + t, f.name(), t);
                String read = f + " Rcu.read(), " + threads;
                String handle = f + " RcuReader.read(), " + threads;
                rows.add(new Comparison(READ, read, viaRead, "liburcu-" + lf, urcu, Goal.atMost(1.5)));
                rows.add(new Comparison(READ, handle, viaHandle, "liburcu-" + lf, urcu, Goal.atMost(1.5)));
                rows.add(new Comparison(READ, read, viaRead, RRWL, rrwl, Goal.cheaperBy(10)));
                rows.add(new Comparison(READ, handle, viaHandle, RRWL, rrwl, Goal.cheaperBy(10)));
                rows.add(new Comparison(READ, read, viaRead, "StampedLock optimistic read", stamped, Goal.NONE));
            }
            rows.add(new Comparison(READ, RRWL + ", " + threads, rrwl, "pthread_rwlock (C)",
                    c.find("read_lock_unlock", "pthread_rwlock", t), Goal.NONE));
            rows.add(new Comparison(READ, "no lock, body only (JMH call included), " + threads,
                    j.find("LockReadBench.bodyOnly" + t, "", t), "no lock, body only (C loop)",
                    c.find("read_body_only", "none", t), Goal.NONE));
        }
        for (String readers : List.of("idle", "busy")) {
            for (Rcu.Flavor f : Rcu.Flavor.values()) {
                String lf = liburcuFlavor(f);
                rows.add(new Comparison(SYNC, f + " synchronize(), " + readers + " reader",
                        j.find("RcuSynchronizeBench.synchronize", f.name() + "," + readers, 1),
                        "liburcu-" + lf + " synchronize_rcu", c.find("synchronize_" + readers, lf, 1), Goal.NONE));
            }
        }
        for (Rcu.Flavor f : Rcu.Flavor.values()) {
            String lf = liburcuFlavor(f);
            rows.add(new Comparison(CALL, f + " callRcu x" + RcuCallbackBench.BATCH + " + drain()",
                    j.find("RcuCallbackBench.batchDrain", f.name(), 1),
                    "liburcu-" + lf + " call_rcu + rcu_barrier", c.find("call_rcu", lf, 1), Goal.NONE));
        }
        for (Rcu.Flavor f : Rcu.Flavor.values()) {
            String lf = liburcuFlavor(f);
            rows.add(new Comparison(CALL, f + " callRcu, enqueue only",
                    j.find("RcuCallbackBench.enqueue", f.name(), 1),
                    "liburcu-" + lf + " call_rcu, enqueue only", c.find("call_rcu_enqueue", lf, 1), Goal.NONE));
        }
        return rows;
    }

    /** Notes printed under the table. */
    public static List<String> notes() {
        return List.of(
                "Ratio = Java cost / peer cost; below 1 the Java side is cheaper. Both sides ran on this machine in this run.",
                "Rcu.read() is the documented entry point (a ThreadLocal lookup, then the section); RcuReader.read() is"
                        + " the section alone on the thread's handle from Rcu.reader(), as liburcu's inlined TLS access.",
                "'no lock, body only' is the floor under every read-side figure: on the Java side it includes JMH's"
                        + " cost per benchmark call (blackhole, loop), which the C loops (4096 sections per clock read) do not pay.",
                "QSBR: benchmark threads are registered online (Rcu.registerThread / rcu_register_thread), so a section"
                        + " is only nesting bookkeeping; the quiescent states are not part of the read-side figure.",
                "synchronize idle: the reader is registered and blocked outside any section (QSBR: offline);"
                        + " busy: it runs sections back to back (QSBR: rcu_quiescent_state / quiescentState() after each).",
                "callRcu: liburcu's call_rcu thread sleeps about 10 ms before taking each batch, so 'call_rcu + rcu_barrier'"
                        + " is mostly that delay spread over the batch; Rcu.drain() makes the reclaimer skip its batching"
                        + " delay. The enqueue-only rows compare what a caller pays per callback.");
    }

    /** Finds figures by name, variant and thread count. */
    private record Lookup(List<Figure> figures) {
        Figure find(String name, String variant, int threads) {
            for (Figure f : figures) {
                if (f.is(name, variant, threads)) {
                    return f;
                }
            }
            return null;
        }
    }
}
