package org.guestmem.rcu;

import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_CTR_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;

import java.lang.foreign.MemorySegment;

/**
 * One thread's registration in one {@link Rcu} domain: its slot of the reader table and its nesting depth.
 * {@link Rcu#read()} finds it through a thread-local and returns it as the {@link ReadSection} (no
 * allocation); a hot loop may keep it from {@link Rcu#reader()} and call {@link #read()} directly, which
 * skips the thread-local lookup. Confined to its thread: {@link #read()} from another thread throws
 * {@link WrongThreadException}.
 *
 * <p>Every field except the final ones is written and read by the owner thread only (plain accesses). The
 * shared words live in the off-heap slot; their orderings are named by step (see
 * {@link RcuReaderTableDescriptor}).
 */
public final class RcuReader implements ReadSection {
    // The domain's writer side (for RU-3's wake-up). Not the Rcu itself: the thread-local map holds this
    // object strongly, and a closed, unreachable domain must not stay reachable from every reader thread.
    private final GracePeriod gracePeriod;
    private final MemorySegment table;
    private final long ctrOffset;
    private final long waitingOffset;
    private final int slot;
    private final Thread owner;
    private final Rcu.Flavor flavor;
    /** Nesting depth of read(); owner only. */
    private int depth;
    /** QSBR: registered online by registerThread()/threadOnline(), announcing quiescent states; owner only. */
    private boolean online;
    /** QSBR: went online only for the current outermost section of an offline thread; owner only. */
    private boolean sectionOnline;
    /** QSBR: the value this thread last stored into CTR (0 when offline); owner only. */
    private long lastCtr;
    /** False once the thread unregistered: the slot may belong to another thread now; owner only. */
    private boolean registered = true;

    RcuReader(Rcu.Flavor flavor, GracePeriod gracePeriod, MemorySegment table, int slot, Thread owner) {
        this.gracePeriod = gracePeriod;
        this.table = table;
        this.slot = slot;
        this.owner = owner;
        this.flavor = flavor;
        this.ctrOffset = RcuReaderTableDescriptor.ctrOffset(slot);
        this.waitingOffset = RcuReaderTableDescriptor.waitingOffset(slot);
    }

    /** Opens a (possibly nested) read section on the owner thread; returns this as the section. */
    public ReadSection read() {
        checkOwner();
        lock();
        return this;
    }

    /** Fast path of {@link Rcu#read()}: the caller already knows this is the current thread's reader. */
    void lock() {
        if (depth++ == 0) {
            lockOutermost();
        }
    }

    private void lockOutermost() {
        if (!registered) {
            depth = 0;
            throw new IllegalStateException("RcuReader of " + owner.getName() + " used after unregisterThread();"
                    + " get a new one from Rcu.reader()");
        }
        if (flavor == Rcu.Flavor.QSBR) {
            if (!online) {
                goOnline();
                sectionOnline = true;
            }
            return;
        }
        // RL-1: relaxed load of GP_CTR (QEMU: qatomic_read(&rcu_gp_ctr)); ordered before later loads by RL-3.
        long gp = (long) WORD.getOpaque(table, GP_CTR_OFFSET);
        // RL-2: relaxed store of the snapshot into this slot's CTR; read by the writer's GP-3/GP-5.
        WORD.setOpaque(table, ctrOffset, gp);
        // RL-3: CTR store before every load of RCU-protected data; pairs with GP-1 (store buffering).
        if (flavor == Rcu.Flavor.FENCE) {
            RcuFences.readerFull();
        } else {
            RcuFences.readerCompilerOnly();
        }
    }

    /** Leaves the innermost open section; the outermost runs RU-1..RU-3. */
    @Override
    public void close() {
        int d = depth;
        if (d <= 0) {
            throw new IllegalStateException("ReadSection.close() without a matching read() on " + owner.getName()
                    + " (depth " + d + "): every section is closed exactly once");
        }
        depth = d - 1;
        if (d == 1) {
            unlockOutermost();
        }
    }

    private void unlockOutermost() {
        if (flavor == Rcu.Flavor.QSBR) {
            if (sectionOnline) {
                sectionOnline = false;
                goOffline();
            }
            return;
        }
        // RU-1: release store CTR = 0: the section's accesses happen before the writer's acquire in GP-3/GP-5.
        WORD.setRelease(table, ctrOffset, 0L);
        // RU-2: CTR store before the WAITING load; pairs with the writer's GP-5 fence after GP-4.
        if (flavor == Rcu.Flavor.FENCE) {
            RcuFences.readerFull();
        } else {
            RcuFences.readerCompilerOnly();
        }
        wakeWriterIfWaiting();
    }

    private void wakeWriterIfWaiting() {
        // RU-3: acquire load of WAITING; pairs with the release store of GP-4 (so the writer thread is visible).
        if ((long) WORD.getAcquire(table, waitingOffset) != 0L) {
            WORD.setOpaque(table, waitingOffset, 0L); // relaxed: a hint, the writer re-checks CTR
            gracePeriod.wakeWriter();
        }
    }

    /** {@link Rcu#quiescentState()} without the thread-local lookup; owner thread only. */
    public void quiescentState() {
        checkOwner();
        quiescentStateUnchecked();
    }

    /** {@link Rcu#threadOnline()} without the thread-local lookup; owner thread only. */
    public void threadOnline() {
        checkOwner();
        threadOnlineUnchecked();
    }

    /** {@link Rcu#threadOffline()} without the thread-local lookup; owner thread only. */
    public void threadOffline() {
        checkOwner();
        threadOfflineUnchecked();
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException("RcuReader of " + owner.getName() + " used by " + Thread.currentThread().getName());
        }
    }

    /** QSBR quiescent state (QS-1..QS-3); no-op when offline or for the other flavors. */
    void quiescentStateUnchecked() {
        if (flavor != Rcu.Flavor.QSBR) {
            return;
        }
        if (depth > 0) {
            throw new IllegalStateException("quiescentState() inside a read section on " + owner.getName()
                    + " (depth " + depth + "): close the section first");
        }
        if (!online) {
            return;
        }
        // QS-1: acquire load of GP_CTR; pairs with GP-2's release store, so later loads see what was
        // published before it.
        long gp = (long) WORD.getAcquire(table, GP_CTR_OFFSET);
        if (gp != lastCtr) {
            lastCtr = gp;
            // QS-2: release store CTR = GP_CTR: every earlier read-side access happens before the writer's GP-5 acquire.
            WORD.setRelease(table, ctrOffset, gp);
            // QS-3: CTR store before the WAITING load (pairs with GP-5).
            RcuFences.readerFull();
            wakeWriterIfWaiting();
        }
    }

    void threadOnlineUnchecked() {
        if (flavor != Rcu.Flavor.QSBR || online) {
            return;
        }
        if (!registered) {
            throw new IllegalStateException("RcuReader of " + owner.getName() + " used after unregisterThread()");
        }
        online = true;
        if (sectionOnline) {
            sectionOnline = false; // already online for the open section; stays online after it
        } else {
            goOnline();
        }
    }

    void threadOfflineUnchecked() {
        if (flavor != Rcu.Flavor.QSBR || !online) {
            return;
        }
        if (depth > 0) {
            throw new IllegalStateException("threadOffline() inside a read section on " + owner.getName()
                    + " (depth " + depth + "): close the section first");
        }
        online = false;
        goOffline();
    }

    private void goOnline() {
        // ON-1: CTR = acquire load of GP_CTR (pairs with GP-2).
        long gp = (long) WORD.getAcquire(table, GP_CTR_OFFSET);
        lastCtr = gp;
        WORD.setOpaque(table, ctrOffset, gp);
        // ON-2: CTR store before every later load of RCU-protected data; pairs with GP-1.
        RcuFences.readerFull();
    }

    private void goOffline() {
        lastCtr = 0;
        // OFF-1: release store CTR = 0 (earlier read-side accesses happen before the writer's acquire),
        // then a full fence before the WAITING load (pairs with GP-5).
        WORD.setRelease(table, ctrOffset, 0L);
        RcuFences.readerFull();
        wakeWriterIfWaiting();
    }

    /** Called by the owner when it unregisters; the handle refuses further sections. */
    void unregistered() {
        registered = false;
    }

    int depth() {
        return depth;
    }

    @Override
    public boolean heldIn(Rcu domain) {
        return Thread.currentThread() == owner && depth > 0 && domain != null && domain.writerSide() == gracePeriod;
    }

    boolean online() {
        return online;
    }

    int slot() {
        return slot;
    }

    Thread owner() {
        return owner;
    }

    /** True inside a read section, and for a QSBR thread that is online (its whole run is one section). */
    boolean inReadSection() {
        return depth > 0 || online;
    }
}
