package org.guestmem.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DirtyMemory beyond the bitmap contract: clients, chunk boundaries, growth, the native tables, snapshots, bad input. */
class DirtyMemoryTest {
    static final long KiB = 1024;
    Rcu rcu;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
    }

    @AfterEach
    void tearDown() {
        rcu.close();
    }

    @Test
    void clientMasksMarkExactlyTheirClients() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096)) {
            d.grow(1 << 20);
            int[] masks = {DirtyClient.ALL, DirtyClient.NOCODE, 1, 2, 4, 3, 6, 0};
            for (int i = 0; i < masks.length; i++) {
                d.setDirtyRange(i * 8192L, 8192, masks[i]);
            }
            for (DirtyClient c : DirtyClient.values()) {
                for (int i = 0; i < masks.length; i++) {
                    assertEquals((masks[i] & c.mask()) != 0, d.isDirty(i * 8192L, 8192, c), c + " after mask 0x" + Integer.toHexString(masks[i]));
                }
            }
            assertEquals(0x7, DirtyClient.ALL);
            assertEquals(DirtyClient.VGA.mask() | DirtyClient.MIGRATION.mask(), DirtyClient.NOCODE);
            assertEquals(List.of(1, 2, 4), List.of(DirtyClient.VGA.mask(), DirtyClient.CODE.mask(), DirtyClient.MIGRATION.mask()));
        }
    }

    /** A range over three small chunks, and one across QEMU's real chunk boundary (2^21 pages) with 1 KiB pages. */
    @ParameterizedTest
    @ValueSource(longs = {64, 128, DirtyBitmapDescriptor.CHUNK_PAGES})
    void rangesCrossChunkBoundaries(long chunkPages) {
        long page = 1024;
        try (DirtyMemory d = new DirtyMemory(rcu, page, chunkPages)) {
            d.grow(4 * chunkPages * page);
            long edge = Math.min(70, chunkPages / 2 + 5);
            long first = chunkPages - edge, last = 2 * chunkPages + edge;    // pages, inclusive: three chunks
            d.setDirtyRange(first * page + 100, (last - first) * page, DirtyClient.MIGRATION.mask());
            assertEquals(last - first + 1, d.dirtyPages(DirtyClient.MIGRATION));
            assertFalse(d.isDirty((first - 1) * page, page, DirtyClient.MIGRATION), "page before the range");
            assertFalse(d.isDirty((last + 1) * page, page, DirtyClient.MIGRATION), "page after the range");
            assertTrue(d.isDirty(chunkPages * page - 1, 2, DirtyClient.MIGRATION), "both sides of the boundary");
            assertTrue(d.testAndClear(chunkPages * page - page, 2 * page, DirtyClient.MIGRATION));
            assertEquals(last - first - 1, d.dirtyPages(DirtyClient.MIGRATION), "exactly the two boundary pages cleared");
            DirtySnapshot s = d.snapshotAndClear(0, 4 * chunkPages * page, DirtyClient.MIGRATION);
            assertEquals(last - first - 1, s.dirtyPages());
            assertEquals(first * page, s.nextDirty(0));
            assertEquals((chunkPages + 1) * page, s.nextDirty((chunkPages - 1) * page));
            assertEquals(-1, s.nextDirty((last + 1) * page));
            assertEquals(0, d.dirtyPages(DirtyClient.MIGRATION));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1024, 4096, 65536})
    void pageSizeIsAParameter(long page) {
        try (DirtyMemory d = new DirtyMemory(rcu, page, 64)) {
            assertEquals(page, d.pageSize());
            d.grow(100 * page);
            assertEquals(128 * page, d.coveredBytes(), "rounded up to whole chunks");
            d.setDirtyRange(5 * page + page - 1, 1, DirtyClient.ALL);          // the last byte of page 5
            d.setDirtyRange(9 * page + page - 1, 2, DirtyClient.ALL);          // the last byte of page 9, first of 10
            DirtySnapshot s = d.snapshotAndClear(0, 100 * page, DirtyClient.VGA);
            assertEquals(page, s.pageSize());
            List<Long> dirty = new ArrayList<>();
            for (long a = s.nextDirty(s.start()); a >= 0; a = s.nextDirty(a + s.pageSize())) {
                dirty.add(a / page);
            }
            assertEquals(List.of(5L, 9L, 10L), dirty);
            assertTrue(s.isDirty(5 * page + 17) && !s.isDirty(6 * page) && !s.isDirty(-1) && !s.isDirty(100 * page));
            assertEquals(3, d.dirtyPages(DirtyClient.CODE), "other clients keep their bits");
        }
    }

    @Test
    void snapshotStartsAtThePageOfItsAddress() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 64)) {
            d.grow(1 << 20);
            d.setDirtyRange(0, 1 << 20, DirtyClient.VGA.mask());
            DirtySnapshot s = d.snapshotAndClear(3 * 4096 + 5, 4096, DirtyClient.VGA);   // touches pages 3 and 4
            assertEquals(3 * 4096, s.start());
            assertEquals(2, s.pages());
            assertEquals(2, s.dirtyPages());
            assertEquals(3L, s.words()[0]);
            assertEquals(3 * 4096, s.nextDirty(1));
            assertEquals(4 * 4096, s.nextDirty(3 * 4096 + 1), "a page that starts after the address");
            assertEquals(-1, s.nextDirty(5 * 4096));
            assertEquals(256 - 2, d.dirtyPages(DirtyClient.VGA));
            DirtySnapshot empty = d.snapshotAndClear(8192, 0, DirtyClient.VGA);
            assertEquals(0, empty.pages());
            assertEquals(-1, empty.nextDirty(0));
            assertEquals(256 - 2, d.dirtyPages(DirtyClient.VGA), "an empty snapshot takes nothing");
            DirtySnapshot clean = d.snapshotAndClear(3 * 4096, 2 * 4096, DirtyClient.VGA);   // taken above
            assertEquals(2, clean.pages());
            assertEquals(0, clean.dirtyPages());
            assertEquals(1, clean.words().length);
            assertEquals(0L, clean.words()[0]);
            assertEquals(-1, clean.nextDirty(0));
            assertFalse(clean.isDirty(3 * 4096));
        }
    }

    @Test
    void takeIntoOrsIntoAMigrationBitmapAndCountsTakenPages() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 128)) {
            d.grow(1 << 20);
            d.setDirtyRange(4096 * 100, 4096 * 60, DirtyClient.MIGRATION.mask());   // pages 100..159 (crosses the chunk at 128)
            long[] bmap = new long[4];
            bmap[0] = 1;                                                                // page 64 already set in the block bitmap
            assertEquals(60, d.takeInto(4096 * 64, 4096 * 128, DirtyClient.MIGRATION, bmap));
            BitSet got = BitSet.valueOf(bmap);
            assertEquals(61, got.cardinality());
            assertTrue(got.get(0) && got.get(36) && got.get(95) && !got.get(96));
            assertEquals(0, d.dirtyPages(DirtyClient.MIGRATION), "taken bits are cleared");
        }
    }

    @Test
    void growthCarriesChunksOverAndNeverShrinks() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 64)) {
            d.grow(1);
            assertEquals(64 * 4096, d.coveredBytes());
            d.setDirtyRange(0, 64 * 4096, DirtyClient.ALL);
            List<Long> before = addresses(d.chunks(DirtyClient.VGA));
            d.grow(10 * 64 * 4096 + 1);
            assertEquals(11 * 64 * 4096, d.coveredBytes());
            assertEquals(before, addresses(d.chunks(DirtyClient.VGA)).subList(0, 1), "chunks never move");
            assertEquals(64, d.dirtyPages(DirtyClient.VGA), "bits survive growth");
            assertEquals(0, d.dirtyPages(64 * 4096, 10 * 64 * 4096, DirtyClient.VGA), "new chunks are clean");
            d.grow(4096);
            d.grow(0);
            assertEquals(11 * 64 * 4096, d.coveredBytes(), "never shrinks");
        }
    }

    /** Follows the native root and tables the way C code does, and sets bits through them. */
    @Test
    void nativeTablesLeadToTheSameChunks() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096, 64)) {
            long oldTable = rootEntry(d, DirtyClient.CODE);
            d.grow(3 * 64 * 4096);
            assertNotEquals(oldTable, rootEntry(d, DirtyClient.CODE), "growth republishes the table");
            for (DirtyClient c : DirtyClient.values()) {
                MemorySegment table = MemorySegment.ofAddress(rootEntry(d, c)).reinterpret(DirtyBitmapDescriptor.tableBytes(3));
                assertEquals(3, table.get(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.TABLE_CHUNK_COUNT_OFFSET));
                assertEquals(64, table.get(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.TABLE_CHUNK_PAGES_OFFSET));
                assertEquals(12, table.get(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.TABLE_PAGE_SHIFT_OFFSET));
                List<Long> fromTable = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    fromTable.add(table.get(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.tableChunkOffset(i)));
                }
                assertEquals(addresses(d.chunks(c)), fromTable, c + ": table entries are the chunks' addresses");
            }
            // A "C writer": page 130 of MIGRATION is bit 2 of chunk 2; set it with an atomic OR through the table.
            try (ReadSection s = rcu.read()) {
                MemorySegment table = MemorySegment.ofAddress(rootEntry(d, DirtyClient.MIGRATION)).reinterpret(DirtyBitmapDescriptor.tableBytes(3));
                long chunk = table.get(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.tableChunkOffset(2));
                MemorySegment words = MemorySegment.ofAddress(chunk).reinterpret(DirtyBitmapDescriptor.chunkBytes(64));
                long unused = (long) DirtyBitmapDescriptor.WORD.getAndBitwiseOr(words, 0L, 1L << 2);
            }
            assertTrue(d.isDirty(130 * 4096, 1, DirtyClient.MIGRATION));
            assertEquals(1, d.dirtyPages(DirtyClient.MIGRATION));
            assertThrows(IllegalArgumentException.class, () -> d.nativeRoot().set(ValueLayout.JAVA_LONG, 0, 0L), "root is read-only");
        }
    }

    private static long rootEntry(DirtyMemory d, DirtyClient c) {
        return (long) DirtyBitmapDescriptor.WORD.getAcquire(d.nativeRoot(), DirtyBitmapDescriptor.rootOffset(c));
    }

    private static List<Long> addresses(List<DirtyBitmap> chunks) {
        return chunks.stream().map(b -> b.segment().address()).toList();
    }

    @Test
    void closedDirtyMemoryRefusesEverything() {
        DirtyMemory d = new DirtyMemory(rcu, 4096, 64);
        d.grow(64 * 4096);
        DirtyBitmap chunk = d.chunks(DirtyClient.VGA).get(0);
        d.close();
        d.close();                                                     // idempotent
        for (Executable call : List.<Executable>of(() -> d.setDirtyRange(0, 4096, 1), () -> d.isDirty(0, 1, DirtyClient.VGA),
                () -> d.snapshotAndClear(0, 4096, DirtyClient.VGA), () -> d.dirtyPages(DirtyClient.VGA), () -> d.grow(1 << 20),
                () -> d.chunks(DirtyClient.VGA))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> chunk.get(0), "a stale chunk throws, it does not crash");
    }

    @Test
    void badInputNamesTheValue() {
        try (DirtyMemory d = new DirtyMemory(rcu, 4096)) {
            d.grow(1 << 20);
            expect("0x8", () -> d.setDirtyRange(0, 4096, 0x8));
            expect("0xffffffff", () -> d.setDirtyRange(0, 4096, -1));
            expect("-4096", () -> d.setDirtyRange(-4096, 4096, 1));
            expect("length -1", () -> d.isDirty(0, -1, DirtyClient.VGA));
            expect("0x200000000", () -> d.setDirtyRange((1L << 21) * 4096, 4096, 1));
            expect("past the tracked RAM", () -> d.testAndClear(0x2_0000_5000L, 1, DirtyClient.CODE));
            expect("overflows", () -> d.dirtyPages(Long.MAX_VALUE - 10, 100, DirtyClient.VGA));
            expect("-5", () -> d.grow(-5));
            expect("more than " + DirtyMemory.MAX_CHUNKS, () -> d.grow(Long.MAX_VALUE));
            expect("cannot hold", () -> d.takeInto(0, 65 * 4096, DirtyClient.VGA, new long[1]));
            expect("3000", () -> new DirtyMemory(rcu, 3000));
            expect("512", () -> new DirtyMemory(rcu, 512));
            expect("96", () -> new DirtyMemory(rcu, 4096, 96));
            expect("32", () -> new DirtyMemory(rcu, 4096, 32));
            assertThrows(NullPointerException.class, () -> d.isDirty(0, 1, null));
            d.setDirtyRange(0, 0, 1);
            d.setDirtyRange(1L << 40, 0, 1);
            assertEquals(0, d.dirtyPages(DirtyClient.VGA), "an empty range marks nothing");
            assertFalse(d.isDirty(0, 0, DirtyClient.VGA));
        }
        try (Arena arena = Arena.ofConfined()) {
            DirtyBitmap b = DirtyBitmap.allocate(arena, 100);
            expect("[-1, 3)", () -> b.set(-1, 3));
            expect("[5, 4)", () -> b.count(5, 4));
            expect("[99, 101)", () -> b.clear(99, 101));
            expect("[100, 101)", () -> b.get(100));
            expect("[" + Long.MAX_VALUE, () -> b.set(Long.MAX_VALUE));
            expect("cannot hold", () -> b.takeInto(0, 100, new long[1], 0));
            expect("size 0", () -> DirtyBitmap.allocate(arena, 0));
            expect("too small", () -> DirtyBitmap.wrap(arena.allocate(8, 8), 65));
            expect("aligned", () -> DirtyBitmap.wrap(arena.allocate(32, 8).asSlice(4), 64));
            expect("native", () -> DirtyBitmap.wrap(MemorySegment.ofArray(new long[2]), 64));
            assertEquals(100, b.nextSetBit(0, 100), "find on an empty bitmap returns the end, as QEMU");
        }
    }

    static void expect(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }

    /**
     * Snapshots of unaligned ranges that cross chunk boundaries, against a BitSet model: dirtyPages, isDirty of
     * every page (and just outside), the nextDirty walk and words() all agree, and exactly the range is cleared.
     */
    @Test
    void snapshotsOfUnalignedRangesMatchAModel() {
        long page = 4 * KiB, chunkPages = 256, pages = 4 * chunkPages;
        java.util.Random random = new java.util.Random(7);
        try (DirtyMemory d = new DirtyMemory(rcu, page, chunkPages)) {
            d.grow(pages * page);
            for (int round = 0; round < 200; round++) {
                BitSet model = new BitSet();
                d.snapshotAndClear(0, pages * page, DirtyClient.MIGRATION);       // start clean
                int marks = random.nextInt(40);
                for (int k = 0; k < marks; k++) {
                    long p = random.nextLong(pages), n = 1 + random.nextLong(Math.min(200, pages - p));
                    d.setDirtyRange(p * page, n * page, DirtyClient.MIGRATION.mask());
                    model.set((int) p, (int) (p + n));
                }
                long from = random.nextLong(pages), count = 1 + random.nextLong(pages - from);
                DirtySnapshot s = d.snapshotAndClear(from * page, count * page, DirtyClient.MIGRATION);
                BitSet in = model.get((int) from, (int) (from + count));
                assertEquals(in.cardinality(), s.dirtyPages(), s.toString());
                assertEquals(in, BitSet.valueOf(s.words()), "words() of " + s);
                for (long p = Math.max(0, from - 65); p < Math.min(pages, from + count + 65); p++) {
                    boolean inside = p >= from && p < from + count;
                    assertEquals(inside && model.get((int) p), s.isDirty(p * page), "page " + p + " of " + s);
                }
                BitSet walked = new BitSet();
                for (long a = s.nextDirty(0); a >= 0; a = s.nextDirty(a + page)) {
                    walked.set((int) (a / page - from));
                }
                assertEquals(in, walked, "nextDirty walk of " + s);
                model.clear((int) from, (int) (from + count));
                assertEquals(model.cardinality(), d.dirtyPages(DirtyClient.MIGRATION), "outside the range stays dirty");
            }
        }
    }

    /** The overload that trusts the caller's section marks like the plain one, and refuses anything else. */
    @Test
    void setDirtyRangeInTheCallersSectionChecksTheSection() throws Exception {
        long page = 4 * KiB;
        try (DirtyMemory d = new DirtyMemory(rcu, page, 256); Rcu other = Rcu.create(Rcu.Flavor.FENCE)) {
            d.grow(1024 * page);
            int mask = DirtyClient.MIGRATION.mask();
            try (ReadSection s = rcu.read()) {
                d.setDirtyRange(s, 3 * page, 70 * page, mask);
                d.setDirtyRange(s, 500 * page, 1, mask);
                d.setDirtyRange(s, 600 * page, 0, mask);                 // empty: nothing
            }
            BitSet expected = new BitSet();
            expected.set(3, 73);
            expected.set(500);
            assertEquals(expected, BitSet.valueOf(d.snapshotAndClear(0, 1024 * page, DirtyClient.MIGRATION).words()));

            ReadSection closed = rcu.read();
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.setDirtyRange(closed, 0, page, mask));
            assertTrue(e.getMessage().contains("needs a read section"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> d.setDirtyRange(null, 0, page, mask));
            try (ReadSection foreign = other.read()) {
                assertThrows(IllegalStateException.class, () -> d.setDirtyRange(foreign, 0, page, mask));
            }
            try (ReadSection s = rcu.read()) {
                java.util.concurrent.atomic.AtomicReference<Throwable> fromOther = new java.util.concurrent.atomic.AtomicReference<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        d.setDirtyRange(s, 0, page, mask);
                    } catch (Throwable x) {
                        fromOther.set(x);
                    }
                });
                t.join();
                assertTrue(fromOther.get() instanceof IllegalStateException, "another thread's section: " + fromOther.get());
                assertThrows(IllegalArgumentException.class, () -> d.setDirtyRange(s, 0, page, 1 << 7));
                assertThrows(IllegalArgumentException.class, () -> d.setDirtyRange(s, -page, page, mask));
                assertThrows(IllegalArgumentException.class, () -> d.setDirtyRange(s, 1024 * page, page, mask));
            }
            assertEquals(0, d.dirtyPages(DirtyClient.MIGRATION), "refused calls marked nothing");
        }
    }
}
