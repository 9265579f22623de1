package org.guestmem.rcu;

import java.lang.foreign.Arena;

/**
 * One thread's registration in one {@link Rcu} domain: its reader words (CTR, WAITING: fields of this
 * object, see {@link ReaderWords}) and its nesting depth. {@link Rcu#read()} finds it through the domain's
 * cache by thread id or a thread-local and returns it as the {@link ReadSection} (no allocation); a hot
 * loop may keep it from {@link Rcu#reader()} and call {@link #read()} directly, which skips the lookup (as a
 * QEMU vCPU thread keeps its TLS {@code rcu_reader}). Confined to its thread: {@link #read()} from another
 * thread throws {@link WrongThreadException}.
 *
 * <p>Every field declared here is written and read by the owner thread only (plain accesses). The shared
 * words are {@link ReaderWords}'s fields and the domain's off-heap GP_CTR; their orderings are named by
 * step (see {@link RcuReaderTableDescriptor}).
 *
 * <p>One final subclass per flavor: the outermost entry and exit ({@code lockOutermost()},
 * {@code unlockOutermost()}) are that subclass's, so a section through a handle of a known flavor runs
 * no flavor test (C2 inlines the one subclass a call site sees; with one flavor loaded, by class hierarchy
 * analysis with no type guard at all).
 */
public abstract sealed class RcuReader extends ReaderPadAfter implements ReadSection
        permits RcuReader.Fence, RcuReader.Membarrier, RcuReader.Qsbr {
    private static final int KIND_FENCE = 0;
    private static final int KIND_MEMBARRIER = 1;
    private static final int KIND_QSBR = 2;
    /** An 8-byte word that stays 0 forever: GP_CTR's stand-in once this reader is unregistered. */
    private static final long ZERO_WORD = Arena.global().allocate(8, 8).address();

    // The domain's writer side (for RU-3's wake-up, and it keeps the off-heap table, hence GP_CTR, reachable
    // while this reader exists). Not the Rcu itself: the thread-local map holds this object strongly, and a
    // closed, unreachable domain must not stay reachable from every reader thread.
    private final GracePeriod gracePeriod;
    private final int slot;
    private final Thread owner;
    private final int kind;
    /**
     * Absolute address of the domain's GP_CTR, read through {@link ReaderWords#ALL} (RL-1, ON-1, QS-1);
     * {@link #ZERO_WORD} once unregistered. GP_CTR reads 0 only then or after the domain closed, which is
     * how the fast path learns of both without a load of its own. Owner only.
     */
    private long gpAddress;
    /** Nesting depth of read(); owner only. */
    private int depth;
    /** QSBR: registered online by registerThread()/threadOnline(), announcing quiescent states; owner only. */
    private boolean online;
    /** QSBR: went online only for the current outermost section of an offline thread; owner only. */
    private boolean sectionOnline;
    /** QSBR: the value this thread last stored into CTR (0 when offline); owner only. */
    private long lastCtr;
    /** False once the thread unregistered; owner only. */
    private boolean registered = true;

    /** A reader of {@code flavor}'s subclass for {@code owner}, in reader slot {@code slot}. */
    static RcuReader create(Rcu.Flavor flavor, GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
        // Each subclass's own factory, typed RcuReader: the verifier then loads none of them for this method,
        // so a process that uses one flavor loads one subclass and C2 inlines it with no type guard.
        return switch (flavor) {
            case FENCE -> Fence.of(gracePeriod, gpAddress, slot, owner);
            case MEMBARRIER -> Membarrier.of(gracePeriod, gpAddress, slot, owner);
            case QSBR -> Qsbr.of(gracePeriod, gpAddress, slot, owner);
        };
    }

    /** FENCE: RL-3 and RU-2 are full fences. */
    static final class Fence extends RcuReader {
        private Fence(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            super(Rcu.Flavor.FENCE, gracePeriod, gpAddress, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            return new Fence(gracePeriod, gpAddress, slot, owner);
        }

        @Override
        void lockOutermost() {
            enterCounted();
            // RL-3: CTR store before every load of RCU-protected data; pairs with GP-1 (store buffering).
            RcuFences.readerFull();
        }

        @Override
        void unlockOutermost() {
            // RU-1: release store CTR = 0: the section's accesses happen before the writer's acquire in GP-3/GP-5.
            CTR.setRelease(this, 0L);
            // RU-2: CTR store before the WAITING load; pairs with the writer's GP-5 fence after GP-4.
            RcuFences.readerFull();
            wakeWriterIfWaiting();
        }
    }

    /** MEMBARRIER: RL-3 and RU-2 order the compiler only; the writer's membarrier(2) orders the hardware. */
    static final class Membarrier extends RcuReader {
        private Membarrier(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            super(Rcu.Flavor.MEMBARRIER, gracePeriod, gpAddress, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            return new Membarrier(gracePeriod, gpAddress, slot, owner);
        }

        @Override
        void lockOutermost() {
            enterCounted();
            // RL-3: CTR store before every load of RCU-protected data; pairs with GP-1 (store buffering).
            RcuFences.readerCompilerOnly();
        }

        @Override
        void unlockOutermost() {
            // RU-1: release store CTR = 0: the section's accesses happen before the writer's acquire in GP-3/GP-5.
            CTR.setRelease(this, 0L);
            // RU-2: CTR store before the WAITING load; pairs with the writer's GP-5 fence after GP-4.
            RcuFences.readerCompilerOnly();
            wakeWriterIfWaiting();
        }
    }

    /** QSBR: a section of an online thread does nothing; an offline thread goes online for the section. */
    static final class Qsbr extends RcuReader {
        private Qsbr(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            super(Rcu.Flavor.QSBR, gracePeriod, gpAddress, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
            return new Qsbr(gracePeriod, gpAddress, slot, owner);
        }

        @Override
        void lockOutermost() {
            enterQsbr();
        }

        @Override
        void unlockOutermost() {
            exitQsbr();
        }
    }

    private RcuReader(Rcu.Flavor flavor, GracePeriod gracePeriod, long gpAddress, int slot, Thread owner) {
        this.gracePeriod = gracePeriod;
        this.gpAddress = gpAddress;
        this.slot = slot;
        this.owner = owner;
        this.kind = switch (flavor) {
            case FENCE -> KIND_FENCE;
            case MEMBARRIER -> KIND_MEMBARRIER;
            case QSBR -> KIND_QSBR;
        };
    }

    /** Opens a (possibly nested) read section on the owner thread; returns this as the section. */
    public final ReadSection read() {
        if (Thread.currentThread() != owner) {
            throw wrongThread();
        }
        lock();
        return this;
    }

    /** Fast path of {@link Rcu#read()}: the caller already knows this is the current thread's reader. */
    final void lock() {
        // The outermost case stores a constant, so the next close()'s load of depth does not wait on this
        // load (no store-to-load dependency chain through depth across back-to-back sections).
        int d = depth;
        if (d == 0) {
            depth = 1;
            lockOutermost();
        } else {
            depth = d + 1;
        }
    }

    /** The outermost entry: the flavor's subclass runs RL-1..RL-3 (or goes online for QSBR). */
    abstract void lockOutermost();

    /** QSBR's outermost entry: an offline thread goes online for the section (ON-1, ON-2). */
    final void enterQsbr() {
        if (!online) {
            goOnline();
            sectionOnline = true;
        }
    }

    /** RL-1 and RL-2 of FENCE and MEMBARRIER; the subclass adds RL-3. */
    final void enterCounted() {
        // RL-1: relaxed load of GP_CTR (QEMU: qatomic_read(&rcu_gp_ctr)); ordered before later loads by RL-3.
        long gp = (long) RcuReaderTableDescriptor.WORD.getOpaque(ALL, gpAddress);
        if (gp == 0) {
            throw refused();
        }
        // RL-2: relaxed store of the snapshot into this reader's CTR; read by the writer's GP-3/GP-5.
        CTR.setOpaque(this, gp);
    }

    /** RL-1 or ON-1 read 0: the thread unregistered, or the domain closed. Leaves the section unopened. */
    final IllegalStateException refused() {
        depth = 0;
        if (!registered) {
            return new IllegalStateException("RcuReader of " + owner.getName() + " used after unregisterThread();"
                    + " get a new one from Rcu.reader()");
        }
        return new IllegalStateException("read section on " + owner.getName() + " in a closed RCU domain");
    }

    /** Leaves the innermost open section; the outermost runs RU-1..RU-3. */
    @Override
    public final void close() {
        int d = depth;
        if (d == 1) {
            depth = 0; // a constant, as in lock()
            unlockOutermost();
        } else if (d > 1) {
            depth = d - 1;
        } else {
            throw new IllegalStateException("ReadSection.close() without a matching read() on " + owner.getName()
                    + " (depth " + d + "): every section is closed exactly once");
        }
    }

    /** The outermost exit: the flavor's subclass runs RU-1..RU-3 (or goes offline again for QSBR). */
    abstract void unlockOutermost();

    /** QSBR's outermost exit: a thread that went online only for this section goes offline (OFF-1). */
    final void exitQsbr() {
        if (sectionOnline) {
            sectionOnline = false;
            goOffline();
        }
    }

    final void wakeWriterIfWaiting() {
        // RU-3: acquire load of WAITING; pairs with the release store of GP-4 (so the writer thread is visible).
        if ((long) WAITING.getAcquire(this) != 0L) {
            WAITING.setOpaque(this, 0L); // relaxed: a hint, the writer re-checks CTR
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
            throw wrongThread();
        }
    }

    private WrongThreadException wrongThread() {
        return new WrongThreadException("RcuReader of " + owner.getName() + " used by " + Thread.currentThread().getName());
    }

    /** QSBR quiescent state (QS-1..QS-3); no-op when offline or for the other flavors. */
    void quiescentStateUnchecked() {
        if (kind != KIND_QSBR) {
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
        long gp = (long) RcuReaderTableDescriptor.WORD.getAcquire(ALL, gpAddress);
        if (gp != lastCtr && gp != 0) { // 0: the domain closed; nothing waits any more
            lastCtr = gp;
            // QS-2: release store CTR = GP_CTR: every earlier read-side access happens before the writer's GP-5 acquire.
            CTR.setRelease(this, gp);
            // QS-3: CTR store before the WAITING load (pairs with GP-5).
            RcuFences.readerFull();
            wakeWriterIfWaiting();
        }
    }

    void threadOnlineUnchecked() {
        if (kind != KIND_QSBR || online) {
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
        if (kind != KIND_QSBR || !online) {
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
        long gp = (long) RcuReaderTableDescriptor.WORD.getAcquire(ALL, gpAddress);
        if (gp == 0) {
            online = false;
            sectionOnline = false;
            throw refused();
        }
        lastCtr = gp;
        CTR.setOpaque(this, gp);
        // ON-2: CTR store before every later load of RCU-protected data; pairs with GP-1.
        RcuFences.readerFull();
    }

    private void goOffline() {
        lastCtr = 0;
        // OFF-1: release store CTR = 0 (earlier read-side accesses happen before the writer's acquire),
        // then a full fence before the WAITING load (pairs with GP-5).
        CTR.setRelease(this, 0L);
        RcuFences.readerFull();
        wakeWriterIfWaiting();
    }

    /** Called by the owner when it unregisters; the handle refuses further sections. */
    void unregistered() {
        registered = false;
        gpAddress = ZERO_WORD;
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
