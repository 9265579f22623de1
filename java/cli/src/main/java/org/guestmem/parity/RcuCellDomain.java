package org.guestmem.parity;

import static org.guestmem.parity.LitmusWords.acquire;
import static org.guestmem.parity.LitmusWords.plain;
import static org.guestmem.parity.LitmusWords.relaxed;
import static org.guestmem.parity.LitmusWords.setRelaxed;
import static org.guestmem.parity.LitmusWords.setRelease;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.guestmem.host.Membarrier;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuFences;
import org.guestmem.rcu.RcuReaderTableDescriptor;

/**
 * The one-reader RCU domain inside a litmus cell ({@code gm_rcu_domain1} of native/src/protocol.h: a
 * reader-table header in the Java {@link RcuReaderTableDescriptor} layout, then one 64-byte slot), run from
 * Java: the reader half (RL-*, RU-*, the twin of the shim's {@code gm_rcu_reader_lock/unlock}) and the
 * writer half (GP-1..GP-3 with GP-5 by spinning, the twin of {@code gm_rcu_synchronize}). The C init of the
 * cell has registered the slot; a Java reader uses it in place of the C reader's membership.
 *
 * <p>Words (offsets from {@link RcuReaderTableDescriptor}, which RcuTableAbiTest holds equal to the C
 * layout): GP_CTR written by the writer (GP-2, release), read by the reader (RL-1, relaxed; RL-3 orders it);
 * the slot's CTR written by the reader (RL-2 relaxed, RU-1 release), read by the writer (GP-3, acquire; pairs
 * with RU-1); WAITING read by the reader (RU-3, acquire; this writer never sets it, the library's GP-4 does).
 */
final class RcuCellDomain {
    private static final long GP_CTR = RcuReaderTableDescriptor.GP_CTR_OFFSET;
    private static final long FLAVOR = RcuReaderTableDescriptor.FLAVOR_OFFSET;
    private static final long SLOT_LIMIT = RcuReaderTableDescriptor.SLOT_LIMIT_OFFSET;
    private static final long SLOTS = RcuReaderTableDescriptor.HEADER_SIZE;
    private static final long SLOT_BYTES = RcuReaderTableDescriptor.SLOT_SIZE;
    private static final long CTR = RcuReaderTableDescriptor.SLOT_CTR_OFFSET;
    private static final long OWNER = RcuReaderTableDescriptor.SLOT_OWNER_OFFSET;
    private static final long WAITING = RcuReaderTableDescriptor.SLOT_WAITING_OFFSET;
    private static final long GP_STEP = RcuReaderTableDescriptor.GP_STEP;
    /** The flavor words (the table stores the Rcu.Flavor ordinal). */
    static final long FENCE = Rcu.Flavor.FENCE.ordinal();
    static final long MEMBARRIER = Rcu.Flavor.MEMBARRIER.ordinal();

    private RcuCellDomain() {}

    /** The placeholder fence of RL-3 / RU-2 for the domain's flavor (written by the C init, before the race). */
    private static void placeholder(MemorySegment c, long dom) {
        if (plain(c, dom + FLAVOR) == MEMBARRIER) {
            RcuFences.readerCompilerOnly(); // the writer's membarrier(2) supplies the hardware half
        } else {
            RcuFences.readerFull();
        }
    }

    /** rcu_read_lock on the domain at byte offset {@code dom} of the cell, through its first slot. */
    static void lock(MemorySegment c, long dom) {
        long slot = dom + SLOTS;
        long g = relaxed(c, dom + GP_CTR); // RL-1
        setRelaxed(c, slot + CTR, g);      // RL-2
        placeholder(c, dom);               // RL-3: pairs with GP-1
    }

    /** rcu_read_unlock. */
    static void unlock(MemorySegment c, long dom) {
        long slot = dom + SLOTS;
        setRelease(c, slot + CTR, 0);      // RU-1: the section happens before the writer's GP-3 acquire
        placeholder(c, dom);               // RU-2: pairs with GP-5
        if (acquire(c, slot + WAITING) != 0) { // RU-3: acquire; pairs with GP-4's release
            setRelaxed(c, slot + WAITING, 0);
        }
    }

    /** GP-1's global fence in {@code flavor}: a full fence, plus membarrier(2) for MEMBARRIER. */
    static void globalFence(long flavor) {
        VarHandle.fullFence();
        if (flavor == MEMBARRIER) {
            Membarrier.barrier();
        }
    }

    /**
     * synchronize on the domain at {@code dom}, GP-1 in {@code flavor} (the domain's, or another one for a
     * broken variant): returns when every read section that began before the call has ended. Never blocks.
     */
    static void synchronize(MemorySegment c, long dom, long flavor) {
        globalFence(flavor);                       // GP-1: pairs with the readers' RL-3
        long gp = plain(c, dom + GP_CTR) + GP_STEP;
        setRelease(c, dom + GP_CTR, gp);           // GP-2
        long limit = acquire(c, dom + SLOT_LIMIT);
        for (long k = 0; k < limit; k++) {
            long slot = dom + SLOTS + k * SLOT_BYTES;
            if (relaxed(c, slot + OWNER) == 0) {
                continue;
            }
            for (int spins = 1;; spins++) {        // GP-3, then GP-5 by spinning
                long ctr = acquire(c, slot + CTR); // acquire; pairs with RU-1
                if (ctr == 0 || ctr == gp) {
                    break;
                }
                Thread.onSpinWait();
                if ((spins & 0x3fff) == 0) {
                    Thread.yield();
                }
            }
        }
    }
}
