package org.guestmem.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The shared body of the RCU-gp variants: a reader section that loads the current block and checks whether
 * it was reclaimed, against an updater that replaces the block and reclaims the old one through a real
 * {@link Rcu} domain.
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
    // The reader's observations; written by the reader actor, read by the arbiter (jcstress orders them).
    private int saw;
    private int block;

    /** The reader: one section that dereferences the current block and uses it (reads its state). */
    void read(Rcu rcu) {
        try (ReadSection s = rcu.read()) {
            Block b = (Block) CURRENT.getAcquire(this);
            saw = b == old ? 0 : 1;
            block = (int) RECLAIMED.getOpaque(b);
        }
    }

    /** The protocol: unlink, wait for a grace period, reclaim. */
    void replaceAndReclaim(Rcu rcu) {
        CURRENT.setRelease(this, new Block());
        rcu.synchronize();
        RECLAIMED.setOpaque(old, 1);
    }

    /** The bug (table variant broken-nowait): reclaim without waiting for readers. */
    void replaceAndReclaimWithoutWaiting() {
        CURRENT.setRelease(this, new Block());
        RECLAIMED.setOpaque(old, 1);
    }

    void report(L_Result r) {
        r.r1 = RcuLitmusOutcomes.gp(saw, block);
    }
}
