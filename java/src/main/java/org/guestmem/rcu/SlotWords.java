package org.guestmem.rcu;

/**
 * The words of a reader table that registration touches: the off-heap {@link ReaderTable} in production,
 * a plain Java array in the model-checking tests (Lincheck cannot see off-heap accesses).
 */
interface SlotWords {
    /** Number of slots. */
    int slotCount();

    /**
     * Tries to claim a free slot for {@code token}: raises SLOT_LIMIT to at least {@code slot + 1}, then
     * CAS OWNER 0 → token (seq_cst). Both happen before the claimer's first RL-1, which is what lets the
     * writer's GP-3 scan skip a slot it read as free (see {@link RcuReaderTableDescriptor}).
     */
    boolean claim(int slot, long token);

    /** OWNER of {@code slot} (acquire; pairs with the release in {@link #release}). */
    long owner(int slot);

    /** Frees {@code slot}: CTR = 0 and WAITING = 0, then release store OWNER = 0. */
    void release(int slot);
}
