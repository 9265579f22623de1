package org.guestmem.dirty;

/**
 * The dirty pages of one client over a range, taken (and cleared) at one moment by
 * {@link DirtyMemory#snapshotAndClear}. Immutable; bit i stands for the page at
 * {@code start + i * pageSize}.
 */
public final class DirtySnapshot {
    private final long start;
    private final long pages;
    private final long pageSize;
    private final long[] bits;
    private final long count;

    DirtySnapshot(long start, long pages, long pageSize, long[] bits, long count) {
        this.start = start;
        this.pages = pages;
        this.pageSize = pageSize;
        this.bits = bits;
        this.count = count;
    }

    /** RAM address of the first page covered. */
    public long start() {
        return start;
    }

    /** Pages covered. */
    public long pages() {
        return pages;
    }

    /** Pages that were dirty. */
    public long dirtyPages() {
        return count;
    }

    /** Whether the page holding {@code ramAddr} was dirty; false outside the range. */
    public boolean isDirty(long ramAddr) {
        long p = (ramAddr - start) / pageSize;
        return ramAddr >= start && p < pages && (bits[(int) (p >>> 6)] & (1L << p)) != 0;
    }

    /** RAM address of the first dirty page at or after {@code fromAddr}, or -1. */
    public long nextDirty(long fromAddr) {
        long p = Math.max(0, Math.floorDiv(fromAddr - start + pageSize - 1, pageSize));
        if (p >= pages) {
            return -1;
        }
        int w = (int) (p >>> 6);
        long v = bits[w] & (-1L << (p & 63));
        while (true) {
            if (v != 0) {
                long page = ((long) w << 6) + Long.numberOfTrailingZeros(v);
                return page < pages ? start + page * pageSize : -1;
            }
            if (++w >= bits.length) {
                return -1;
            }
            v = bits[w];
        }
    }

    /** The raw words (bit i = page i of the range); a copy. */
    public long[] words() {
        return bits.clone();
    }
}
