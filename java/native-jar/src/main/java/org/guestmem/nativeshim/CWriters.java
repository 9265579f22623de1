package org.guestmem.nativeshim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.apache.commons.lang3.Validate;
import org.guestmem.os.Errno;
import org.guestmem.bindings.gm_writer_config;
import org.guestmem.bindings.gm_writer_stats;
import org.guestmem.bindings.guestmem_h;

/**
 * C threads that act like a C device model writing a Java guest's RAM (guestmem.h's {@code gm_writers_*}):
 * they join a Java RCU domain through its off-heap reader table, translate RAM addresses through the
 * RamList's native block table, write 8 bytes and mark the page dirty through the DirtyMemory's native root
 * ({@code gm_dirty_set_range}, or {@code gm_ram_write} with {@link #RAM_WRITE}). A client mask of 0 writes
 * without marking: the broken device model that a migration test must catch losing pages.
 * {@link #pause()} parks them all outside their read sections (the device stopped for a migration's
 * switch-over); {@link #resume()} lets them go on.
 */
public final class CWriters implements AutoCloseable {
    /** Flag: write through {@code gm_ram_write} instead of an atomic store plus {@code gm_dirty_set_range}. */
    public static final int RAM_WRITE = 0x1;

    /** What the threads did. */
    public record Stats(long ops, long written, long marked, long misses, long errors) {}

    private final long handle;
    private final int threads;
    /** Set once by stop() under this object's monitor; every method checks it under the monitor. */
    private Stats stats;

    private CWriters(long handle, int threads) {
        this.handle = handle;
        this.threads = threads;
    }

    /**
     * Starts {@code threads} C writers. {@code rcuTable} is the domain's reader table, {@code ramRoot} the list's
     * block-table root, {@code dirtyRoot} its DirtyMemory's native root; addresses are drawn from
     * {@code [0, ramSpan)}; {@code clientMask} (DirtyClient masks, 0 = no marking) is marked after each write;
     * {@code writesPerSecond} caps all threads together (0 = as fast as they can).
     */
    public static CWriters start(MemorySegment rcuTable, MemorySegment ramRoot, MemorySegment dirtyRoot, long ramSpan,
                                 int threads, int seed, int clientMask, int flags, long writesPerSecond) {
        NativeShim.ensureLoaded();
        Validate.isTrue(threads >= 1 && threads <= 64, "thread count %d is outside 1..64", threads);
        Validate.isTrue(ramSpan >= 8, "RAM span %d must be at least 8 bytes", ramSpan);
        Validate.isTrue((clientMask & ~guestmem_h.GM_DIRTY_MASK_ALL()) == 0, "client mask 0x%x has unknown bits", clientMask);
        Validate.isTrue((flags & ~RAM_WRITE) == 0, "flags 0x%x have unknown bits", flags);
        Validate.isTrue(writesPerSecond >= 0, "rate %d writes/s is negative", writesPerSecond);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cfg = gm_writer_config.allocate(tmp);
            gm_writer_config.rcu_table(cfg, rcuTable.address());
            gm_writer_config.ram_root(cfg, ramRoot.address());
            gm_writer_config.dirty_root(cfg, dirtyRoot.address());
            gm_writer_config.ram_span(cfg, ramSpan);
            gm_writer_config.threads(cfg, threads);
            gm_writer_config.seed(cfg, seed);
            gm_writer_config.client_mask(cfg, clientMask);
            gm_writer_config.flags(cfg, flags);
            gm_writer_config.writes_per_second(cfg, writesPerSecond);
            MemorySegment out = tmp.allocate(ValueLayout.JAVA_LONG);
            int rc = guestmem_h.gm_writers_start(cfg, out);
            if (rc < 0) {
                throw new IllegalStateException("cannot start " + threads + " C writers: " + Errno.name(rc));
            }
            return new CWriters(out.get(ValueLayout.JAVA_LONG, 0), threads);
        }
    }

    public int threads() {
        return threads;
    }

    /** Parks every thread outside its read section; returns once all are parked. Every write so far is marked. */
    public synchronized void pause() {
        checkRunning();
        check(guestmem_h.gm_writers_pause(handle), "pause");
    }

    /** Lets parked threads go on. */
    public synchronized void resume() {
        checkRunning();
        check(guestmem_h.gm_writers_resume(handle), "resume");
    }

    /** Writes done so far by all threads (a running count). */
    public synchronized long written() {
        return stats != null ? stats.written() : guestmem_h.gm_writers_written(handle);
    }

    /** Stops and joins the threads (idempotent) and returns what they did. */
    public synchronized Stats stop() {
        if (stats == null) {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment s = gm_writer_stats.allocate(tmp);
                check(guestmem_h.gm_writers_stop(handle, s), "stop");
                stats = new Stats(gm_writer_stats.ops(s), gm_writer_stats.written(s), gm_writer_stats.marked(s),
                        gm_writer_stats.misses(s), gm_writer_stats.errors(s));
            }
        }
        return stats;
    }

    @Override
    public void close() {
        stop();
    }

    private void checkRunning() {
        if (stats != null) {
            throw new IllegalStateException("C writers already stopped: " + stats);
        }
    }

    private static void check(long rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException("cannot " + what + " C writers: " + Errno.name((int) rc));
        }
    }
}
