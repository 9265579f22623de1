package org.guestmem.bench;

import static org.guestmem.bench.Comparison.Goal.NONE;
import static org.guestmem.bench.Comparison.Goal.cheaper;
import static org.guestmem.bench.Comparison.Goal.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pairs each Java figure with its peer, per suite, and attaches the goals of the project's issues:
 * RCU MEMBARRIER and QSBR within 1.5x of liburcu memb/qsbr, FENCE within 1.5x of liburcu mb, every flavor
 * at least 10x cheaper than {@code ReentrantReadWriteLock.readLock()}; lookup hit and dirty marking
 * within 1.3x of C; a lookup miss at 1024 blocks at least 10x cheaper than the linear scan.
 */
final class Comparisons {
    static final List<String> FLAVORS = List.of("FENCE", "MEMBARRIER", "QSBR");

    private Comparisons() {
    }

    /** The liburcu flavor that does what our flavor does. */
    static String liburcuPeer(String flavor) {
        return switch (flavor) {
            case "FENCE" -> "liburcu-mb";
            case "MEMBARRIER" -> "liburcu-memb";
            case "QSBR" -> "liburcu-qsbr";
            default -> throw new IllegalArgumentException("unknown RCU flavor " + flavor);
        };
    }

    static List<Comparison> rcu(Measurements m) {
        List<Comparison> rows = new ArrayList<>();
        // The read side as the C loops time it: 4096 sections per measured call (the ...Batch benchmarks).
        for (int t = 1; t <= 2; t++) {
            String suffix = t == 1 ? "" : "2";
            for (String f : FLAVORS) {
                rows.add(new Comparison("read lock+unlock " + f + " via RcuReader handle, " + threads(t),
                        m.java("RcuReadBench.readerHandleBatch" + suffix, "flavor=" + f),
                        liburcuPeer(f), m.nativeFigure("read", "impl=" + liburcuPeer(f), "threads=" + t),
                        f.equals("FENCE") ? NONE : within(1.5)));
            }
        }
        for (int t = 1; t <= 2; t++) {
            String suffix = t == 1 ? "" : "2";
            for (String f : FLAVORS) {
                // Goals through Rcu.read() (a thread lookup on every call): FENCE <= 1.0x liburcu mb, MEMBARRIER
                // <= 2.5x liburcu memb (1 thread); the section itself is judged on the handle rows above.
                Comparison.Goal g = t == 2 ? NONE : f.equals("FENCE") ? within(1.0) : f.equals("MEMBARRIER") ? within(2.5) : NONE;
                rows.add(new Comparison("read lock+unlock " + f + " via Rcu.read(), " + threads(t),
                        m.java("RcuReadBench.readSectionBatch" + suffix, "flavor=" + f),
                        liburcuPeer(f), m.nativeFigure("read", "impl=" + liburcuPeer(f), "threads=" + t), g));
            }
        }
        for (String f : FLAVORS) {
            rows.add(new Comparison("read lock+unlock " + f + " via Rcu.read(), 1 thread", m.java("RcuReadBench.readSectionBatch", "flavor=" + f),
                    "same via RcuReader handle (no lookup)", m.java("RcuReadBench.readerHandleBatch", "flavor=" + f), NONE));
        }
        for (int t = 1; t <= 2; t++) {
            String suffix = t == 1 ? "" : "2";
            Optional<Measurements.Figure> rrwl = m.java("LockReadBench.reentrantReadLockBatch" + suffix);
            for (String f : FLAVORS) {
                rows.add(new Comparison("read lock+unlock " + f + " via RcuReader handle, " + threads(t),
                        m.java("RcuReadBench.readerHandleBatch" + suffix, "flavor=" + f),
                        "ReentrantReadWriteLock.readLock", rrwl, f.equals("FENCE") || t == 2 ? NONE : cheaper(10)));
                rows.add(new Comparison("read lock+unlock " + f + " via Rcu.read(), " + threads(t),
                        m.java("RcuReadBench.readSectionBatch" + suffix, "flavor=" + f),
                        "ReentrantReadWriteLock.readLock", rrwl, NONE));
            }
            rows.add(new Comparison("ReentrantReadWriteLock.readLock, " + threads(t), rrwl,
                    "pthread_rwlock rdlock", m.nativeFigure("read", "impl=pthread-rwlock", "threads=" + t), NONE));
        }
        // One section per JMH call: JMH's own per-call cost (LockReadBench.baseline) is in every figure.
        for (int t = 1; t <= 2; t++) {
            String suffix = t == 1 ? "" : "2";
            for (String f : FLAVORS) {
                rows.add(new Comparison("per JMH call: read lock+unlock " + f + " via Rcu.read(), " + threads(t),
                        m.java("RcuReadBench.readSection" + suffix, "flavor=" + f),
                        liburcuPeer(f), m.nativeFigure("read", "impl=" + liburcuPeer(f), "threads=" + t), NONE));
                rows.add(new Comparison("per JMH call: read lock+unlock " + f + " via RcuReader handle, " + threads(t),
                        m.java("RcuReadBench.readerHandle" + suffix, "flavor=" + f),
                        liburcuPeer(f), m.nativeFigure("read", "impl=" + liburcuPeer(f), "threads=" + t), NONE));
            }
            Optional<Measurements.Figure> rrwl = m.java("LockReadBench.reentrantReadLock" + suffix);
            rows.add(new Comparison("per JMH call: read lock+unlock MEMBARRIER via Rcu.read(), " + threads(t),
                    m.java("RcuReadBench.readSection" + suffix, "flavor=MEMBARRIER"), "ReentrantReadWriteLock.readLock", rrwl, NONE));
            rows.add(new Comparison("per JMH call: read lock+unlock MEMBARRIER via Rcu.read(), " + threads(t),
                    m.java("RcuReadBench.readSection" + suffix, "flavor=MEMBARRIER"),
                    "StampedLock optimistic read", m.java("LockReadBench.stampedOptimistic" + suffix), NONE));
        }
        Optional<Measurements.Figure> memb = m.nativeFigure("read", "impl=liburcu-memb", "threads=1");
        rows.add(new Comparison("floor: ThreadLocal.get() alone", m.java("ReadSideFloorBench.threadLocal"),
                "liburcu-memb lock+unlock", memb, NONE));
        rows.add(new Comparison("floor: a MEMBARRIER section's 4 off-heap word accesses alone", m.java("ReadSideFloorBench.offHeapWords"),
                "liburcu-memb lock+unlock", memb, NONE));
        rows.add(new Comparison("floor: the same 4 off-heap accesses, plain (no ordering)", m.java("ReadSideFloorBench.offHeapWordsPlain"),
                "liburcu-memb lock+unlock", memb, NONE));
        rows.add(new Comparison("floor: the same 4 accesses on a Java object", m.java("ReadSideFloorBench.onHeapWords"),
                "liburcu-memb lock+unlock", memb, NONE));
        rows.add(new Comparison("floor: CTR/WAITING on the heap, GP_CTR off-heap via a constant segment (previous release)",
                m.java("ReadSideFloorBench.heapWordsGlobalGp"), "liburcu-memb lock+unlock", memb, NONE));
        rows.add(new Comparison("floor: the library's path: CTR/WAITING on the reader, GP_CTR's heap copy",
                m.java("ReadSideFloorBench.heapWordsHeapGp"), "liburcu-memb lock+unlock", memb, NONE));
        for (int t : List.of(1, 2)) {
            String suffix = t == 1 ? "" : "2";
            Optional<Measurements.Figure> qsbr = m.nativeFigure("read", "impl=liburcu-qsbr", "threads=" + t);
            rows.add(new Comparison("floor: an empty section (the loop and its compiler barrier), " + threads(t),
                    m.java("ReadSideFloorBench.emptySectionBatch" + suffix), "liburcu-qsbr lock+unlock (empty)", qsbr, NONE));
            rows.add(new Comparison("floor: a QSBR section's depth bookkeeping alone (store in; test, store out), " + threads(t),
                    m.java("ReadSideFloorBench.depthBatch" + suffix), "liburcu-qsbr lock+unlock (empty)", qsbr, NONE));
        }
        for (String load : List.of("idle", "busy")) {
            for (String f : FLAVORS) {
                rows.add(new Comparison("synchronize() " + f + ", " + (load.equals("idle") ? "1 idle reader" : "busy readers"),
                        m.java("RcuSynchronizeBench.synchronize", "flavor=" + f, "readers=" + load),
                        liburcuPeer(f) + " synchronize_rcu", m.nativeFigure("sync", "impl=" + liburcuPeer(f), "variant=" + load),
                        load.equals("busy") ? within(1.5) : NONE));
            }
        }
        for (String f : FLAVORS) {
            rows.add(new Comparison("callRcu " + f + " (per callback, batch of 10000 + drain)",
                    m.java("RcuCallbackBench.callRcuBatch", "flavor=" + f),
                    liburcuPeer(f) + " call_rcu + rcu_barrier", m.nativeFigure("call_rcu", "impl=" + liburcuPeer(f), "variant=batch"), NONE));
        }
        for (String f : FLAVORS) {
            rows.add(new Comparison("callRcu " + f + " (per callback, the calls alone)",
                    m.java("RcuCallbackBench.callRcuEnqueue", "flavor=" + f),
                    liburcuPeer(f) + " call_rcu alone", m.nativeFigure("call_rcu", "impl=" + liburcuPeer(f), "variant=enqueue"), NONE));
        }
        return rows;
    }

    /** What a reader of the rcu table needs to know to read the ratios right. */
    static List<String> rcuNotes(Measurements m) {
        List<String> notes = new ArrayList<>();
        notes.add("read side: timed as the C loops are, 4096 sections per clock read, each with a compiler-only barrier"
                + " inside (C: an empty asm with a memory clobber; Java: RcuFences.readerCompilerOnly(), no instruction on"
                + " x86); the ReentrantReadWriteLock rows loop 4096 lock+unlock pairs the same way");
        m.java("LockReadBench.baseline").ifPresent(b -> notes.add(String.format(Locale.ROOT,
                "'per JMH call' rows time one section per benchmark call: JMH's empty benchmark costs %.2f ns per call"
                        + " here, which they include and the C loops do not pay; the floor rows are per call too", b.ns())));
        notes.add("read side: the Rcu.read() rows include finding the thread's reader (by thread id, the ThreadLocal"
                + " for ids of 1024 and above); the RcuReader handle rows are the section alone (liburcu reaches its"
                + " per-thread state through TLS, with no lookup)");
        notes.add("floor rows: the parts of a section alone: finding the thread's state through a ThreadLocal; the"
                + " four word accesses through var handles on a shared-arena table (each with FFM's checks: what Java"
                + " readers paid before their words moved to the heap), the same plain, on one Java object, the previous"
                + " release's path (heap CTR/WAITING, GP_CTR through a constant global segment) and the library's path"
                + " (heap CTR/WAITING, GP_CTR's heap copy); the handle rows add the owner check and the nesting test");
        notes.add("QSBR floor rows (timed as the goal rows): liburcu qsbr's read section is empty, so its row is the"
                + " C loop's own cost, one iteration per cycle; C2 unrolls the same empty loop (the 'empty section'"
                + " row). A Java QSBR section keeps its depth so that misuse throws (close without read, quiescentState()"
                + " or threadOffline() inside a section): the 'depth bookkeeping' row is that alone, and the handle row"
                + " adds the owner check (WrongThreadException) to it");
        notes.add("synchronize, 1 idle reader: registered and blocked outside any section (QSBR: offline) on both sides");
        notes.add("callRcu batch + drain: drain() makes the reclaimer skip its batching delay, while liburcu's"
                + " call_rcu thread sleeps about 10 ms before taking each batch, so that row compares batching policies;"
                + " the 'calls alone' rows compare what a caller pays per callback");
        return notes;
    }

    /** The block count of the goal "lookup miss >= 10x cheaper than the linear scan". */
    static final int MISS_GOAL_BLOCKS = 1024;

    static List<Comparison> ram(Measurements m, List<Integer> blockCounts) {
        List<Comparison> rows = new ArrayList<>();
        for (int b : blockCounts) {
            rows.add(new Comparison("lookup MRU hit, " + b + " blocks", m.java("RamListLookupBench.hit", "blocks=" + b),
                    "C twin", m.nativeFigure("lookup", "variant=hit", "param=" + b), within(1.3)));
        }
        for (int b : blockCounts) {
            rows.add(new Comparison("lookup miss, binary search, " + b + " blocks", m.java("RamListLookupBench.missBinarySearch", "blocks=" + b),
                    "Java linear scan (QEMU)", m.java("RamListLookupBench.missLinearScanQemu", "blocks=" + b),
                    b == MISS_GOAL_BLOCKS ? cheaper(10) : NONE));
        }
        for (int b : blockCounts) {
            rows.add(new Comparison("lookup miss, binary search, " + b + " blocks", m.java("RamListLookupBench.missBinarySearch", "blocks=" + b),
                    "C twin", m.nativeFigure("lookup", "variant=miss_bsearch", "param=" + b), NONE));
            rows.add(new Comparison("lookup miss, linear scan, " + b + " blocks", m.java("RamListLookupBench.missLinearScanQemu", "blocks=" + b),
                    "C twin", m.nativeFigure("lookup", "variant=miss_scan", "param=" + b), NONE));
        }
        for (int pages : List.of(1, 64, 4096)) {
            String what = "setDirtyRange " + pages + " page" + (pages == 1 ? "" : "s");
            rows.add(new Comparison(what + ", in the caller's section", m.java("DirtyMemoryBench.setDirtyRangeBatch", "pages=" + pages, "section=nested"),
                    "C twin", m.nativeFigure("dirty_set", "variant=nested", "param=" + pages), within(1.3)));
            rows.add(new Comparison(what + ", own read section per call", m.java("DirtyMemoryBench.setDirtyRangeBatch", "pages=" + pages, "section=own"),
                    "C twin, liburcu memb section per call", m.nativeFigure("dirty_set", "variant=own_section", "param=" + pages), NONE));
            rows.add(new Comparison("per JMH call: " + what + ", in the caller's section",
                    m.java("DirtyMemoryBench.setDirtyRange", "pages=" + pages, "section=nested"),
                    "C twin (1024 per clock read)", m.nativeFigure("dirty_set", "variant=nested", "param=" + pages), NONE));
            rows.add(new Comparison("C gm_dirty_set_range " + pages + " page" + (pages == 1 ? "" : "s") + " (libguestmem)",
                    m.nativeFigure("dirty_set", "variant=library", "param=" + pages),
                    "C twin, inline (measured in turns)", m.nativeFigure("dirty_set", "variant=nested_paired", "param=" + pages), within(1.2)));
        }
        rows.add(new Comparison("C gm_dirty_mark_page (guestmem.h inline)", m.nativeFigure("dirty_set", "variant=library_inline", "param=1"),
                "C twin, inline (measured in turns)", m.nativeFigure("dirty_set", "variant=nested_paired", "param=1"), within(1.2)));
        for (String state : List.of("clean", "dirty10")) {
            rows.add(new Comparison("snapshotAndClear 1 GiB, " + (state.equals("clean") ? "clean" : "10% dirty"),
                    m.java("DirtyMemoryBench.snapshotAndClear", "state=" + state),
                    "C twin", m.nativeFigure("dirty_snapshot", "variant=" + state), state.equals("dirty10") ? within(2.0) : NONE));
        }
        rows.add(new Comparison("GuestMemory.writeLong (section + lookup + store + dirty mark, 3 clients)",
                m.java("GuestMemoryBench.writeLongBatch"), "C twin: liburcu memb section + gm_ram_translate + store + 3 atomic ORs",
                m.nativeFigure("guest_memory", "variant=write_long"), within(1.3)));
        rows.add(new Comparison("GuestMemory.readLong (section + lookup + load)",
                m.java("GuestMemoryBench.readLongBatch"), "C twin: liburcu memb section + gm_ram_translate + load",
                m.nativeFigure("guest_memory", "variant=read_long"), within(1.3)));
        rows.add(new Comparison("per JMH call: GuestMemory.writeLong", m.java("GuestMemoryBench.writeLong"),
                "C twin (1024 per clock read)", m.nativeFigure("guest_memory", "variant=write_long"), NONE));
        rows.add(new Comparison("per JMH call: GuestMemory.readLong", m.java("GuestMemoryBench.readLong"),
                "C twin (1024 per clock read)", m.nativeFigure("guest_memory", "variant=read_long"), NONE));
        return rows;
    }

    static final List<Integer> XBZRLE_PCTS = List.of(1, 10, 50);
    static final long ZERO_CACHED = 4096, ZERO_RAM = 256L << 20;

    /**
     * XBZRLE encode/decode against the C port (at least 0.8x C speed: Java time within 1.25x), zero-page
     * detection against C memcmp, the C word scan and memory read bandwidth (at least 70% of the read
     * bandwidth from memory), migration throughput against raw loopback TCP (at least 80%).
     */
    static List<Comparison> migration(Measurements m) {
        List<Comparison> rows = new ArrayList<>();
        for (String op : List.of("encode", "decode")) {
            for (int pct : XBZRLE_PCTS) {
                rows.add(new Comparison("XBZRLE " + op + ", " + pct + "% of bytes changed (per page)", m.java("XbzrleBench." + op, "pct=" + pct),
                        "C port", m.nativeFigure("xbzrle", "variant=" + op, "param=" + pct), within(1.25)));
            }
        }
        Comparison.Goal bandwidth = new Comparison.Goal(">= 70% of bandwidth", 1 / 0.7);
        for (String where : List.of("ram", "cached")) {
            long span = where.equals("ram") ? ZERO_RAM : ZERO_CACHED;
            String w = where.equals("ram") ? "256 MiB from memory" : "one page in L1";
            String[] z = {"where=" + where, "content=zero"};
            rows.add(new Comparison("zero page? ZeroPages.isZero, zero pages, " + w, m.java("ZeroPageBench.isZero", z),
                    "C memory read bandwidth (sum of words)", m.nativeFigure("zero_check", "variant=read/zero", "param=" + span),
                    where.equals("ram") ? bandwidth : NONE));
            rows.add(new Comparison("zero page? ZeroPages.isZero, zero pages, " + w, m.java("ZeroPageBench.isZero", z),
                    "Java memory read bandwidth (sum of longs)", m.java("ZeroPageBench.readBandwidth", z), NONE));
            rows.add(new Comparison("zero page? ZeroPages.isZero, zero pages, " + w, m.java("ZeroPageBench.isZero", z),
                    "C memcmp with a zero page", m.nativeFigure("zero_check", "variant=memcmp/zero", "param=" + span), NONE));
            rows.add(new Comparison("zero page? ZeroPages.isZero, zero pages, " + w, m.java("ZeroPageBench.isZero", z),
                    "C vector OR scan (32-byte vectors)", m.nativeFigure("zero_check", "variant=words/zero", "param=" + span), NONE));
            rows.add(new Comparison("zero page? unrolled long loop, zero pages, " + w, m.java("ZeroPageBench.longLoop", z),
                    "C vector OR scan (32-byte vectors)", m.nativeFigure("zero_check", "variant=words/zero", "param=" + span), NONE));
            rows.add(new Comparison("zero page? ZeroPages.isZero, random pages, " + w, m.java("ZeroPageBench.isZero", "where=" + where, "content=random"),
                    "C memcmp with a zero page", m.nativeFigure("zero_check", "variant=memcmp/random", "param=" + span), NONE));
        }
        rows.add(new Comparison("live migration of 256 MiB of random pages, loopback TCP", m.java("MigrationThroughputBench.migrate"),
                "raw loopback TCP of the same bytes", m.java("MigrationThroughputBench.rawTcp"), new Comparison.Goal(">= 80% of raw TCP", 1.25)));
        return rows;
    }

    /** Bandwidths in GB/s and whether both sides of the XBZRLE rows encoded the same bytes. */
    static List<String> migrationNotes(Measurements m) {
        List<String> notes = new ArrayList<>();
        for (int pct : XBZRLE_PCTS) {
            Optional<Measurements.Figure> c = m.nativeFigure("xbzrle", "variant=encode", "param=" + pct);
            String cBytes = c.map(f -> f.params().get("encoded_bytes")).orElse(null);
            if (cBytes != null) {
                long java = XbzrleBench.encodedBytes(pct);
                notes.add(java == Long.parseLong(cBytes)
                        ? "XBZRLE " + pct + "%: Java and C encode the same 256 page pairs to the same " + java + " bytes"
                                + " (" + c.get().params().get("overflow_pages") + " pages overflow)"
                        : "XBZRLE " + pct + "%: INPUTS DIFFER: Java encodes to " + java + " bytes, C to " + cBytes);
            }
        }
        for (String where : List.of("ram", "cached")) {
            long span = where.equals("ram") ? ZERO_RAM : ZERO_CACHED;
            List<String> parts = new ArrayList<>();
            gbps(parts, "Java isZero", m.java("ZeroPageBench.isZero", "where=" + where, "content=zero"));
            gbps(parts, "Java mismatch", m.java("ZeroPageBench.mismatch", "where=" + where, "content=zero"));
            gbps(parts, "Java long loop", m.java("ZeroPageBench.longLoop", "where=" + where, "content=zero"));
            gbps(parts, "Java read", m.java("ZeroPageBench.readBandwidth", "where=" + where, "content=zero"));
            gbps(parts, "C memcmp", m.nativeFigure("zero_check", "variant=memcmp/zero", "param=" + span));
            gbps(parts, "C vector scan", m.nativeFigure("zero_check", "variant=words/zero", "param=" + span));
            gbps(parts, "C read", m.nativeFigure("zero_check", "variant=read/zero", "param=" + span));
            notes.add("zero pages, " + where + ", GB/s (4096 B per page / ns): " + String.join(", ", parts));
        }
        m.java("MigrationThroughputBench.migrate").ifPresent(f -> notes.add(String.format(Locale.ROOT,
                "live migration: %.0f MB/s%s", (256 << 20) / f.ns() * 1e3,
                m.java("MigrationThroughputBench.rawTcp").map(r -> String.format(Locale.ROOT, ", raw TCP %.0f MB/s", (256 << 20) / r.ns() * 1e3)).orElse(""))));
        notes.add("XBZRLE and zero-page figures are thread CPU time per page of the best repetition on both sides"
                + " (C: best of 15 x 0.05 s, --full 25 x 0.2 s, CLOCK_THREAD_CPUTIME_ID; JMH: best of 10 iterations of 0.15 s,"
                + " --full 3 forks x 5 x 1 s, CpuTime): on a shared machine wall time mostly measures the other processes."
                + " The migration rows are wall time, best of 10 single shots of 256 MiB, and stay sensitive to load");
        notes.add("XBZRLE pages: 256 page pairs, the changes in runs of 1-8 bytes at random offsets (XbzrleBench.pages and"
                + " xbzrle_bench.c make the same bytes); decode applies each delta to the page it was made from");
        return notes;
    }

    private static void gbps(List<String> parts, String name, Optional<Measurements.Figure> f) {
        f.ifPresent(x -> parts.add(String.format(Locale.ROOT, "%s %.1f", name, 4096 / x.ns())));
    }

    private static String threads(int t) {
        return t == 1 ? "1 thread" : t + " threads";
    }
}
