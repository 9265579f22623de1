package org.guestmem.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The shared body of the RCU-gp variants: a reader section that loads the current block and checks whether
 * it was reclaimed, against an updater that replaces the block and reclaims the old one.
 */
final class RcuGpState {
    private static final VarHandle CURRENT;
    private static final VarHandle RECLAIMED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(RcuGpState.class, "current", Block.class);
            RECLAIMED = l.findVarHandle(Block.class, "reclaimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A block; {@code reclaimed} is set (opaque) by the updater once it frees the block. */
    static final class Block {
        @SuppressWarnings("unused")
        int reclaimed;
    }

    private final Block old = new Block();
    // RCU-protected pointer: release store by the updater (rcu_set), acquire load by the reader (rcu_read).
    @SuppressWarnings("unused")
    private Block current = old;

    /** The reader: r1 = saw the old block, r2 = that block was already reclaimed. */
    void read(Rcu rcu, II_Result r) {
        try (ReadSection s = rcu.read()) {
            Block b = (Block) CURRENT.getAcquire(this);
            r.r1 = b == old ? 1 : 0;
            r.r2 = (int) RECLAIMED.getOpaque(b);
        }
    }

    /** The protocol: unpublish, wait for a grace period, reclaim. */
    void replaceAndReclaim(Rcu rcu) {
        CURRENT.setRelease(this, new Block());
        rcu.synchronize();
        RECLAIMED.setOpaque(old, 1);
    }

    /** The bug: reclaim before the grace period. */
    void reclaimTooEarly(Rcu rcu) {
        CURRENT.setRelease(this, new Block());
        RECLAIMED.setOpaque(old, 1);
        rcu.synchronize();
    }
}
