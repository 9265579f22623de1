package org.guestmem.rcu;

/**
 * The OWNER words of a domain's Java slots, which registration touches: {@link HeapSlots} in production, a
 * plain Java array in the model-checking tests (Lincheck cannot see off-heap accesses). A slot numbers a Java
 * registration; the reader's CTR and WAITING words are fields of its {@link RcuReader} (C readers' slots are
 * the off-heap table's, claimed by C code).
 */
interface SlotWords {
    /** Number of slots. */
    int slotCount();

    /**
     * Tries to claim a free slot for {@code token}: CAS OWNER 0 → token (seq_cst), under the registry's
     * lock. The writer's GP-3 does not read OWNER: it scans the registry's published reader array, which the
     * claimer updates before its first RL-1 (see {@link ReaderRegistry}).
     */
    boolean claim(int slot, long token);

    /** OWNER of {@code slot} (acquire; pairs with the release in {@link #release}). */
    long owner(int slot);

    /** Frees {@code slot}: release store OWNER = 0 (a test implementation may clear more words first). */
    void release(int slot);
}
