package org.guestmem.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.BitSet;
import java.util.Random;
import java.util.stream.Stream;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bitmap contract, run against every implementation of "a bitmap of pages": {@link DirtyBitmap} itself,
 * and {@link DirtyMemory} (bit = page) with 1 KiB, 4 KiB and 64 KiB pages, QEMU's chunk size and chunks so
 * small that every word boundary is a chunk boundary. Holds QEMU's tests/unit/test-bitmap.c cases
 * ({@code bitmap_set}, and {@code bitmap_copy_with_src_offset} as a take with an offset).
 */
class BitmapContractTest {
    static final long SIZE = 1024;          // QEMU's BMAP_SIZE
    static final long L = 64;               // BITS_PER_LONG
    static Rcu rcu;

    @BeforeAll
    static void domain() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
    }

    @AfterAll
    static void closeDomain() {
        rcu.close();
    }

    static Stream<Bitmaps> implementations() {
        return Stream.of(Bitmaps.bitmap(), Bitmaps.pages(4096, DirtyBitmapDescriptor.CHUNK_PAGES, DirtyClient.MIGRATION),
                Bitmaps.pages(1024, 64, DirtyClient.VGA), Bitmaps.pages(65536, 128, DirtyClient.CODE));
    }

    /** QEMU's /bitmap/bitmap_set (bitmap_set_case), with find_* returning the search end when nothing is found. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void qemuBitmapSetCases(Bitmaps b) {
        try (b) {
            for (long off = 0; off <= L; off++) {
                b.clearAll();
                b.set(L + off, L + off + 1);
                assertEquals(L + off, b.firstSet(0, 2 * L), "first set bit, offset " + off);
                assertEquals(L + off + 1, b.nextZero(L + off, 3 * L), "next zero bit, offset " + off);
            }
            b.set(L, 3 * L);                                  // without clearing
            assertWordsOneAndTwoAllOnes(b);
            assertEquals(L, b.firstSet(0, L), "nothing below L");
            assertEquals(3 * L, b.nextZero(L, 3 * L), "no zero in [L, 3L)");
            for (long off = 0; off <= L; off++) {
                b.clearAll();
                b.set(L - off, 3 * L);
                assertWordsOneAndTwoAllOnes(b);
                assertEquals(L - off, b.firstSet(0, 3 * L), "first set bit, offset " + off);
                assertEquals(3 * L, b.nextZero(L - off, 3 * L), "next zero bit, offset " + off);
            }
            for (long off = 0; off <= L; off++) {
                b.clearAll();
                b.set(L, 3 * L + off);
                assertWordsOneAndTwoAllOnes(b);
                assertEquals(L, b.firstSet(0, 3 * L + off), "first set bit, offset " + off);
                assertEquals(3 * L + off, b.nextZero(L, 3 * L + off), "next zero bit, offset " + off);
                assertEquals(2 * L + off, b.count(0, SIZE), "exactly the range, offset " + off);
            }
        }
    }

    private static void assertWordsOneAndTwoAllOnes(Bitmaps b) {
        assertEquals(L, b.count(L, 2 * L), "word 1 all ones");
        assertEquals(L, b.count(2 * L, 3 * L), "word 2 all ones");
    }

    /** QEMU's bitmap_copy_with_src_offset case: bits 100..244 taken from bit 40 land at 60..204. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void takeFromAnOffsetShiftsTheBits(Bitmaps b) {
        try (b) {
            b.set(100, 245);
            long[] dest = new long[(int) (SIZE / 64)];
            assertEquals(145, b.take(40, 40 + 250, dest));
            BitSet got = BitSet.valueOf(dest);
            assertEquals(60, got.nextSetBit(0), "nothing below 60");
            assertEquals(205, got.nextClearBit(60), "next zero at 205");
            assertEquals(145, got.cardinality());
            assertEquals(0, b.count(0, SIZE), "taking clears");
        }
    }

    /** Take, clear and count never touch a bit outside their range, whatever the word and chunk boundaries. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void rangesStopExactlyAtTheirEnds(Bitmaps b) {
        try (b) {
            long[][] ranges = {{0, 1}, {63, 64}, {63, 65}, {64, 128}, {1, 127}, {127, 129}, {0, SIZE}, {5, 5 + 3 * 64}, {200, 200}};
            for (long[] r : ranges) {
                b.set(0, SIZE);
                assertEquals(r[1] - r[0], b.clear(r[0], r[1]), "clear " + r[0] + ".." + r[1]);
                assertEquals(SIZE - (r[1] - r[0]), b.count(0, SIZE), "bits outside " + r[0] + ".." + r[1] + " stay set");
                assertEquals(r[0] == r[1] ? SIZE : r[0], b.nextZero(0, SIZE));
                b.clearAll();
                b.set(r[0], r[1]);
                assertEquals(r[1] - r[0], b.count(0, SIZE), "set " + r[0] + ".." + r[1]);
                assertEquals(r[0] == r[1] ? SIZE : r[0], b.firstSet(0, SIZE));
                assertEquals(r[1] - r[0], b.take(r[0], r[1], new long[(int) (SIZE / 64)]));
                assertEquals(0, b.count(0, SIZE));
            }
        }
    }

    /** Random operations against java.util.BitSet. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void agreesWithABitSetModel(Bitmaps b) {
        try (b) {
            BitSet model = new BitSet();
            Random rnd = new Random(20260213);
            for (int op = 0; op < 3000; op++) {
                int from = rnd.nextInt((int) SIZE + 1), to = from + rnd.nextInt((int) SIZE - from + 1);
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> {
                        b.set(from, to);
                        model.set(from, to);
                    }
                    case 2 -> {
                        assertEquals(model.get(from, to).cardinality(), b.clear(from, to), "clear, op " + op);
                        model.clear(from, to);
                    }
                    case 3 -> {
                        long[] dest = new long[(int) (SIZE / 64)];
                        assertEquals(model.get(from, to).cardinality(), b.take(from, to, dest), "take, op " + op);
                        assertEquals(model.get(from, to), BitSet.valueOf(dest), "taken bits, op " + op);
                        model.clear(from, to);
                    }
                    case 4 -> assertEquals(model.get(from, to).cardinality(), b.count(from, to), "count, op " + op);
                    default -> {
                        int set = model.nextSetBit(from), zero = model.nextClearBit(from);
                        assertEquals(set < 0 || set >= to ? to : set, b.firstSet(from, to), "first set, op " + op);
                        assertEquals(Math.min(zero, to), b.nextZero(from, to), "next zero, op " + op);
                    }
                }
            }
            assertEquals(model.cardinality(), b.count(0, SIZE));
        }
    }

    /** One implementation of the contract; bits are indices in [0, SIZE). */
    abstract static class Bitmaps implements AutoCloseable {
        private final String name;

        Bitmaps(String name) {
            this.name = name;
        }

        abstract void set(long from, long to);

        abstract long clear(long from, long to);

        /** Takes [from, to) into dest, bit from landing on bit 0. */
        abstract long take(long from, long to, long[] dest);

        abstract long count(long from, long to);

        abstract long firstSet(long from, long to);

        abstract long nextZero(long from, long to);

        void clearAll() {
            clear(0, SIZE);
        }

        private boolean closed;

        /** Idempotent: the test closes it, then JUnit closes its AutoCloseable arguments again. */
        @Override
        public final void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }

        abstract void release();

        @Override
        public String toString() {
            return name;
        }

        static Bitmaps bitmap() {
            return new Bitmaps("DirtyBitmap") {
                final Arena arena = Arena.ofConfined();
                final DirtyBitmap bm = DirtyBitmap.allocate(arena, SIZE);

                @Override void set(long from, long to) { bm.set(from, to); }
                @Override long clear(long from, long to) { return bm.clear(from, to); }
                @Override long take(long from, long to, long[] dest) { return bm.takeInto(from, to, dest, 0); }
                @Override long count(long from, long to) { return bm.count(from, to); }
                @Override long firstSet(long from, long to) { return bm.nextSetBit(from, to); }
                @Override long nextZero(long from, long to) { return bm.nextClearBit(from, to); }
                @Override void release() { arena.close(); }
            };
        }

        /**
         * DirtyMemory with bit = page. Byte ranges start and end inside pages (never on the boundary when they
         * can avoid it) to check that every touched page counts, and only those.
         */
        static Bitmaps pages(long pageSize, long chunkPages, DirtyClient client) {
            String label = String.format("DirtyMemory %d KiB pages, %d-page chunks, %s", pageSize >> 10, chunkPages, client);
            return new Bitmaps(label) {
                final DirtyMemory d = new DirtyMemory(rcu, pageSize, chunkPages);

                {
                    d.grow(SIZE * pageSize + 1);                // one page more: the ranges never rely on the end
                }

                long start(long from) {
                    return from * pageSize + (from % 2 == 0 ? 0 : pageSize / 2);
                }

                long length(long from, long to) {
                    return to == from ? 0 : to * pageSize - (to % 3 == 0 ? 0 : pageSize / 4) - start(from);
                }

                @Override void set(long from, long to) { d.setDirtyRange(start(from), length(from, to), client.mask()); }

                @Override
                long clear(long from, long to) {
                    long before = count(from, to);
                    assertEquals(before > 0, d.testAndClear(start(from), length(from, to), client), "testAndClear says whether any page was dirty");
                    assertEquals(0, count(from, to), "testAndClear clears the range");
                    return before;
                }

                @Override long take(long from, long to, long[] dest) { return d.takeInto(start(from), length(from, to), client, dest); }
                @Override long count(long from, long to) { return d.dirtyPages(start(from), length(from, to), client); }

                @Override
                long firstSet(long from, long to) {
                    for (long p = from; p < to; p++) {
                        if (d.isDirty(p * pageSize + pageSize - 1, 1, client)) {
                            return p;
                        }
                    }
                    return to;
                }

                @Override
                long nextZero(long from, long to) {
                    for (long p = from; p < to; p++) {
                        if (!d.isDirty(p * pageSize, pageSize, client)) {
                            return p;
                        }
                    }
                    return to;
                }

                @Override
                void release() {
                    for (DirtyClient other : DirtyClient.values()) {
                        if (other != client) {
                            assertEquals(0, d.dirtyPages(other), "client " + other + " untouched by " + client + "'s operations");
                        }
                    }
                    d.close();
                }
            };
        }
    }
}
