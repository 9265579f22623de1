package org.guestmem.stress;

import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The shared body of the SB-reader variants: the reader's store of its CTR into a real off-heap reader-table
 * slot (RL-2; a C reader's word), or into a long field on the heap (the {@code heap*} methods; a Java reader's
 * word) and its first load of RCU-protected data, against the updater's unpublish and its load of that
 * CTR (GP-3). Offsets and the word handle are the library's ({@link RcuReaderTableDescriptor}); each variant
 * picks the access modes and the fence between store and load on each side.
 */
final class SbReaderState {
    private static final VarHandle POINTER;
    private static final VarHandle HEAP_CTR;
    private static final long CTR = RcuReaderTableDescriptor.ctrOffset(0);
    private static final long BUSY = RcuReaderTableDescriptor.GP_INITIAL;

    static {
        try {
            POINTER = MethodHandles.lookup().findVarHandle(SbReaderState.class, "pointer", int.class);
            HEAP_CTR = MethodHandles.lookup().findVarHandle(SbReaderState.class, "heapCtr", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // A one-slot reader table; GC-managed, as jcstress makes many states.
    private final MemorySegment table = Arena.ofAuto().allocate(RcuReaderTableDescriptor.tableSize(1),
            RcuReaderTableDescriptor.TABLE_ALIGNMENT);
    // A Java reader's CTR as the library keeps it since Java readers' words moved to the heap: a long field of
    // the reader object, reached through a field VarHandle (org.guestmem.rcu.ReaderWords).
    @SuppressWarnings("unused")
    private long heapCtr;
    // The RCU-protected pointer: 0 = the old block, 1 = the new one (the updater's unpublish).
    @SuppressWarnings("unused")
    private int pointer;
    // Observations: ptr by the reader actor, ctr by the updater actor; read by the arbiter.
    private int ptr;
    private int ctr;

    // ---- reader: RL-2 (store of CTR), then the first load of protected data

    void ctrStoreOpaque() {
        WORD.setOpaque(table, CTR, BUSY); // RL-2 as Rcu's reader does it
    }

    void heapCtrStoreOpaque() {
        HEAP_CTR.setOpaque(this, BUSY); // RL-2 as a Java reader does it (heap word)
    }

    void ctrStoreRelease() {
        WORD.setRelease(table, CTR, BUSY);
    }

    void ctrStoreVolatile() {
        WORD.setVolatile(table, CTR, BUSY);
    }

    void pointerLoadAcquire() {
        ptr = (int) POINTER.getAcquire(this); // rcu_read
    }

    void pointerLoadOpaque() {
        ptr = (int) POINTER.getOpaque(this);
    }

    void pointerLoadVolatile() {
        ptr = (int) POINTER.getVolatile(this);
    }

    // ---- updater: the unpublish, then GP-3 (load of the reader's CTR)

    void unpublishRelease() {
        POINTER.setRelease(this, 1); // rcu_set
    }

    void unpublishOpaque() {
        POINTER.setOpaque(this, 1);
    }

    void unpublishVolatile() {
        POINTER.setVolatile(this, 1);
    }

    void ctrLoadAcquire() {
        ctr = (long) WORD.getAcquire(table, CTR) != 0 ? 1 : 0; // GP-3 as Rcu's writer does it
    }

    void heapCtrLoadAcquire() {
        ctr = (long) HEAP_CTR.getAcquire(this) != 0 ? 1 : 0; // GP-3 on a Java reader's heap word
    }

    void heapCtrLoadOpaque() {
        ctr = (long) HEAP_CTR.getOpaque(this) != 0 ? 1 : 0;
    }

    void ctrLoadOpaque() {
        ctr = (long) WORD.getOpaque(table, CTR) != 0 ? 1 : 0;
    }

    void ctrLoadVolatile() {
        ctr = (long) WORD.getVolatile(table, CTR) != 0 ? 1 : 0;
    }

    void report(L_Result r) {
        r.r1 = RcuLitmusOutcomes.sb(ptr, ctr);
    }
}
