package org.guestmem.migration;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.guestmem.ram.RamBlock;

/**
 * QEMU's save_xbzrle_page with its cache and counters: a cache miss sends the page raw (from the cache
 * copy, so source cache and destination agree), a hit sends the XBZRLE delta against the cached copy,
 * nothing when unchanged, and a raw page when the delta would not beat it. Migration thread only.
 */
public final class XbzrlePages {
    private final XbzrlePageCache cache;
    private final int pageSize;
    private final byte[] current;
    private final byte[] encoded;
    private final byte[] zeroPage;
    private long cacheMisses, hits, overflows, unchanged;

    XbzrlePages(long cacheBytes, int pageSize) {
        this.cache = new XbzrlePageCache(cacheBytes, pageSize);
        this.pageSize = pageSize;
        this.current = new byte[pageSize];
        this.encoded = new byte[pageSize];
        this.zeroPage = new byte[pageSize];
    }

    /** Sends the page at {@code off} of {@code block}; returns pages sent (0 when it was unchanged). */
    int save(RamStreamWriter out, RamBlock block, long off, long generation, boolean lastStage) throws IOException {
        long addr = block.offset() + off;
        MemorySegment seg = block.segment();
        if (!cache.isCached(addr, generation)) {
            cacheMisses++;
            if (!lastStage && cache.insert(addr, seg, off, generation) == 0) {
                out.page(block.name(), off, cache.data(addr), 0);
            } else {
                out.page(block.name(), off, seg, off);
            }
            return 1;
        }
        hits++;
        MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_BYTE, off, current, 0, pageSize); // a stable snapshot
        byte[] cached = cache.data(addr);
        int len = Xbzrle.encode(cached, current, pageSize, encoded, pageSize);
        byte[] sent = current;
        if (!lastStage && len != 0) {
            System.arraycopy(current, 0, cached, 0, pageSize);
            sent = cached;
        }
        if (len == 0) {
            unchanged++;
            return 0;
        }
        if (len < 0) {
            overflows++;
            out.page(block.name(), off, sent, 0);
            return 1;
        }
        out.xbzrlePage(block.name(), off, encoded, len);
        return 1;
    }

    /** A zero page went out: replace a stale cached copy (QEMU's xbzrle_cache_zero_page). */
    void cacheZero(long addr, long generation) {
        cache.insert(addr, zeroPage, generation);
    }

    public long cacheMisses() {
        return cacheMisses;
    }

    /** Cache hits (QEMU counts them as XBZRLE pages, sent or not). */
    public long hits() {
        return hits;
    }

    /** Hits whose delta did not beat a raw page. */
    public long overflows() {
        return overflows;
    }

    /** Hits with an unchanged page: nothing sent. */
    public long unchanged() {
        return unchanged;
    }
}
