package org.guestmem.parity;

import static org.guestmem.parity.LitmusWords.acquire;
import static org.guestmem.parity.LitmusWords.relaxed;
import static org.guestmem.parity.LitmusWords.seqCst;
import static org.guestmem.parity.LitmusWords.setRelaxed;
import static org.guestmem.parity.LitmusWords.setRelease;
import static org.guestmem.parity.LitmusWords.setSeqCst;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;
import org.guestmem.host.Membarrier;
import org.guestmem.rcu.RcuFences;

/**
 * SB-reader in Java (twin of {@code sb_reader}/{@code sb_updater} in native/src/litmus_rcu.c): the
 * reader's counter store against its pointer load, the updater's pointer store against its scan of the
 * counter (store buffering). Cell = {@code struct sb_cell}.
 */
final class SbReaderSide extends JavaSide {
    // struct sb_cell, one word per cache line:
    //   CTR: the reader's slot counter; written by the reader (RL-2), read by the updater's scan (GP-3).
    //   PTR: the list head, 0 old / 1 new; written by the updater (W-2-1), read by the reader's dereference.
    private static final long CTR = 0;
    private static final long PTR = 64;
    private static final int FIXED = 0, FIXED_SC = 1, MEMBARRIER = 2, NOFENCE = 3, ACQREL = 4, NO_MEMBARRIER = 5;

    SbReaderSide() {
        super("SB-reader", List.of("fixed", "fixed-sc", "membarrier", "broken-nofence", "broken-acqrel",
                "broken-no-membarrier"), 128);
    }

    @Override
    boolean needsMembarrier(int v) {
        return v == MEMBARRIER;
    }

    @Override
    long reader(MemorySegment c, long cell, long i, int v) {
        switch (v) {
            case FIXED -> {
                setRelaxed(c, cell + CTR, 1);
                VarHandle.fullFence(); // smp_mb: counter store before pointer load; pairs with the updater's
                return acquire(c, cell + PTR);
            }
            case FIXED_SC -> {
                setSeqCst(c, cell + CTR, 1); // one total order with the updater's seq_cst accesses
                return seqCst(c, cell + PTR);
            }
            case MEMBARRIER, NO_MEMBARRIER -> {
                setRelaxed(c, cell + CTR, 1);
                RcuFences.readerCompilerOnly(); // the CPU barrier comes from the updater's membarrier(2)
                return acquire(c, cell + PTR);
            }
            case NOFENCE -> {
                setRelaxed(c, cell + CTR, 1);
                RcuFences.readerCompilerOnly(); // broken: nothing keeps the store before the load on the CPU
                return relaxed(c, cell + PTR);
            }
            default -> {
                setRelease(c, cell + CTR, 1); // broken: release/acquire do not order a store before a load
                return acquire(c, cell + PTR);
            }
        }
    }

    @Override
    long updater(MemorySegment c, long cell, long i, int v) {
        switch (v) {
            case FIXED, NO_MEMBARRIER -> { // broken in NO_MEMBARRIER: a local fence cannot stand in for the reader's
                setRelease(c, cell + PTR, 1);
                VarHandle.fullFence(); // pointer store before the scan; pairs with the reader's smp_mb
                return acquire(c, cell + CTR);
            }
            case FIXED_SC -> {
                setSeqCst(c, cell + PTR, 1);
                return seqCst(c, cell + CTR);
            }
            case MEMBARRIER -> {
                setRelease(c, cell + PTR, 1);
                Membarrier.barrier(); // a full barrier on every running thread: supplies the reader's
                return acquire(c, cell + CTR);
            }
            case NOFENCE -> {
                setRelaxed(c, cell + PTR, 1);
                RcuFences.readerCompilerOnly();
                return relaxed(c, cell + CTR);
            }
            default -> {
                setRelease(c, cell + PTR, 1);
                return acquire(c, cell + CTR);
            }
        }
    }
}
