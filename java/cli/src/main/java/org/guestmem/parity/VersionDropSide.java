package org.guestmem.parity;

import static org.guestmem.parity.LitmusWords.acquire;
import static org.guestmem.parity.LitmusWords.bumpRelease;
import static org.guestmem.parity.LitmusWords.delay;
import static org.guestmem.parity.LitmusWords.jitter;
import static org.guestmem.parity.LitmusWords.plain;
import static org.guestmem.parity.LitmusWords.relaxed;
import static org.guestmem.parity.LitmusWords.setPlain;
import static org.guestmem.parity.LitmusWords.setRelaxed;
import static org.guestmem.parity.LitmusWords.setRelease;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * VERSION-drop in Java (twin of {@code vd_updater}/{@code vd_reader} in native/src/litmus_version.c): the
 * migration cursor never uses a block reclaimed between its two read sections. Cell = {@code struct vd_cell}.
 */
final class VersionDropSide extends JavaSide {
    // struct vd_cell:
    //   LIST: snapshot id 0 [A], 1 [B, A], 2 [B]; written by the updater (W-1-1, W-2-1: release), read by
    //         the cursor (R-1-2: acquire).
    //   VERSION: written by the updater (W-1-2, W-2-2), read by the cursor (R-1-1 acquire, pairs with the
    //         release bumps; R-2-1 relaxed, ordered by the grace period).
    //   DOMAIN: a one-reader FENCE domain (RcuCellDomain); A, B: block memory, A poisoned after W-2-3.
    private static final long LIST = 0;
    private static final long VERSION = 64;
    private static final long DOMAIN = 128;
    private static final long A = 320;
    private static final long B = 328;
    private static final int FENCES = 1, RELAXED = 2, NOCHECK = 3, PLAIN = 4;
    private static final long DROP = 0, LIVE = 1, DEAD = 2;

    VersionDropSide() {
        super("VERSION-drop", List.of("fixed", "fences", "broken-relaxed", "broken-nocheck", "broken-plain"), 384);
    }

    /** W-1-2 / W-2-2 in the variant's form. */
    private static void bump(MemorySegment c, long cell, int v) {
        switch (v) {
            case FENCES -> {
                VarHandle.releaseFence(); // smp_wmb; pairs with the cursor's acquireFence
                setRelaxed(c, cell + VERSION, plain(c, cell + VERSION) + 1);
            }
            case RELAXED -> setRelaxed(c, cell + VERSION, plain(c, cell + VERSION) + 1); // broken: unordered
            case PLAIN -> setPlain(c, cell + VERSION, plain(c, cell + VERSION) + 1);     // broken: plain
            default -> bumpRelease(c, cell + VERSION); // release; pairs with the acquire of R-1-1
        }
    }

    @Override
    long updater(MemorySegment c, long cell, long i, int v) {
        delay(jitter(i, 0x9e3779b9, 256));
        setRelease(c, cell + LIST, 1); // W-1-1: insert B
        bump(c, cell, v);              // W-1-2
        setRelease(c, cell + LIST, 2); // W-2-1: unlink A
        bump(c, cell, v);              // W-2-2
        RcuCellDomain.synchronize(c, cell + DOMAIN, RcuCellDomain.FENCE); // W-2-3: the grace period ...
        setPlain(c, cell + A, RcuGpSide.DEAD);                            // ... then the reclaim
        return 0;
    }

    @Override
    long reader(MemorySegment c, long cell, long i, int v) {
        long lastVersion;
        RcuCellDomain.lock(c, cell + DOMAIN);
        switch (v) {
            case FENCES -> {
                lastVersion = relaxed(c, cell + VERSION);
                VarHandle.acquireFence(); // R-1-1, old form (smp_rmb)
            }
            case RELAXED -> lastVersion = relaxed(c, cell + VERSION); // broken
            case PLAIN -> lastVersion = plain(c, cell + VERSION);     // broken: plain
            default -> lastVersion = acquire(c, cell + VERSION);      // R-1-1: pairs with W-1-2/W-2-2
        }
        long seenB = acquire(c, cell + LIST) == 2 ? 1 : 0; // R-1-2
        RcuCellDomain.unlock(c, cell + DOMAIN);

        delay(jitter(i, 0x85ebca6b, 512)); // other work, outside any section

        RcuCellDomain.lock(c, cell + DOMAIN);
        boolean moved;
        if (v == NOCHECK) {
            moved = false; // broken: R-2-1 skipped
        } else if (v == PLAIN) {
            moved = plain(c, cell + VERSION) != lastVersion;
        } else {
            moved = relaxed(c, cell + VERSION) != lastVersion; // R-2-1
        }
        long use;
        if (moved) {
            use = DROP; // R-2-2: drop the cached block
        } else {
            use = plain(c, cell + (seenB != 0 ? B : A)) == RcuGpSide.DEAD ? DEAD : LIVE;
        }
        RcuCellDomain.unlock(c, cell + DOMAIN);
        return seenB | use << 1;
    }
}
