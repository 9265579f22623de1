package org.guestmem.rcu;

import java.lang.invoke.VarHandle;
import org.guestmem.host.Membarrier;

/**
 * The fences of the RCU protocol, one method per role, so that the domain, the litmus tests and the
 * parity harness run exactly the same instructions. Step names: {@link RcuReaderTableDescriptor}.
 */
public final class RcuFences {
    private RcuFences() {}

    /**
     * RL-3 / RU-2 of the FENCE flavor and ON-2 / QS-3 / OFF-1 of QSBR: a full fence (QEMU's {@code smp_mb}).
     * Pairs with {@link #global(Rcu.Flavor)} on the writer (GP-1, GP-5).
     */
    public static void readerFull() {
        VarHandle.fullFence();
    }

    /**
     * RL-3 / RU-2 of the MEMBARRIER flavor: a compiler-ordering barrier only (QEMU's
     * {@code smp_mb_placeholder} with membarrier). {@code releaseFence} plus {@code acquireFence} emit no
     * instruction on x86; HotSpot's interpreter, C1 and C2 keep every memory access on its side of them
     * (C2 MemBarRelease/MemBarAcquire nodes). The Java memory model does not promise store→load order
     * here: the hardware half comes from the writer's membarrier(2) (GP-1, GP-5). This is HotSpot
     * behaviour, not the JMM, which is why the MEMBARRIER flavor is opt-in and covered by jcstress.
     */
    public static void readerCompilerOnly() {
        VarHandle.releaseFence();
        VarHandle.acquireFence();
    }

    /**
     * GP-1 / GP-5, the writer's {@code smp_mb_global}: a full fence, plus membarrier(2) for the MEMBARRIER
     * flavor (after it returns every running thread of the process has passed a full barrier). Pairs with
     * the readers' RL-3 / RU-2 (and ON-2 / QS-3 for QSBR).
     */
    public static void global(Rcu.Flavor flavor) {
        VarHandle.fullFence();
        if (flavor == Rcu.Flavor.MEMBARRIER) {
            Membarrier.barrier();
        }
    }
}
