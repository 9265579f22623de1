package org.guestmem.dirty;

/**
 * The dirty pages of one client over a range, taken (and cleared) by {@link DirtyMemory#snapshotAndClear}.
 * Immutable and thread-confined data (a plain on-heap copy); bit i stands for the page at
 * {@code start() + i * pageSize()}.
 */
public final class DirtySnapshot {
    private final long start;
    private final long pages;
    private final int pageShift;
    /** Bit i = page i; null when no page was dirty (nothing was allocated). */
    private final long[] bits;
    private final long count;

    DirtySnapshot(long start, long pages, int pageShift, long[] bits, long count) {
        this.start = start;
        this.pages = pages;
        this.pageShift = pageShift;
        this.bits = bits;
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
        return bits != null && p < pages && (bits[(int) (p >>> 6)] & 1L << p) != 0;
    }

    /**
     * RAM address of the first dirty page that starts at or after {@code fromAddr}, or -1 if none. Iterate with
     * {@code for (long a = s.nextDirty(s.start()); a >= 0; a = s.nextDirty(a + s.pageSize()))}.
     */
    public long nextDirty(long fromAddr) {
        long p = fromAddr <= start ? 0 : ((fromAddr - start - 1) >>> pageShift) + 1;   // round up to a page start
        if (p >= pages || bits == null) {
            return -1;
        }
        int w = (int) (p >>> 6);
        long v = bits[w] & -1L << p;
        while (v == 0) {
            if (++w >= bits.length) {
                return -1;
            }
            v = bits[w];
        }
        long page = ((long) w << 6) + Long.numberOfTrailingZeros(v);
        return page < pages ? start + (page << pageShift) : -1;
    }

    /** The raw words (bit i = page i of the range); a copy. */
    public long[] words() {
        return bits != null ? bits.clone() : new long[(int) ((pages + 63) >>> 6)];
    }

    @Override
    public String toString() {
        return String.format("DirtySnapshot[0x%x, %d pages of %d bytes, %d dirty]", start, pages, 1L << pageShift, count);
    }
}
