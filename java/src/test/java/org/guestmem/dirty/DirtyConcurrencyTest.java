package org.guestmem.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.guestmem.host.Membarrier;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Setters against takers, on the FENCE and MEMBARRIER RCU flavors: no dirty bit is lost or taken twice, a
 * taker that takes a bit sees the guest-RAM write made before it was set, and growth under concurrent setters
 * and takers loses nothing. Each test runs about {@code guestmem.dirty.stress.millis} (default 1200 ms).
 */
class DirtyConcurrencyTest {
    static final long PAGE = 4096;
    static final long CHUNK = 128;                 // small chunks: ranges cross chunk boundaries all the time
    static final int SETTERS = 3;
    static final long MILLIS = Long.getLong("guestmem.dirty.stress.millis", 1200);

    static Rcu open(Rcu.Flavor flavor) {
        Assumptions.assumeTrue(flavor != Rcu.Flavor.MEMBARRIER || Membarrier.available(), "membarrier(2) is not available here");
        return Rcu.create(flavor);
    }

    /** Page p belongs to setter (p / 5) % SETTERS: owners are disjoint but share every word. */
    static int owner(long page) {
        return (int) (page / 5 % SETTERS);
    }

    /**
     * Every setter sets each of its pages exactly once (in ranges of 1..5 pages) while a taker snapshots random,
     * unaligned ranges just behind them: every page must be seen by exactly one snapshot (or the final sweep).
     */
    @ParameterizedTest
    @EnumSource(value = Rcu.Flavor.class, names = {"FENCE", "MEMBARRIER"})
    void everySetIsTakenExactlyOnce(Rcu.Flavor flavor) throws Exception {
        long pages = 1 << 16;
        long deadline = System.nanoTime() + MILLIS * 1_000_000;
        int rounds = 0;
        try (Rcu rcu = open(flavor); DirtyMemory d = new DirtyMemory(rcu, PAGE, CHUNK)) {
            d.grow(pages * PAGE);
            do {
                DirtyClient client = DirtyClient.values()[rounds % 3];
                int[] seen = new int[(int) pages];
                AtomicLongArray progress = new AtomicLongArray(SETTERS);
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> setters = new ArrayList<>();
                for (int t = 0; t < SETTERS; t++) {
                    int me = t, seed = rounds * SETTERS + t;
                    setters.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                        Random rnd = new Random(seed);
                        for (long p = 0; p < pages; ) {
                            if (owner(p) != me) {
                                p++;
                                continue;
                            }
                            long runEnd = Math.min(pages, (p / 5 + 1) * 5), n = 1 + rnd.nextInt((int) (runEnd - p));
                            d.setDirtyRange(p * PAGE + rnd.nextInt((int) PAGE), (n - 1) * PAGE + 1, client.mask());
                            p += n;
                            progress.set(me, p);
                        }
                    })));
                }
                int takerSeed = -1 - rounds;
                Thread taker = Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(takerSeed);
                    while (!done.get()) {
                        long behind = Math.min(progress.get(0), Math.min(progress.get(1), progress.get(2)));
                        long from = Math.max(0, behind - 300 + rnd.nextInt(200)), len = 1 + rnd.nextInt(300 * (int) PAGE);
                        long addr = from * PAGE + rnd.nextInt((int) PAGE);
                        record(d.snapshotAndClear(addr, Math.min(len, pages * PAGE - addr), client), seen);
                    }
                }));
                for (Thread s : setters) {
                    s.join();
                }
                done.set(true);
                taker.join();
                assertEquals(null, failure.get());
                record(d.snapshotAndClear(0, pages * PAGE, client), seen);
                for (int p = 0; p < pages; p++) {
                    if (seen[p] != 1) {
                        throw new AssertionError("page " + p + " (" + client + ", round " + rounds + ") was taken " + seen[p] + " times, not once");
                    }
                }
                rounds++;
            } while (System.nanoTime() < deadline);
        }
        assertTrue(rounds > 0);
    }

    private static void record(DirtySnapshot s, int[] seen) {
        for (long a = s.nextDirty(s.start()); a >= 0; a = s.nextDirty(a + PAGE)) {
            seen[(int) (a / PAGE)]++;
        }
    }

    /** Overlapping setters (any thread may set any page, often the same words) and a full-range taker. */
    @ParameterizedTest
    @EnumSource(value = Rcu.Flavor.class, names = {"FENCE", "MEMBARRIER"})
    void overlappingSettersLoseNothing(Rcu.Flavor flavor) throws Exception {
        long pages = 4 * CHUNK;
        try (Rcu rcu = open(flavor); DirtyMemory d = new DirtyMemory(rcu, PAGE, CHUNK)) {
            d.grow(pages * PAGE);
            long deadline = System.nanoTime() + MILLIS * 1_000_000 / 2;
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<BitSet> setBy = new ArrayList<>();
            List<Thread> setters = new ArrayList<>();
            for (int t = 0; t < SETTERS; t++) {
                BitSet mine = new BitSet();
                setBy.add(mine);
                int seed = t;
                setters.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(seed);
                    while (System.nanoTime() < deadline) {
                        int first = rnd.nextInt((int) pages), n = 1 + rnd.nextInt(Math.min(200, (int) pages - first));
                        d.setDirtyRange(first * PAGE, n * PAGE, DirtyClient.MIGRATION.mask() | DirtyClient.VGA.mask());
                        mine.set(first, first + n);
                    }
                })));
            }
            BitSet seen = new BitSet();
            Thread taker = Thread.ofPlatform().start(() -> guard(failure, () -> {
                while (!done.get()) {
                    seen.or(BitSet.valueOf(d.snapshotAndClear(0, pages * PAGE, DirtyClient.MIGRATION).words()));
                }
            }));
            for (Thread s : setters) {
                s.join();
            }
            done.set(true);
            taker.join();
            assertEquals(null, failure.get());
            seen.or(BitSet.valueOf(d.snapshotAndClear(0, pages * PAGE, DirtyClient.MIGRATION).words()));
            BitSet all = new BitSet();
            setBy.forEach(all::or);
            assertEquals(all, seen, "every page set was taken by a snapshot or the final sweep");
            assertEquals(all.cardinality(), d.dirtyPages(DirtyClient.VGA), "VGA, never taken, holds the union");
        }
    }

    /**
     * The migration property: setters write a page's new value to "guest RAM", then mark the page; the taker
     * takes bits and reads the pages it took. In the end the taker has read the last value of every page.
     */
    @ParameterizedTest
    @EnumSource(value = Rcu.Flavor.class, names = {"FENCE", "MEMBARRIER"})
    void aTakerSeesTheWriteMadeBeforeTheBit(Rcu.Flavor flavor) throws Exception {
        int pages = 1024;
        try (Rcu rcu = open(flavor); DirtyMemory d = new DirtyMemory(rcu, PAGE, CHUNK); Arena arena = Arena.ofShared()) {
            d.grow(pages * PAGE);
            MemorySegment ram = arena.allocate(pages * 8L, 8);       // one long per page stands for its contents
            long[] lastWritten = new long[pages], lastRead = new long[pages];
            long deadline = System.nanoTime() + MILLIS * 1_000_000 / 2;
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> setters = new ArrayList<>();
            for (int t = 0; t < SETTERS; t++) {
                int me = t;
                setters.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(me);
                    while (System.nanoTime() < deadline) {
                        int p = rnd.nextInt(pages);
                        if (owner(p) != me) {
                            continue;
                        }
                        long v = ++lastWritten[p];                   // only the owner writes lastWritten[p]
                        ram.setAtIndex(ValueLayout.JAVA_LONG, p, v); // plain write of the page
                        d.setDirtyRange(p * PAGE, 8, DirtyClient.MIGRATION.mask());
                    }
                })));
            }
            Thread taker = Thread.ofPlatform().start(() -> guard(failure, () -> {
                while (!done.get()) {
                    sendDirty(d.snapshotAndClear(0, pages * PAGE, DirtyClient.MIGRATION), ram, lastRead);
                }
            }));
            for (Thread s : setters) {
                s.join();
            }
            done.set(true);
            taker.join();
            assertEquals(null, failure.get());
            sendDirty(d.snapshotAndClear(0, pages * PAGE, DirtyClient.MIGRATION), ram, lastRead);
            for (int p = 0; p < pages; p++) {
                assertEquals(lastWritten[p], lastRead[p], "page " + p + ": the last write reached the taker");
            }
        }
    }

    private static void sendDirty(DirtySnapshot s, MemorySegment ram, long[] lastRead) {
        for (long a = s.nextDirty(0); a >= 0; a = s.nextDirty(a + PAGE)) {
            int p = (int) (a / PAGE);
            lastRead[p] = ram.getAtIndex(ValueLayout.JAVA_LONG, p);  // plain read after DT-2's acquire
        }
    }

    /** Growth while setters mark the newest RAM and a taker sweeps everything covered: nothing lost, no exception. */
    @ParameterizedTest
    @EnumSource(value = Rcu.Flavor.class, names = {"FENCE", "MEMBARRIER"})
    void growthUnderConcurrentSettersAndTakers(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = open(flavor); DirtyMemory d = new DirtyMemory(rcu, PAGE, 64)) {
            d.grow(64 * PAGE);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<BitSet> setBy = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                BitSet mine = new BitSet();
                setBy.add(mine);
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(seed);
                    while (!done.get()) {
                        long covered = d.coveredBytes() / PAGE;  // never shrinks, so the range stays valid
                        long first = Math.max(0, covered - 1 - rnd.nextInt(200)), n = 1 + rnd.nextInt((int) Math.min(100, covered - first));
                        d.setDirtyRange(first * PAGE, n * PAGE, DirtyClient.ALL);
                        mine.set((int) first, (int) (first + n));
                    }
                })));
            }
            BitSet seen = new BitSet();
            threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                while (!done.get()) {
                    seen.or(BitSet.valueOf(d.snapshotAndClear(0, d.coveredBytes(), DirtyClient.MIGRATION).words()));
                }
            })));
            long deadline = System.nanoTime() + MILLIS * 1_000_000 / 2;
            int chunks = 1;
            while (System.nanoTime() < deadline && chunks < DirtyMemory.MAX_CHUNKS) {
                d.grow(++chunks * 64 * PAGE);
                Thread.sleep(0, 200_000);
            }
            done.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(null, failure.get());
            seen.or(BitSet.valueOf(d.snapshotAndClear(0, d.coveredBytes(), DirtyClient.MIGRATION).words()));
            BitSet all = new BitSet();
            setBy.forEach(all::or);
            assertEquals(all, seen, "MIGRATION: every page set was taken");
            assertEquals(all.cardinality(), d.dirtyPages(DirtyClient.CODE), "CODE: the union, across every growth");
            assertEquals(chunks * 64 * PAGE, d.coveredBytes());
        }
    }

    private static void guard(AtomicReference<Throwable> failure, Runnable body) {
        try {
            body.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }
}
