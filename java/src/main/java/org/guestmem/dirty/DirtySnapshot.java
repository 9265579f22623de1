package org.guestmem.dirty;

import java.util.Arrays;

/**
 * The dirty pages of one client over a range, taken (and cleared) by {@link DirtyMemory#snapshotAndClear}.
 * Immutable, on-heap and sparse: only the 64-page words that held a dirty page are kept, so a lightly dirty
 * snapshot of a large guest costs little. {@link #words()} gives the dense form, bit i standing for the page at
 * {@code start() + i * pageSize()}.
 */
public final class DirtySnapshot {
    private final long start;
    private final long pages;
    private final int pageShift;
    /** Absolute page index of the first page covered. */
    private final long firstPage;
    /** Absolute word indices (absolute page >>> 6) of the words with a dirty page, ascending. */
    private final long[] index;
    /** The dirty pages of word index[k] (bit b = absolute page index[k] * 64 + b); only pages in the range. */
    private final long[] bits;
    private final int size;
    private final long count;

    DirtySnapshot(long start, long pages, int pageShift, TakenWords.Sparse taken, long count) {
        this.start = start;
        this.pages = pages;
        this.pageShift = pageShift;
        this.firstPage = start >>> pageShift;
        this.index = taken.index;
        this.bits = taken.bits;
        this.size = taken.size;
        this.count = count;
    }

    /** RAM address of the first page covered (page aligned). */
    public long start() {
        return start;
    }

    /** Pages covered. */
    public long pages() {
        return pages;
    }

    public long pageSize() {
        return 1L << pageShift;
    }

    /** Pages that were dirty. */
    public long dirtyPages() {
        return count;
    }

    /** Whether the page holding {@code ramAddr} was dirty; false outside the range. */
    public boolean isDirty(long ramAddr) {
        if (ramAddr < start) {
            return false;
        }
        long p = (ramAddr - start) >>> pageShift;
        if (p >= pages) {
            return false;
        }
        long page = firstPage + p;
        int k = Arrays.binarySearch(index, 0, size, page >>> 6);
        return k >= 0 && (bits[k] & 1L << page) != 0;
    }

    /**
     * RAM address of the first dirty page that starts at or after {@code fromAddr}, or -1 if none. Iterate with
     * {@code for (long a = s.nextDirty(s.start()); a >= 0; a = s.nextDirty(a + s.pageSize()))}.
     */
    public long nextDirty(long fromAddr) {
        long p = fromAddr <= start ? 0 : ((fromAddr - start - 1) >>> pageShift) + 1;   // round up to a page start
        if (p >= pages || size == 0) {
            return -1;
        }
        long page = firstPage + p;
        int k = Arrays.binarySearch(index, 0, size, page >>> 6);
        long v;
        if (k >= 0) {
            v = bits[k] & -1L << page;
        } else {
            k = -k - 1;
            if (k >= size) {
                return -1;
            }
            v = bits[k];
        }
        while (v == 0) {
            if (++k >= size) {
                return -1;
            }
            v = bits[k];
        }
        long found = (index[k] << 6) + Long.numberOfTrailingZeros(v) - firstPage;
        return found < pages ? start + (found << pageShift) : -1;
    }

    /** The raw words (bit i = page i of the range); a new array. */
    public long[] words() {
        long[] w = new long[(int) ((pages + 63) >>> 6)];
        TakenWords.Dense out = new TakenWords.Dense(w);
        out.origin = -firstPage;                               // range bit of absolute page 0
        for (int k = 0; k < size; k++) {
            out.taken(index[k], bits[k]);
        }
        return w;
    }

    @Override
    public String toString() {
        return String.format("DirtySnapshot[0x%x, %d pages of %d bytes, %d dirty]", start, pages, 1L << pageShift, count);
    }
}
