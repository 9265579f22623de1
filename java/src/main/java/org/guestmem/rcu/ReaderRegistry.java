package org.guestmem.rcu;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry of a domain's Java readers: which Java thread owns which Java slot ({@link HeapSlots} in
 * production), so that slots of threads that died without unregistering can be reaped (a dead thread must
 * never block a grace period), and the array of registered {@link RcuReader} objects that the writer scans
 * (their CTR words are on the heap). C threads claim slots of the off-heap table on their own (CAS on
 * OWNER) and are not tracked here.
 *
 * <p>Registrations, unregistrations and reaping of Java slots are serialised by {@link #lock}; the
 * writer reads {@link #owners} and {@link #readers} without the lock.
 */
final class ReaderRegistry {
    private final SlotWords words;
    // Written under lock (register, unregister, reap); read lock-free by the writer (GP-5 liveness check)
    // and by reapIfDead before it takes the lock. AtomicReferenceArray: volatile element access.
    private final AtomicReferenceArray<Thread> owners;
    // The registration object of each Java slot, so a thread whose thread-local was erased gets the same
    // one back (see #registrationOf). Written under lock with owners; read by the owner thread only.
    private final AtomicReferenceArray<RcuReader> registrations;
    private final ReentrantLock lock = new ReentrantLock();
    private static final RcuReader[] NONE = {};
    // Every registered reader object (copy-on-write). Written under lock by attach / unregister / reap
    // (volatile store); read by the writer's GP-3 scan after its GP-1 fence. attach's store comes before the
    // new reader's first RL-1 (the owner attaches before it reads), so a scan that misses the reader is
    // ordered, by GP-1 and the volatile store, before the reader's first loads of protected data.
    private volatile RcuReader[] readers = NONE;

    ReaderRegistry(SlotWords words) {
        this.words = words;
        this.owners = new AtomicReferenceArray<>(words.slotCount());
        this.registrations = new AtomicReferenceArray<>(words.slotCount());
    }

    /**
     * Claims a free slot for {@code thread}. When every slot is taken, reaps slots of dead Java threads
     * and tries again; if the table is still full, throws IllegalStateException naming the size.
     */
    int register(Thread thread) {
        long token = RcuReaderTableDescriptor.javaOwner(thread);
        lock.lock();
        try {
            int slot = claimFree(token);
            if (slot < 0 && reapDeadLocked() > 0) {
                slot = claimFree(token);
            }
            if (slot < 0) {
                throw new IllegalStateException("RCU reader table full: all " + words.slotCount()
                        + " slots are held by live threads (registering " + thread.getName()
                        + "); create the domain with a larger maxReaders (at most "
                        + RcuReaderTableDescriptor.MAX_SLOTS + ") or unregister threads that no longer read");
            }
            owners.set(slot, thread);
            return slot;
        } finally {
            lock.unlock();
        }
    }

    /** Records the registration object of a slot {@link #register} just gave out. */
    void attach(int slot, RcuReader reader) {
        lock.lock();
        try {
            registrations.set(slot, reader);
            republish();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The registration {@code thread} (the calling thread) already holds, or null. A live thread whose
     * thread-locals were erased (ForkJoinPool's common-pool workers erase them between tasks) still owns
     * its slot: handing it a second slot would leak one per task until the table is full. Lock-free: only
     * the calling thread registers or unregisters itself, and a reap never touches a live thread's slot.
     */
    RcuReader registrationOf(Thread thread) {
        for (int i = 0; i < owners.length(); i++) {
            if (owners.get(i) == thread) {
                return registrations.get(i);
            }
        }
        return null;
    }

    /** GP-3: every registered Java reader (volatile load; see {@link #readers}). Do not modify. */
    RcuReader[] readers() {
        return readers;
    }

    /** True while {@code reader} is registered (its slot not freed or reaped). */
    boolean holds(RcuReader reader) {
        return registrations.get(reader.slot()) == reader;
    }

    // Under lock: the registered readers, in slot order.
    private void republish() {
        int n = 0;
        for (int i = 0; i < registrations.length(); i++) {
            if (registrations.get(i) != null) {
                n++;
            }
        }
        RcuReader[] next = new RcuReader[n];
        n = 0;
        for (int i = 0; i < registrations.length() && n < next.length; i++) {
            RcuReader r = registrations.get(i);
            if (r != null) {
                next[n++] = r;
            }
        }
        readers = next;
    }

    /** Frees {@code slot}, which {@code thread} must own. */
    void unregister(int slot, Thread thread) {
        lock.lock();
        try {
            if (owners.get(slot) != thread) {
                throw new IllegalStateException("RCU slot " + slot + " is not owned by " + thread.getName());
            }
            owners.set(slot, null);
            registrations.set(slot, null);
            words.release(slot);
            republish();
        } finally {
            lock.unlock();
        }
    }

    /** The live or dead Java thread owning {@code slot}, or null (free or a C slot). */
    Thread owner(int slot) {
        return owners.get(slot);
    }

    /** Frees {@code slot} if its Java owner has terminated; true if it did. */
    boolean reapIfDead(int slot) {
        Thread t = owners.get(slot);
        if (t == null || t.isAlive()) {
            return false;
        }
        lock.lock();
        try {
            if (owners.get(slot) != t) {
                return false; // reaped meanwhile (by a registration)
            }
            owners.set(slot, null);
            registrations.set(slot, null);
            words.release(slot);
            republish();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Reaps every slot of a dead Java thread; returns how many. */
    int reapDead() {
        lock.lock();
        try {
            return reapDeadLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Number of slots owned by Java threads (live or not yet reaped). */
    int javaSlots() {
        int n = 0;
        for (int i = 0; i < owners.length(); i++) {
            if (owners.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    private int reapDeadLocked() {
        int reaped = 0;
        for (int i = 0; i < owners.length(); i++) {
            Thread t = owners.get(i);
            if (t != null && !t.isAlive()) {
                owners.set(i, null);
                registrations.set(i, null);
                words.release(i);
                reaped++;
            }
        }
        if (reaped > 0) {
            republish();
        }
        return reaped;
    }

    private int claimFree(long token) {
        for (int i = 0; i < words.slotCount(); i++) {
            if (words.owner(i) == 0 && words.claim(i, token)) {
                return i;
            }
        }
        return -1;
    }
}
