package org.guestmem.rcu;

import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_CTR_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_STEP;
import static org.guestmem.rcu.RcuReaderTableDescriptor.SLOT_LIMIT_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;
import static org.guestmem.rcu.RcuReaderTableDescriptor.ctrOffset;
import static org.guestmem.rcu.RcuReaderTableDescriptor.waitingOffset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One domain's reader table in off-heap memory (layout and protocol: {@link RcuReaderTableDescriptor}):
 * GP_CTR, which every reader reads, and the slots of C readers (they claim and release slots on their own,
 * {@code gm_rcu_reader_register}); this class is the writer's view of it (GP_CTR, CTR scans, WAITING flags).
 * Java readers keep their words on the heap ({@link ReaderWords}) and read GP_CTR's heap copy, {@link #gpMirror()}.
 *
 * <p>The memory is GC-managed ({@link Arena#ofAuto()}): every {@link RcuReader} reaches it (through its
 * {@link GracePeriod}), so a reader of another thread that uses its handle after the domain closed reads a
 * live word (GP_CTR = 0, {@link #closeForReaders()}) and gets an IllegalStateException, never freed memory.
 */
final class ReaderTable {
    final MemorySegment segment;
    private final int slots;
    private final GpMirror gpMirror = new GpMirror(RcuReaderTableDescriptor.GP_INITIAL);

    private ReaderTable(MemorySegment segment, int slots) {
        this.segment = segment;
        this.slots = slots;
    }

    static ReaderTable allocate(int slots, Rcu.Flavor flavor) {
        MemorySegment segment = Arena.ofAuto().allocate(RcuReaderTableDescriptor.tableSize(slots),
                RcuReaderTableDescriptor.TABLE_ALIGNMENT);
        // Before the table is shared: the domain publishes it through final fields.
        RcuReaderTableDescriptor.initialise(segment, slots, flavor);
        return new ReaderTable(segment, slots);
    }

    /** GP_CTR's heap copy, which Java readers read (RL-1, ON-1, QS-1); stored with GP_CTR in every step. */
    GpMirror gpMirror() {
        return gpMirror;
    }

    /** GP_CTR, read by the writer that owns it (opaque suffices: only the synchronize lock holder stores it). */
    long gp() {
        return (long) WORD.getOpaque(segment, GP_CTR_OFFSET);
    }

    /** GP-2: release store GP_CTR += GP_STEP (single writer: the synchronize lock holder). Returns the new value. */
    long advanceGp() {
        long next = gp() + GP_STEP;
        // GP-2: release; readers load it with RL-1 (relaxed, then RL-3's fence) or QS-1/ON-1 (acquire).
        WORD.setRelease(segment, GP_CTR_OFFSET, next);
        gpMirror.setRelease(next); // the same step for Java readers, before GP-3 as well
        return next;
    }

    /** GP-3: one past the highest claimed slot (seq_cst load; pairs with the CAS in claim()). */
    int slotLimit() {
        return (int) Math.min(slots, (long) WORD.getVolatile(segment, SLOT_LIMIT_OFFSET));
    }

    /** GP-3 / GP-5: CTR of {@code slot} (acquire; pairs with RU-1 / QS-2 / OFF-1, the readers' release stores). */
    long ctr(int slot) {
        return (long) WORD.getAcquire(segment, ctrOffset(slot));
    }

    /** GP-4: release store WAITING = 1; pairs with RU-3's acquire load, which then sees the writer's thread. */
    void markWaiting(int slot) {
        WORD.setRelease(segment, waitingOffset(slot), 1L);
    }

    /** Clears WAITING of a slot the writer no longer waits for (relaxed: the flag is only a wake-up hint). */
    void clearWaiting(int slot) {
        WORD.setOpaque(segment, waitingOffset(slot), 0L);
    }

    /**
     * After the domain's last grace period: GP_CTR = 0 (release), which no grace period ever publishes, so a
     * Java reader's next RL-1 / ON-1 throws IllegalStateException and a C reader's CTR stays 0 (quiescent).
     */
    void closeForReaders() {
        WORD.setRelease(segment, GP_CTR_OFFSET, 0L);
        gpMirror.setRelease(0L);
    }
}
