package org.guestmem.nativeshim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.apache.commons.lang3.Validate;
import org.guestmem.os.Errno;
import org.guestmem.bindings.gm_reader_config;
import org.guestmem.bindings.gm_reader_stats;
import org.guestmem.bindings.guestmem_h;

/**
 * C threads that act like a C device model on a Java guest: they join a Java RCU domain through its
 * off-heap reader table, translate RAM addresses through the RamList's native block table and write
 * guest memory (guestmem.h's {@code gm_readers_start}). For interop tests and the soak run: if the
 * protocol were broken, a C thread would touch an unmapped block and the process would crash.
 */
public final class CReaders implements AutoCloseable {
    /** What the threads did. */
    public record Stats(long ops, long written, long misses, long errors) {}

    private final long handle;
    private Stats stats;

    private CReaders(long handle) {
        this.handle = handle;
    }

    /**
     * Starts {@code threads} C readers. {@code rcuTable} is the domain's reader table, {@code ramRoot}
     * the list's block-table root; addresses are drawn from {@code [0, ramSpan)}.
     */
    public static CReaders start(MemorySegment rcuTable, MemorySegment ramRoot, long ramSpan, int threads, int seed) {
        NativeShim.ensureLoaded();
        Validate.isTrue(threads >= 1 && threads <= 64, "thread count %d is outside 1..64", threads);
        Validate.isTrue(ramSpan >= 8, "RAM span %d must be at least 8 bytes", ramSpan);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cfg = gm_reader_config.allocate(tmp);
            gm_reader_config.rcu_table(cfg, rcuTable.address());
            gm_reader_config.ram_root(cfg, ramRoot.address());
            gm_reader_config.ram_span(cfg, ramSpan);
            gm_reader_config.threads(cfg, threads);
            gm_reader_config.seed(cfg, seed);
            MemorySegment out = tmp.allocate(ValueLayout.JAVA_LONG);
            int rc = guestmem_h.gm_readers_start(cfg, out);
            if (rc < 0) {
                throw new IllegalStateException("cannot start " + threads + " C readers: " + Errno.name(rc));
            }
            return new CReaders(out.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    /**
     * Calls {@code gm_ram_translate} on {@code ramRoot} (a {@code NativeBlockTable}'s root), as a C reader
     * does: the host address of {@code [ramAddr, ramAddr + length)}, or a negative errno (-EFAULT no
     * block, -ERANGE past the used length).
     */
    public static long translate(MemorySegment ramRoot, long ramAddr, long length) {
        NativeShim.ensureLoaded();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.JAVA_LONG);
            int rc = guestmem_h.gm_ram_translate(ramRoot, ramAddr, length, out);
            return rc < 0 ? rc : out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Stops and joins the threads (idempotent) and returns what they did. */
    public synchronized Stats stop() {
        if (stats == null) {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment s = gm_reader_stats.allocate(tmp);
                int rc = guestmem_h.gm_readers_stop(handle, s);
                if (rc < 0) {
                    throw new IllegalStateException("cannot stop C readers: " + Errno.name(rc));
                }
                stats = new Stats(gm_reader_stats.ops(s), gm_reader_stats.written(s), gm_reader_stats.misses(s), gm_reader_stats.errors(s));
            }
        }
        return stats;
    }

    @Override
    public void close() {
        stop();
    }
}
