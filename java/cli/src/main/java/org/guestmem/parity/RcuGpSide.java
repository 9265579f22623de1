package org.guestmem.parity;

import static org.guestmem.parity.LitmusWords.acquire;
import static org.guestmem.parity.LitmusWords.delay;
import static org.guestmem.parity.LitmusWords.jitter;
import static org.guestmem.parity.LitmusWords.plain;
import static org.guestmem.parity.LitmusWords.setPlain;
import static org.guestmem.parity.LitmusWords.setRelease;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * RCU-gp in Java (twin of {@code gp_reader}/{@code gp_updater} in native/src/litmus_rcu.c): a reader that
 * saw the old block finishes before the block is reclaimed. Cell = {@code struct gp_cell}.
 */
final class RcuGpSide extends JavaSide {
    // struct gp_cell:
    //   DOMAIN (gm_rcu_domain1): see RcuCellDomain for who writes which word.
    //   PTR: list head, 0 block A / 1 block B; written by the updater (unlink of A, release), read by the
    //        reader's dereference (acquire).
    //   A, B: block memory (plain): read by the reader, A poisoned by the updater after the wait.
    private static final long DOMAIN = 0;
    private static final long PTR = 192;
    private static final long A = 256;
    private static final long B = 264;
    static final long LIVE = 0x600dL;
    static final long DEAD = 0xdeadL;
    private static final int MEMBARRIER = 1, NOFENCE = 2, NOWAIT = 3;

    RcuGpSide() {
        super("RCU-gp", List.of("fixed", "membarrier", "broken-nofence", "broken-nowait"), 320);
    }

    @Override
    boolean needsMembarrier(int v) {
        return v == MEMBARRIER;
    }

    @Override
    long reader(MemorySegment c, long cell, long i, int v) {
        RcuCellDomain.lock(c, cell + DOMAIN);           // RL-1..RL-3 (the domain's flavor)
        long p = acquire(c, cell + PTR);               // dereference: A (old) or B (new)
        delay(jitter(i, 0x5bd1e995, 256));             // use the block for a while
        long word = plain(c, cell + (p != 0 ? B : A));
        RcuCellDomain.unlock(c, cell + DOMAIN);         // RU-1..RU-3
        return p | (word == DEAD ? 1L : 0L) << 1;
    }

    @Override
    long updater(MemorySegment c, long cell, long i, int v) {
        setRelease(c, cell + PTR, 1);                  // unlink A (W-2-1)
        if (v == NOWAIT) {
            RcuCellDomain.globalFence(RcuCellDomain.FENCE); // broken: GP-1 without GP-2..GP-5
        } else {
            // broken-nofence: a MEMBARRIER domain whose updater fences only itself at GP-1
            long flavor = v == MEMBARRIER ? RcuCellDomain.MEMBARRIER : RcuCellDomain.FENCE;
            RcuCellDomain.synchronize(c, cell + DOMAIN, v == NOFENCE ? RcuCellDomain.FENCE : flavor);
        }
        setPlain(c, cell + A, DEAD);                   // reclaim A
        return 0;
    }
}
