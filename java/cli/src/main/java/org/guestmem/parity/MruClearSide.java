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
import java.util.List;

/**
 * MRU-clear in Java (twin of {@code mru_reader}/{@code mru_updater} in native/src/litmus_mru.c): a reader's
 * late mruBlock fill never leaves a reclaimed block usable. Cell = {@code struct mru_cell}; the tagged
 * mruBlock word is protocol.h's {@code gm_mru_pack}: version &lt;&lt; 16 | block id.
 */
final class MruClearSide extends JavaSide {
    // struct mru_cell:
    //   LIST: 1 holds A, 0 A unlinked; written by the updater (W-2-1, release), read by the walk (acquire).
    //   VERSION: written by the updater (W-2-2, release), read by the reader before its walk (acquire).
    //   MRU: filled by the reader, cleared by the updater; relaxed (plain in broken-plain).
    //   A_REMOVED: set by the updater before the clear (release), read by a lookup that hits A (acquire).
    //   DOMAIN: a one-reader FENCE domain (RcuCellDomain); A: block memory, poisoned after W-2-3.
    //   DONE: set relaxed by the updater after the reclaim; polled relaxed (bounded) by the reader between its
    //         two lookups; it orders nothing (the second lookup's view of the removal rests on the grace period).
    private static final long LIST = 0;
    private static final long VERSION = 8;
    private static final long MRU = 64;
    private static final long A_REMOVED = 128;
    private static final long DOMAIN = 192;
    private static final long A = 384;
    private static final long DONE = 392;
    /** How long the reader polls DONE at most before its second lookup (the C twin's MRU_WAIT_SPINS). */
    private static final int WAIT_SPINS = 1 << 14;
    private static final long BLOCK_A = 1;
    private static final int ID_BITS = 16;
    private static final int FIXED = 0, REMOVED = 1, UNTAGGED = 2, PLAIN = 3;

    MruClearSide() {
        super("MRU-clear", List.of("fixed", "fixed-removed", "broken-untagged", "broken-plain"), 448);
    }

    /** gm_mru_hit: the block id a lookup may use from a tagged word, or 0. */
    private static long hit(long word, long version) {
        return word >>> ID_BITS == version ? word & ((1L << ID_BITS) - 1) : 0;
    }

    @Override
    long reader(MemorySegment c, long cell, long i, int v) {
        long found = 0;
        int fill = jitter(i, 0xc2b2ae35, 512);
        RcuCellDomain.lock(c, cell + DOMAIN);
        switch (v) {
            case FIXED -> {
                long seen = acquire(c, cell + VERSION); // the tag; pairs with W-2-2
                if (hit(relaxed(c, cell + MRU), seen) != BLOCK_A && acquire(c, cell + LIST) != 0) {
                    found = 1;
                    delay(fill);
                    setRelaxed(c, cell + MRU, seen << ID_BITS | BLOCK_A); // may land after the clear: harmless
                }
            }
            case REMOVED -> {
                boolean isHit = relaxed(c, cell + MRU) == BLOCK_A && acquire(c, cell + A_REMOVED) == 0;
                if (!isHit && acquire(c, cell + LIST) != 0) {
                    found = 1;
                    delay(fill);
                    setRelaxed(c, cell + MRU, BLOCK_A); // later lookups see the removed mark
                }
            }
            case UNTAGGED -> {
                if (relaxed(c, cell + MRU) != BLOCK_A && acquire(c, cell + LIST) != 0) {
                    found = 1;
                    delay(fill);
                    setRelaxed(c, cell + MRU, BLOCK_A); // broken: a late fill outlives the grace period
                }
            }
            default -> {
                if (plain(c, cell + MRU) != BLOCK_A && acquire(c, cell + LIST) != 0) { // broken: plain load
                    found = 1;
                    delay(fill);
                    setPlain(c, cell + MRU, BLOCK_A); // broken: plain store
                }
            }
        }
        RcuCellDomain.unlock(c, cell + DOMAIN);
        for (int spins = 0; spins < WAIT_SPINS && relaxed(c, cell + DONE) == 0; spins++) {
            Thread.onSpinWait(); // outside any read section: the grace period does not wait for this
        }
        return found | probeAfter(c, cell, v);
    }

    /** The second lookup (mru_probe_after): late (bit 1) = mruBlock names A; stale (bit 2) = it uses reclaimed A. */
    private static long probeAfter(MemorySegment c, long cell, int v) {
        boolean late, hit;
        RcuCellDomain.lock(c, cell + DOMAIN);
        switch (v) {
            case FIXED -> {
                long seen = acquire(c, cell + VERSION); // the tag a new lookup compares; pairs with W-2-2
                long m = relaxed(c, cell + MRU);
                late = (m & ((1L << ID_BITS) - 1)) == BLOCK_A;
                hit = hit(m, seen) == BLOCK_A;
            }
            case REMOVED -> {
                late = relaxed(c, cell + MRU) == BLOCK_A;
                hit = late && acquire(c, cell + A_REMOVED) == 0; // a removed block is a miss
            }
            case UNTAGGED -> {
                late = relaxed(c, cell + MRU) == BLOCK_A;
                hit = late; // broken: any block in mruBlock is used
            }
            default -> {
                late = plain(c, cell + MRU) == BLOCK_A; // broken: plain load
                hit = late;
            }
        }
        boolean stale = hit && plain(c, cell + A) == RcuGpSide.DEAD; // uses A: reads its memory
        RcuCellDomain.unlock(c, cell + DOMAIN);
        return (late ? 2 : 0) | (stale ? 4 : 0);
    }

    @Override
    long updater(MemorySegment c, long cell, long i, int v) {
        delay(jitter(i, 0x27d4eb2f, 128));
        setRelease(c, cell + LIST, 0); // W-2-1: unlink A
        if (v == REMOVED) {
            setRelease(c, cell + A_REMOVED, 1); // mark A removed before clearing mruBlock
        }
        if (v == PLAIN) {
            setPlain(c, cell + MRU, 0); // broken: plain store
        } else {
            setRelaxed(c, cell + MRU, 0);
        }
        bumpRelease(c, cell + VERSION); // W-2-2
        RcuCellDomain.synchronize(c, cell + DOMAIN, RcuCellDomain.FENCE); // W-2-3: the grace period ...
        setPlain(c, cell + A, RcuGpSide.DEAD);                            // ... then the reclaim
        setRelaxed(c, cell + DONE, 1);                                    // the reader's second lookup may start
        return 0;
    }
}
