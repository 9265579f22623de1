package org.guestmem.dirty;

import static org.guestmem.dirty.DirtyBitmapDescriptor.WORD;

import java.lang.foreign.MemorySegment;

/**
 * One chunk of a dirty bitmap: {@code bits} bits in off-heap 64-bit words (layout:
 * {@link DirtyBitmapDescriptor}). Every operation is atomic per word, so setters (vCPUs, devices, C
 * code) and consumers (display, migration) may run at once without losing a bit.
 */
public final class DirtyBitmap {
    private final MemorySegment words;
    private final long bits;

    DirtyBitmap(MemorySegment words, long bits) {
        this.words = words;
        this.bits = bits;
    }

    /** The words, for C code that sets bits with {@code __atomic_fetch_or}. */
    public MemorySegment segment() {
        return words;
    }

    public long bits() {
        return bits;
    }

    long word(long index) {
        return (long) WORD.getOpaque(words, index << 3);
    }

    /** Sets bits [from, to) of this chunk; whole words are stored, partial words OR-ed. */
    void set(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << (from & 63), lastMask = -1L >>> (63 - ((to - 1) & 63));
        if (w == last) {
            or(w, firstMask & lastMask);
            return;
        }
        or(w, firstMask);
        for (long i = w + 1; i < last; i++) {
            // A full word: storing all-ones equals OR-ing them, whatever a concurrent take does.
            if ((long) WORD.getOpaque(words, i << 3) != -1L) {
                WORD.setOpaque(words, i << 3, -1L);
            }
        }
        or(last, lastMask);
    }

    /** Sets one bit; a load first avoids the atomic (and the cache-line bounce) when it is already set. */
    void set(long bit) {
        or(bit >>> 6, 1L << (bit & 63));
    }

    private void or(long w, long mask) {
        long off = w << 3;
        if (((long) WORD.getOpaque(words, off) & mask) != mask) {
            WORD.getAndBitwiseOr(words, off, mask);
        }
    }

    /** True if any bit in [from, to) is set. */
    boolean any(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        for (long i = w; i <= last; i++) {
            long m = mask(i, w, last, from, to);
            if ((word(i) & m) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Number of bits set in [from, to). */
    long count(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6, n = 0;
        for (long i = w; i <= last; i++) {
            n += Long.bitCount(word(i) & mask(i, w, last, from, to));
        }
        return n;
    }

    /**
     * Clears bits [from, to) and ORs what was set into {@code dest}, bit {@code from} landing on bit
     * {@code destBit} of dest (dest may be null). Clean words cost one load. Returns the bits taken.
     */
    long take(long from, long to, long[] dest, long destBit) {
        long w = from >>> 6, last = (to - 1) >>> 6, n = 0;
        for (long i = w; i <= last; i++) {
            long off = i << 3;
            if ((long) WORD.getOpaque(words, off) == 0) {
                continue;
            }
            long m = mask(i, w, last, from, to);
            long taken = m == -1L ? (long) WORD.getAndSet(words, off, 0L) : (long) WORD.getAndBitwiseAnd(words, off, ~m) & m;
            if (taken == 0) {
                continue;
            }
            n += Long.bitCount(taken);
            if (dest != null) {
                long q = (i << 6) + destBit - from;          // where bit 0 of this word lands in dest
                if (q < 0) {
                    dest[0] |= taken >>> -q;                  // first word: its low bits are below from
                } else {
                    int d = (int) (q >>> 6), sh = (int) (q & 63);
                    dest[d] |= taken << sh;
                    if (sh != 0 && d + 1 < dest.length) {
                        dest[d + 1] |= taken >>> (64 - sh);
                    }
                }
            }
        }
        return n;
    }

    /** Index of the first set bit in [from, to), or -1. */
    long next(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        for (long i = w; i <= last; i++) {
            long v = word(i) & mask(i, w, last, from, to);
            if (v != 0) {
                return (i << 6) + Long.numberOfTrailingZeros(v);
            }
        }
        return -1;
    }

    private static long mask(long i, long first, long last, long from, long to) {
        long m = -1L;
        if (i == first) {
            m &= -1L << (from & 63);
        }
        if (i == last) {
            m &= -1L >>> (63 - ((to - 1) & 63));
        }
        return m;
    }
}
