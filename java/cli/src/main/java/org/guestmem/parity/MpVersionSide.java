package org.guestmem.parity;

import static org.guestmem.parity.LitmusWords.acquire;
import static org.guestmem.parity.LitmusWords.bumpRelease;
import static org.guestmem.parity.LitmusWords.plain;
import static org.guestmem.parity.LitmusWords.relaxed;
import static org.guestmem.parity.LitmusWords.setPlain;
import static org.guestmem.parity.LitmusWords.setRelaxed;
import static org.guestmem.parity.LitmusWords.setRelease;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * MP-version in Java (twin of {@code mp_updater}/{@code mp_reader} in native/src/litmus_version.c): seeing
 * the new version implies seeing the new list. Cell = {@code struct mp_cell}.
 */
final class MpVersionSide extends JavaSide {
    // struct mp_cell:
    //   LIST: 0 old list, 1 list with the new block; written by the updater (W-1-1, release), read by the
    //         reader (R-1-2, acquire).
    //   VERSION: written by the updater (W-1-2), read by the reader (R-1-1); fixed: release paired with
    //         acquire; fences: releaseFence before / acquireFence after relaxed accesses; broken: unpaired.
    private static final long LIST = 0;
    private static final long VERSION = 64;
    private static final int FIXED = 0, FENCES = 1, RELAXED = 2;

    MpVersionSide() {
        super("MP-version", List.of("fixed", "fences", "broken-relaxed", "broken-plain"), 128);
    }

    @Override
    long updater(MemorySegment c, long cell, long i, int v) {
        setRelease(c, cell + LIST, 1); // W-1-1: publish the list that holds the new block
        switch (v) {
            case FIXED -> bumpRelease(c, cell + VERSION); // W-1-2: release; pairs with the acquire of R-1-1
            case FENCES -> {
                VarHandle.releaseFence(); // W-1-2, old form (smp_wmb); pairs with the reader's acquireFence
                setRelaxed(c, cell + VERSION, plain(c, cell + VERSION) + 1);
            }
            case RELAXED -> setRelaxed(c, cell + VERSION, plain(c, cell + VERSION) + 1); // broken: unordered
            default -> setPlain(c, cell + VERSION, plain(c, cell + VERSION) + 1); // broken: plain store
        }
        return 0;
    }

    @Override
    long reader(MemorySegment c, long cell, long i, int v) {
        long version;
        switch (v) {
            case FIXED -> version = acquire(c, cell + VERSION); // R-1-1: acquire; pairs with W-1-2
            case FENCES -> {
                version = relaxed(c, cell + VERSION);
                VarHandle.acquireFence(); // R-1-1, old form (smp_rmb); pairs with the updater's releaseFence
            }
            case RELAXED -> version = relaxed(c, cell + VERSION); // broken: may be satisfied after R-1-2
            default -> version = plain(c, cell + VERSION); // broken: plain load
        }
        long list = acquire(c, cell + LIST); // R-1-2
        return version | list << 1;
    }
}
