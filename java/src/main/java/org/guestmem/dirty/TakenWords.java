package org.guestmem.dirty;

import java.util.Arrays;

/**
 * Where a take puts the words it took: {@link DirtyBitmap#take0} hands each non-zero taken word to
 * {@link #taken}, with {@code word} its index in that bitmap. {@link #origin} places the bitmap: set by the
 * caller through {@link #chunk} before each chunk. Confined to the taking thread.
 */
abstract class TakenWords {
    /** Where bit 0 of the current bitmap lands (meaning depends on the subclass). */
    long origin;

    abstract void taken(long word, long bits);

    /** The next words come from the chunk whose bit 0 is absolute page {@code base}; the range starts at page {@code first}. */
    abstract void chunk(long base, long first);

    /** ORs the words into a caller's {@code long[]}; {@link #origin} is the destination bit of bitmap bit 0. */
    static final class Dense extends TakenWords {
        private final long[] dest;

        Dense(long[] dest) {
            this.dest = dest;
        }

        @Override
        void chunk(long base, long first) {
            origin = base - first;                             // dest bit of the chunk's bit 0
        }

        @Override
        void taken(long word, long bits) {
            long pos = origin + (word << 6);
            if (pos < 0) {                                     // only for bits below pos, which are zero
                dest[0] |= bits >>> -pos;
                return;
            }
            int d = (int) (pos >>> 6), sh = (int) (pos & 63);
            dest[d] |= bits << sh;
            if (sh != 0 && bits >>> (64 - sh) != 0) {
                dest[d + 1] |= bits >>> (64 - sh);
            }
        }
    }

    /**
     * Keeps only the non-zero words, as (absolute word index, bits) in ascending order; {@link #origin} is the
     * absolute page of bitmap bit 0 (a multiple of 64: chunks are). A lightly dirty 64 GiB guest then costs a
     * few kilobytes instead of a 2 MiB array per snapshot; a dense range grows the arrays fourfold at a time,
     * never past the range's word count, so a 1 GiB range at 10% dirty makes three allocations, not nine.
     */
    static final class Sparse extends TakenWords {
        private static final int INITIAL = 256;
        /** The range's word count: no take has more words. */
        private final int maxWords;
        long[] index;
        long[] bits;
        int size;

        /** For a range of at most {@code words} bitmap words. */
        Sparse(long words) {
            maxWords = (int) Math.max(1, Math.min(words, Integer.MAX_VALUE - 8));
            int n = Math.min(maxWords, INITIAL);
            index = new long[n];
            bits = new long[n];
        }

        @Override
        void chunk(long base, long first) {
            origin = base;                                     // absolute page of the chunk's bit 0
        }

        @Override
        void taken(long word, long w) {
            if (size == index.length) {
                int n = (int) Math.max(size + 1L, Math.min(size * 4L, maxWords));
                index = Arrays.copyOf(index, n);
                bits = Arrays.copyOf(bits, n);
            }
            index[size] = (origin >>> 6) + word;
            bits[size++] = w;
        }
    }
}
