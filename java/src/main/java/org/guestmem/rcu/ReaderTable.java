package org.guestmem.rcu;

import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_CTR_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_STEP;
import static org.guestmem.rcu.RcuReaderTableDescriptor.SLOT_LIMIT_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;
import static org.guestmem.rcu.RcuReaderTableDescriptor.ctrOffset;
import static org.guestmem.rcu.RcuReaderTableDescriptor.ownerOffset;
import static org.guestmem.rcu.RcuReaderTableDescriptor.waitingOffset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One domain's reader table in off-heap memory (layout and protocol: {@link RcuReaderTableDescriptor}):
 * the writer's view of it (GP_CTR, CTR scans, WAITING flags) and the slot claims of {@link SlotWords}.
 * The reader fast path does not go through this class; {@link RcuReader} touches its own slot directly.
 */
final class ReaderTable implements SlotWords {
    private final Arena arena;
    final MemorySegment segment;
    private final int slots;

    private ReaderTable(Arena arena, MemorySegment segment, int slots) {
        this.arena = arena;
        this.segment = segment;
        this.slots = slots;
    }

    static ReaderTable allocate(int slots, Rcu.Flavor flavor) {
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(RcuReaderTableDescriptor.tableSize(slots),
                RcuReaderTableDescriptor.TABLE_ALIGNMENT);
        // Before the table is shared: the domain publishes it through final fields.
        RcuReaderTableDescriptor.initialise(segment, slots, flavor);
        return new ReaderTable(arena, segment, slots);
    }

    @Override
    public int slotCount() {
        return slots;
    }

    @Override
    public boolean claim(int slot, long token) {
        // SLOT_LIMIT: CAS max; seq_cst, read by the writer's GP-3 (slotLimit) after its GP-1 fence.
        long limit = (long) WORD.getVolatile(segment, SLOT_LIMIT_OFFSET);
        while (limit < slot + 1L) {
            long seen = (long) WORD.compareAndExchange(segment, SLOT_LIMIT_OFFSET, limit, slot + 1L);
            if (seen == limit) {
                break;
            }
            limit = seen;
        }
        // OWNER: seq_cst CAS 0 -> token; the owner's later RL-2/ON-1 stores come after it.
        return WORD.compareAndSet(segment, ownerOffset(slot), 0L, token);
    }

    @Override
    public long owner(int slot) {
        // OWNER: acquire; pairs with the release store in release() and the CAS in claim().
        return (long) WORD.getAcquire(segment, ownerOffset(slot));
    }

    @Override
    public void release(int slot) {
        // Only the owner (or the registry reaping a dead owner) gets here; the slot's CTR is no longer written.
        WORD.setRelease(segment, ctrOffset(slot), 0L);
        WORD.setOpaque(segment, waitingOffset(slot), 0L);
        // OWNER: release store of 0 after CTR and WAITING are 0; pairs with the acquire in owner() and with
        // the next claimer's CAS, which therefore finds CTR == 0.
        WORD.setRelease(segment, ownerOffset(slot), 0L);
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

    /** Frees the off-heap table; any later access through it throws IllegalStateException. */
    void free() {
        arena.close();
    }
}
