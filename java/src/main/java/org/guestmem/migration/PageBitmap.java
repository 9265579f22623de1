package org.guestmem.migration;

/** Plain bit operations on a {@code long[]} page bitmap (bit i = page i), for one thread under a lock. */
final class PageBitmap {
    private PageBitmap() {}

    /** Sets bits {@code [from, to)}. */
    static void setRange(long[] bmap, long from, long to) {
        for (long p = from; p < to; ) {
            int w = (int) (p >>> 6);
            if ((p & 63) == 0 && to - p >= 64) {
                bmap[w] = -1L;
                p += 64;
            } else {
                bmap[w] |= 1L << p;
                p++;
            }
        }
    }

    /** The first set bit in {@code [from, limit)}, or {@code limit} if there is none (QEMU's find_next_bit). */
    static long nextSetBit(long[] bmap, long from, long limit) {
        if (from >= limit) {
            return limit;
        }
        int w = (int) (from >>> 6);
        long word = bmap[w] & (-1L << from);
        int last = (int) ((limit - 1) >>> 6);
        while (true) {
            if (word != 0) {
                long p = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return Math.min(p, limit);
            }
            if (++w > last) {
                return limit;
            }
            word = bmap[w];
        }
    }

    /** Clears bit {@code p}; true if it was set. */
    static boolean testAndClear(long[] bmap, long p) {
        int w = (int) (p >>> 6);
        long m = 1L << p;
        boolean was = (bmap[w] & m) != 0;
        bmap[w] &= ~m;
        return was;
    }

    /** Set bits among the first {@code pages}. */
    static long count(long[] bmap, long pages) {
        long n = 0;
        int full = (int) (pages >>> 6);
        for (int i = 0; i < full; i++) {
            n += Long.bitCount(bmap[i]);
        }
        if ((pages & 63) != 0) {
            n += Long.bitCount(bmap[full] & ((1L << pages) - 1));
        }
        return n;
    }
}
