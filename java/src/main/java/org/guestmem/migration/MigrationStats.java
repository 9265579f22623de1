package org.guestmem.migration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a live migration, named after QEMU's {@code info migrate}: times, bytes, pages by kind,
 * XBZRLE counters, dirty-sync count (iterations), the last measured dirty rate and bandwidth, and what
 * the block-list protocol saw (version changes, migratable blocks that came or went in default mode).
 */
public record MigrationStats(
        long totalTimeMillis, long setupTimeMillis, long downtimeMillis, long expectedDowntimeMillis,
        long ramTotalBytes, long transferredBytes, long iterations, long normalPages, long zeroPages,
        long xbzrlePages, long xbzrleBytes, long xbzrleCacheMisses, long xbzrleOverflows, long xbzrleUnchanged,
        long dirtyPagesRate, long bandwidthBytesPerSecond, long pageSize, long versionChanges, List<String> blocksChanged) {

    /** Mean throughput over the whole migration, in bytes per second. */
    public long throughputBytesPerSecond() {
        return totalTimeMillis == 0 ? 0 : transferredBytes * 1000 / totalTimeMillis;
    }

    /** Bytes XBZRLE saved against sending its pages raw (page plus header). */
    public long xbzrleBytesSaved() {
        long sent = xbzrlePages - xbzrleOverflows - xbzrleUnchanged;
        return Math.max(0, sent * pageSize + xbzrleUnchanged * (pageSize + 8) - xbzrleBytes);
    }

    /** Ordered key/value pairs for tables and JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_time_ms", totalTimeMillis);
        m.put("setup_time_ms", setupTimeMillis);
        m.put("downtime_ms", downtimeMillis);
        m.put("expected_downtime_ms", expectedDowntimeMillis);
        m.put("ram_total_bytes", ramTotalBytes);
        m.put("transferred_bytes", transferredBytes);
        m.put("throughput_mbps", throughputBytesPerSecond() * 8 / 1_000_000);
        m.put("iterations", iterations);
        m.put("normal_pages", normalPages);
        m.put("zero_pages", zeroPages);
        m.put("xbzrle_pages", xbzrlePages);
        m.put("xbzrle_bytes", xbzrleBytes);
        m.put("xbzrle_bytes_saved", xbzrleBytesSaved());
        m.put("xbzrle_cache_misses", xbzrleCacheMisses);
        m.put("xbzrle_overflows", xbzrleOverflows);
        m.put("dirty_pages_rate", dirtyPagesRate);
        m.put("bandwidth_bytes_per_s", bandwidthBytesPerSecond);
        m.put("page_size", pageSize);
        m.put("version_changes", versionChanges);
        m.put("blocks_changed", blocksChanged);
        return m;
    }

    /** A two-column table, one statistic per line. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        toMap().forEach((k, v) -> sb.append(String.format("%-24s %s%n", k, v)));
        return sb.toString();
    }
}
