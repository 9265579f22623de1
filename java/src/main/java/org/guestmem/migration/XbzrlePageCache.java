package org.guestmem.migration;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.apache.commons.lang3.Validate;

/**
 * QEMU's XBZRLE page cache (migration/page_cache.c): direct-mapped by RAM address, a power-of-two number
 * of page slots, page buffers allocated lazily. The age of a slot is the bitmap-sync generation of its
 * last insert or hit; a slot younger than {@link #LIFETIME} generations is not evicted by another
 * address. Used by the migration thread only.
 */
public final class XbzrlePageCache {
    /** QEMU's CACHED_PAGE_LIFETIME: a page survives at least two bitmap syncs. */
    public static final long LIFETIME = 2;
    /** QEMU's default xbzrle-cache-size. */
    public static final long DEFAULT_SIZE = 64L << 20;

    private final int pageSize;
    private final int mask;
    private final long[] addrs;
    private final long[] ages;
    private final byte[][] data;

    /** A cache of {@code sizeBytes / pageSize} slots, which must be a power of two (QEMU refuses others too). */
    public XbzrlePageCache(long sizeBytes, int pageSize) {
        Validate.isTrue(pageSize > 0 && Integer.bitCount(pageSize) == 1, "page size %d is not a power of two", pageSize);
        Validate.isTrue(sizeBytes >= pageSize, "cache size %d is smaller than the target page size %d", sizeBytes, pageSize);
        long slots = sizeBytes / pageSize;
        Validate.isTrue(Long.bitCount(slots) == 1 && sizeBytes % pageSize == 0,
                "cache size %d gives %d pages of %d bytes: the number of pages must be a power of two", sizeBytes, slots, pageSize);
        Validate.isTrue(slots <= 1 << 24, "cache size %d is too big (%d pages; at most 2^24)", sizeBytes, slots);
        this.pageSize = pageSize;
        this.mask = (int) slots - 1;
        this.addrs = new long[(int) slots];
        this.ages = new long[(int) slots];
        this.data = new byte[(int) slots][];
        Arrays.fill(addrs, -1L);
    }

    public int slots() {
        return addrs.length;
    }

    private int slot(long addr) {
        return (int) (addr / pageSize) & mask;
    }

    /** True if the page at RAM address {@code addr} is cached; a hit refreshes its age to {@code age}. */
    public boolean isCached(long addr, long age) {
        int s = slot(addr);
        if (addrs[s] != addr) {
            return false;
        }
        ages[s] = age;
        return true;
    }

    /** The cached copy of the slot {@code addr} maps to (check {@link #isCached} first). */
    public byte[] data(long addr) {
        return data[slot(addr)];
    }

    /**
     * Caches {@code pageSize} bytes of {@code src} at {@code srcOffset} for {@code addr}; returns 0, or
     * -1 when the slot holds another address that is younger than the lifetime.
     */
    public int insert(long addr, MemorySegment src, long srcOffset, long age) {
        Validate.isTrue(srcOffset >= 0 && srcOffset <= src.byteSize() - pageSize, "page at offset %d does not fit the %d-byte source", srcOffset, src.byteSize());
        int s = claim(addr, age);
        if (s < 0) {
            return -1;
        }
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcOffset, data[s], 0, pageSize);
        return 0;
    }

    /** As {@link #insert(long, MemorySegment, long, long)} from a heap page. */
    public int insert(long addr, byte[] src, long age) {
        Validate.isTrue(src.length >= pageSize, "page of %d bytes is shorter than the target page size %d", src.length, pageSize);
        int s = claim(addr, age);
        if (s < 0) {
            return -1;
        }
        System.arraycopy(src, 0, data[s], 0, pageSize);
        return 0;
    }

    private int claim(long addr, long age) {
        int s = slot(addr);
        if (data[s] != null && addrs[s] != addr && ages[s] + LIFETIME > age) {
            return -1;                                      // a fresh page of another address stays
        }
        if (data[s] == null) {
            data[s] = new byte[pageSize];
        }
        addrs[s] = addr;
        ages[s] = age;
        return s;
    }
}
