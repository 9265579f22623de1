package org.guestmem.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DirtyMemory contract: QEMU's test-bitmap cases, a random model check, concurrency, bad input. */
class DirtyMemoryTest {
    Rcu rcu;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
    }

    @AfterEach
    void tearDown() {
        rcu.close();
    }

    /** QEMU's /bitmap/bitmap_set cases, on page ranges, with L = 64 pages (one word). */
    @ParameterizedTest
    @CsvSource({"4096, 2097152", "1024, 128", "65536, 64"})
    void qemuBitmapSetCases(long pageSize, long chunkPages) {
        try (DirtyMemory d = new DirtyMemory(rcu, pageSize, chunkPages)) {
            long L = 64, P = pageSize;
            d.grow(8 * L * P);
            DirtyClient c = DirtyClient.VGA;
            for (long off = 0; off <= L; off++) {
                d.testAndClear(0, 8 * L * P, c);
                d.setDirtyRange((L + off) * P, 1, c.mask());
                DirtySnapshot s = d.snapshotAndClear(0, 3 * L * P, c);
                assertEquals((L + off) * P, s.nextDirty(0), "first dirty page, offset " + off);
                assertEquals(-1, s.nextDirty((L + off + 1) * P), "next after it");
                assertEquals(1, s.dirtyPages());
            }
            d.setDirtyRange(L * P, 2 * L * P, c.mask());
            assertFalse(d.isDirty(0, L * P, c), "nothing below L");
            assertEquals(2 * L, d.dirtyPages(0, 4 * L * P, c), "words 1 and 2 all ones");
            for (long off = 0; off <= L; off++) {
                d.testAndClear(0, 8 * L * P, c);
                d.setDirtyRange((L - off) * P, (2 * L + off) * P, c.mask());
                assertEquals(2 * L + off, d.dirtyPages(0, 8 * L * P, c));
                assertTrue(d.isDirty((L - off) * P, 1, c));
                assertFalse(off > 0 && off < L && d.isDirty((L - off - 1) * P, 1, c), "nothing just below the range");
                assertFalse(d.isDirty(3 * L * P, 1, c), "first clean page after the range is 3L");
            }
        }
    }

    /** Random operations against a BitSet model, across word and chunk boundaries (small chunks). */
    @ParameterizedTest
    @CsvSource({"4096, 128", "1024, 64", "8192, 2097152"})
    void agreesWithABitSetModel(long pageSize, long chunkPages) {
        long pages = 5 * 128 + 37;
        try (DirtyMemory d = new DirtyMemory(rcu, pageSize, chunkPages)) {
            d.grow(pages * pageSize);
            BitSet[] model = {new BitSet(), new BitSet(), new BitSet()};
            Random rnd = new Random(1234);
            for (int op = 0; op < 4000; op++) {
                long first = rnd.nextInt((int) pages), n = 1 + rnd.nextInt((int) Math.min(300, pages - first));
                long addr = first * pageSize + rnd.nextInt((int) pageSize), len = (n - 1) * pageSize + 1;
                long lastPage = (addr + len - 1) / pageSize;
                int mask = 1 + rnd.nextInt(7);
                DirtyClient c = DirtyClient.values()[rnd.nextInt(3)];
                BitSet m = model[c.ordinal()];
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> {
                        d.setDirtyRange(addr, len, mask);
                        for (int k = 0; k < 3; k++) {
                            if ((mask & 1 << k) != 0) {
                                model[k].set((int) first, (int) lastPage + 1);
                            }
                        }
                    }
                    case 2 -> {
                        boolean expect = m.get((int) first, (int) lastPage + 1).cardinality() > 0;
                        assertEquals(expect, d.testAndClear(addr, len, c), "testAndClear op " + op);
                        m.clear((int) first, (int) lastPage + 1);
                    }
                    case 3 -> {
                        DirtySnapshot s = d.snapshotAndClear(addr, len, c);
                        BitSet want = m.get((int) first, (int) lastPage + 1);
                        assertEquals(want.cardinality(), s.dirtyPages(), "snapshot count op " + op);
                        for (long p = first; p <= lastPage; p++) {
                            assertEquals(m.get((int) p), s.isDirty(p * pageSize), "snapshot page " + p + " op " + op);
                        }
                        long next = s.nextDirty(first * pageSize);
                        int wantNext = m.nextSetBit((int) first);
                        assertEquals(wantNext < 0 || wantNext > lastPage ? -1 : wantNext * pageSize, next, "nextDirty op " + op);
                        m.clear((int) first, (int) lastPage + 1);
                    }
                    default -> {
                        assertEquals(m.get((int) first, (int) lastPage + 1).cardinality(), d.dirtyPages(addr, len, c), "count op " + op);
                        assertEquals(m.get((int) first, (int) lastPage + 1).cardinality() > 0, d.isDirty(addr, len, c));
                    }
                }
            }
            for (DirtyClient c : DirtyClient.values()) {
                assertEquals(model[c.ordinal()].cardinality(), d.dirtyPages(c));
            }
        }
    }

    @Test
    void takeIntoOrsIntoAMigrationBitmapAndCountsTakenPages() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 128)) {
            d.grow(1 << 20);
            d.setDirtyRange(4096 * 100, 4096 * 60, DirtyClient.MIGRATION.mask());   // pages 100..159 (crosses the chunk at 128)
            long[] bmap = new long[4];
            bmap[0] = 1;                                                                // page 64 already set in the block bitmap
            long taken = d.takeInto(4096 * 64, 4096 * 128, DirtyClient.MIGRATION, bmap);
            assertEquals(60, taken);
            BitSet got = BitSet.valueOf(bmap);
            assertTrue(got.get(0));
            assertEquals(61, got.cardinality());
            assertTrue(got.get(36) && got.get(95) && !got.get(96));
            assertEquals(0, d.dirtyPages(DirtyClient.MIGRATION), "taken bits are cleared");
        }
    }

    @Test
    void noDirtyBitIsLostBetweenConcurrentSettersAndATaker() throws Exception {
        long pages = 4 * 128;
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 128)) {
            d.grow(pages * 4096);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<BitSet> setBy = new ArrayList<>();
            List<Thread> setters = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                BitSet mine = new BitSet();
                setBy.add(mine);
                int seed = t;
                setters.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 200_000; i++) {
                        int first = rnd.nextInt((int) pages), n = 1 + rnd.nextInt(Math.min(70, (int) pages - first));
                        d.setDirtyRange(first * 4096L, n * 4096L, DirtyClient.MIGRATION.mask());
                        mine.set(first, first + n);
                    }
                }));
            }
            BitSet seen = new BitSet();
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) {
                        seen.or(BitSet.valueOf(d.snapshotAndClear(0, pages * 4096, DirtyClient.MIGRATION).words()));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            for (Thread s : setters) {
                s.join();
            }
            done.set(true);
            taker.join();
            assertEquals(null, failure.get());
            seen.or(BitSet.valueOf(d.snapshotAndClear(0, pages * 4096, DirtyClient.MIGRATION).words()));
            BitSet all = new BitSet();
            setBy.forEach(all::or);
            assertEquals(all, seen, "every page set by a setter was seen by exactly the snapshots");
        }
    }

    @Test
    void growsUnderConcurrentSettersAndNeverShrinks() throws Exception {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 64)) {
            d.grow(64 * 4096);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread setter = Thread.ofPlatform().start(() -> {
                Random rnd = new Random(5);
                try {
                    while (!done.get()) {
                        long covered = d.coveredBytes();
                        d.setDirtyRange(rnd.nextLong(covered / 4096) * 4096, 4096, DirtyClient.ALL);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            for (int i = 2; i <= 200; i++) {
                d.grow(i * 64 * 4096L);
            }
            done.set(true);
            setter.join();
            assertEquals(null, failure.get());
            d.grow(4096);
            assertEquals(200 * 64 * 4096L, d.coveredBytes(), "never shrinks");
            assertTrue(d.dirtyPages(DirtyClient.VGA) > 0);
        }
    }

    @Test
    void badInputNamesTheValue() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096)) {
            d.grow(1 << 20);
            expect("unknown bits", () -> d.setDirtyRange(0, 4096, 0x8));
            expect("negative", () -> d.setDirtyRange(-4096, 4096, 1));
            expect("negative", () -> d.isDirty(0, -1, DirtyClient.VGA));
            expect("past the tracked RAM", () -> d.setDirtyRange((1 << 21) * 4096L, 4096, 1));
            expect("overflows", () -> d.dirtyPages(Long.MAX_VALUE - 10, 100, DirtyClient.VGA));
            expect("power of two", () -> new DirtyMemory(rcu, 3000));
            expect("power of two", () -> new DirtyMemory(rcu, 512));
            d.setDirtyRange(0, 0, 1);
            assertEquals(0, d.dirtyPages(DirtyClient.VGA), "an empty range marks nothing");
        }
    }

    static void expect(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
