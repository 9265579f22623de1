package org.guestmem.host;

import org.guestmem.os.Errno;
import org.guestmem.os.Libc;

/**
 * {@code membarrier(2)} through libc's {@code syscall} (an FFM downcall; glibc has no wrapper): the writer half of the MEMBARRIER RCU flavor. After
 * {@link #barrier()} returns, every thread of this process that was running has passed a full
 * memory barrier, so readers may replace their hardware fence by a compiler-ordering barrier
 * (QEMU's {@code smp_mb_placeholder} / {@code smp_mb_global}).
 *
 * <p>Not bound as {@code Linker.Option.critical}: the call issues IPIs and may take microseconds,
 * and a critical call would hold off safepoints for that long.
 */
public final class Membarrier {
    // <linux/membarrier.h>
    private static final int CMD_QUERY = 0, CMD_PRIVATE_EXPEDITED = 8, CMD_REGISTER_PRIVATE_EXPEDITED = 16;
    private static final int QUERY = Libc.membarrier(CMD_QUERY, 0);
    // Written once by register() under the class lock; read by barrier() (volatile: a plain flag is enough
    // for correctness because register() is idempotent in the kernel, volatile only avoids a repeated syscall).
    private static volatile boolean registered;

    private Membarrier() {}

    /** True when the kernel supports private expedited membarrier (Linux 4.14+). */
    public static boolean available() {
        return QUERY >= 0 && (QUERY & CMD_PRIVATE_EXPEDITED) != 0
                && (QUERY & CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
    }

    /** Why {@link #available()} is false, or "available". */
    public static String status() {
        if (QUERY < 0) {
            return "membarrier(2) is not available: the kernel returned " + Errno.name(QUERY) + " for MEMBARRIER_CMD_QUERY";
        }
        if (!available()) {
            return "membarrier(2) lacks PRIVATE_EXPEDITED (query mask 0x" + Integer.toHexString(QUERY) + "); Linux 4.14+ is needed";
        }
        return "available (query mask 0x" + Integer.toHexString(QUERY) + ")";
    }

    /** Registers this process for private expedited barriers; idempotent. */
    public static synchronized void register() {
        if (registered) {
            return;
        }
        if (!available()) {
            throw new IllegalStateException(status());
        }
        int rc = Libc.membarrier(CMD_REGISTER_PRIVATE_EXPEDITED, 0);
        if (rc < 0) {
            throw new IllegalStateException("membarrier(2) REGISTER_PRIVATE_EXPEDITED failed: " + Errno.name(rc));
        }
        registered = true;
    }

    /** Issues a private expedited barrier (registering first if needed). */
    public static void barrier() {
        if (!registered) {
            register();
        }
        int rc = Libc.membarrier(CMD_PRIVATE_EXPEDITED, 0);
        if (rc < 0) {
            throw new IllegalStateException("membarrier(2) PRIVATE_EXPEDITED failed: " + Errno.name(rc));
        }
    }
}
