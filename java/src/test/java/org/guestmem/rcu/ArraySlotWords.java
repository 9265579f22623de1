package org.guestmem.rcu;

import java.util.concurrent.atomic.AtomicLongArray;

/** {@link SlotWords} on Java arrays, so that Lincheck's model checker sees every access (it cannot see off-heap ones). */
final class ArraySlotWords implements SlotWords {
    final AtomicLongArray owner;
    final AtomicLongArray ctr;

    ArraySlotWords(int slots) {
        owner = new AtomicLongArray(slots);
        ctr = new AtomicLongArray(slots);
    }

    @Override
    public int slotCount() {
        return owner.length();
    }

    @Override
    public boolean claim(int slot, long token) {
        return owner.compareAndSet(slot, 0, token);
    }

    @Override
    public long owner(int slot) {
        return owner.getAcquire(slot);
    }

    @Override
    public void release(int slot) {
        ctr.setRelease(slot, 0);
        owner.setRelease(slot, 0);
    }
}
