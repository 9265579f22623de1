package org.guestmem.stress;

import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The shared body of the SB-reader variants: the reader's RL-2 (store of its CTR into a real off-heap reader
 * table slot) and its first load of RCU-protected data, against the writer's unpublish and its GP-3 load of
 * that CTR. The fence between store and load on each side is what the variants change. Offsets and accesses
 * are the library's own ({@link RcuReaderTableDescriptor}).
 */
final class SbReaderState {
    private static final VarHandle POINTER;
    private static final long CTR = RcuReaderTableDescriptor.ctrOffset(0);

    static {
        try {
            POINTER = MethodHandles.lookup().findVarHandle(SbReaderState.class, "pointer", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // A one-slot reader table; GC-managed, as jcstress makes many states.
    private final MemorySegment table = Arena.ofAuto().allocate(RcuReaderTableDescriptor.tableSize(1),
            RcuReaderTableDescriptor.TABLE_ALIGNMENT);
    // The RCU-protected pointer: 0 = the old block, 1 = the new one (the writer's unpublish).
    @SuppressWarnings("unused")
    private int pointer;

    /** RL-2: the reader publishes its counter snapshot (relaxed store, as Rcu's reader does). */
    void readerPublishCtr() {
        WORD.setOpaque(table, CTR, RcuReaderTableDescriptor.GP_INITIAL);
    }

    /** The reader's first load of RCU-protected data (acquire, rcu_read): r1 = 1 if it saw the new block. */
    void readerLoadPointer(II_Result r) {
        r.r1 = (int) POINTER.getAcquire(this);
    }

    /** The writer's unpublish (release store, rcu_set). */
    void writerUnpublish() {
        POINTER.setRelease(this, 1);
    }

    /** GP-3: the writer's acquire load of the reader's CTR: r2 = 1 if it saw the reader in its section. */
    void writerScan(II_Result r) {
        r.r2 = (long) WORD.getAcquire(table, CTR) != 0 ? 1 : 0;
    }
}
