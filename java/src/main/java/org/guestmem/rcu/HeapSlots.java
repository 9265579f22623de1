package org.guestmem.rcu;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The slot numbers of a domain's Java readers: OWNER tokens on the heap. A slot number only names a Java
 * registration (for reaping and the table-full rule); the reader's CTR and WAITING are fields of its
 * {@link RcuReader} object, which the writer reaches through {@link ReaderRegistry#readers()}.
 *
 * <p>OWNER words: claimed with a seq_cst CAS 0 → token under the registry's lock, released with a release
 * store of 0; read with acquire loads. Only registration threads touch them.
 */
final class HeapSlots implements SlotWords {
    private final AtomicLongArray owner;

    HeapSlots(int slots) {
        owner = new AtomicLongArray(slots);
    }

    @Override
    public int slotCount() {
        return owner.length();
    }

    @Override
    public boolean claim(int slot, long token) {
        return owner.compareAndSet(slot, 0L, token);
    }

    @Override
    public long owner(int slot) {
        return owner.getAcquire(slot);
    }

    @Override
    public void release(int slot) {
        owner.setRelease(slot, 0L);
    }
}
