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
     * few kilobytes instead of a 2 MiB array per snapshot.
     */
    static final class Sparse extends TakenWords {
        long[] index = new long[16];
        long[] bits = new long[16];
        int size;

        @Override
        void chunk(long base, long first) {
            origin = base;                                     // absolute page of the chunk's bit 0
        }

        @Override
        void taken(long word, long w) {
            if (size == index.length) {
                index = Arrays.copyOf(index, size * 2);
                bits = Arrays.copyOf(bits, size * 2);
            }
            index[size] = (origin >>> 6) + word;
            bits[size++] = w;
        }
    }
}
