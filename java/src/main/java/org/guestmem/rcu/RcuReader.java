package org.guestmem.rcu;

/**
 * One thread's registration in one {@link Rcu} domain: its reader words (CTR, WAITING: fields of this
 * object, see {@link ReaderWords}) and its nesting depth. {@link Rcu#read()} finds it through the domain's
 * entry by thread id or a thread-local and returns it as the {@link ReadSection} (no allocation); a hot
 * loop may keep it from {@link Rcu#reader()} and call {@link #read()} directly, which skips the lookup (as a
 * QEMU vCPU thread keeps its TLS {@code rcu_reader}). Confined to its thread: {@link #read()} from another
 * thread throws {@link WrongThreadException}.
 *
 * <p>Every field declared here and in the subclasses is written and read by the owner thread only (plain
 * accesses). The shared words are {@link ReaderWords}'s fields and GP_CTR's heap copy ({@link GpMirror});
 * their orderings are named by step (see {@link RcuReaderTableDescriptor}).
 *
 * <p>One final subclass per flavor, each with its own {@code lock()} and {@link #close()}: a section through
 * a handle of a known flavor runs no flavor test (C2 inlines the one subclass a call site sees; with one
 * flavor loaded, by class hierarchy analysis with no type guard at all). Each keeps the outermost entry and
 * exit to one load and one store of its own state, as liburcu keeps its nesting count in the reader's
 * {@code ctr} word:
 * <ul>
 * <li>FENCE and MEMBARRIER ({@link Counted}): an outermost section is open exactly while CTR is not 0 (RL-2
 *     stores a GP_CTR snapshot, which is odd, RU-1 stores 0), so the owner's plain read of its own CTR tells
 *     the outermost entry and exit from nested ones, and only nested sections count in a field.</li>
 * <li>QSBR ({@link Qsbr}): the depth and the online flag share one int, so an online thread's section is
 *     one compare and one store each way.</li>
 * </ul>
 */
public abstract sealed class RcuReader extends ReaderPadAfter implements ReadSection
        permits RcuReader.Counted, RcuReader.Qsbr {
    // The domain's writer side (for RU-3's wake-up, and it keeps the off-heap table, hence GP_CTR, reachable
    // while this reader exists). Not the Rcu itself: the thread-local map holds this object strongly, and a
    // closed, unreachable domain must not stay reachable from every reader thread.
    private final GracePeriod gracePeriod;
    private final int slot;
    private final Thread owner;
    /**
     * {@code owner.threadId()}: the owner check compares thread ids, which are never reused. In a section's
     * compiled code that is two loads and a compare, one instruction fewer than comparing the {@code Thread}
     * (whose compressed reference must be decoded first); the MEMBARRIER handle row took about 7% less.
     */
    private final long ownerId;
    /**
     * The domain's GP_CTR as Java readers read it (RL-1, ON-1, QS-1); {@link GpMirror#ZERO} once
     * unregistered. It reads 0 only then or after the domain closed, which is how the fast path learns of
     * both without a load of its own. Owner only.
     */
    private GpMirror gp;
    /** False once the thread unregistered; owner only. */
    private boolean registered = true;

    /** A reader of {@code flavor}'s subclass for {@code owner}, in reader slot {@code slot}. */
    static RcuReader create(Rcu.Flavor flavor, GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
        // Each subclass's own factory, typed RcuReader: the verifier then loads none of them for this method,
        // so a process that uses one flavor loads one subclass and C2 inlines it with no type guard.
        return switch (flavor) {
            case FENCE -> Fence.of(gracePeriod, gp, slot, owner);
            case MEMBARRIER -> Membarrier.of(gracePeriod, gp, slot, owner);
            case QSBR -> Qsbr.of(gracePeriod, gp, slot, owner);
        };
    }

    private RcuReader(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
        this.gracePeriod = gracePeriod;
        this.gp = gp;
        this.slot = slot;
        this.owner = owner;
        this.ownerId = owner.threadId();
    }

    /**
     * FENCE and MEMBARRIER: CTR holds a GP_CTR snapshot for the outermost section and 0 outside it; the
     * subclass supplies RL-3 and RU-2.
     */
    abstract static sealed class Counted extends RcuReader permits Fence, Membarrier {
        /** Sections open inside the outermost one; owner only. */
        private int nested;

        private Counted(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            super(gracePeriod, gp, slot, owner);
        }

        /** The owner's plain read of its own CTR: not 0 exactly while its outermost section is open. */
        private long ownCtr() {
            return (long) CTR.get(this);
        }

        @Override
        final void lock() {
            if (ownCtr() == 0L) {
                enterCounted();
                readerFence();
            } else {
                nested++;
            }
        }

        @Override
        public final void close() {
            int n = nested;
            if (n != 0) {
                nested = n - 1;
            } else if (ownCtr() != 0L) {
                // RU-1: release store CTR = 0: the section's accesses happen before the writer's acquire in GP-3/GP-5.
                CTR.setRelease(this, 0L);
                // RU-2: CTR store before the WAITING load; pairs with the writer's GP-5 fence after GP-4.
                readerFence();
                wakeWriterIfWaiting();
            } else {
                throw unmatchedClose();
            }
        }

        /** RL-3 after RL-2 and RU-2 after RU-1: the flavor's reader barrier. */
        abstract void readerFence();

        @Override
        final int depth() {
            return ownCtr() == 0L ? 0 : nested + 1;
        }

        @Override
        final boolean inSection() {
            return ownCtr() != 0L;
        }
    }

    /** FENCE: RL-3 and RU-2 are full fences. */
    static final class Fence extends Counted {
        private Fence(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            super(gracePeriod, gp, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            return new Fence(gracePeriod, gp, slot, owner);
        }

        @Override
        void readerFence() {
            // RL-3: CTR store before every load of RCU-protected data; pairs with GP-1 (store buffering).
            // RU-2: CTR store before the WAITING load; pairs with the writer's GP-5 fence after GP-4.
            RcuFences.readerFull();
        }
    }

    /** MEMBARRIER: RL-3 and RU-2 order the compiler only; the writer's membarrier(2) orders the hardware. */
    static final class Membarrier extends Counted {
        private Membarrier(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            super(gracePeriod, gp, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            return new Membarrier(gracePeriod, gp, slot, owner);
        }

        @Override
        void readerFence() {
            // RL-3 / RU-2 as in FENCE; the hardware half is the writer's membarrier(2) in GP-1 and GP-5.
            RcuFences.readerCompilerOnly();
        }
    }

    /**
     * QSBR: a section of an online thread only counts its depth; an offline thread goes online for the
     * section and offline after it.
     */
    static final class Qsbr extends RcuReader {
        private static final int ONLINE = 1;
        private static final int DEPTH_ONE = 2;
        /** {@code depth * DEPTH_ONE + (online ? ONLINE : 0)}; owner only. */
        private int state;
        /** Went online only for the current outermost section of an offline thread; owner only. */
        private boolean sectionOnline;
        /** The value this thread last stored into CTR (0 when offline); owner only. */
        private long lastCtr;

        private Qsbr(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            super(gracePeriod, gp, slot, owner);
        }

        static RcuReader of(GracePeriod gracePeriod, GpMirror gp, int slot, Thread owner) {
            return new Qsbr(gracePeriod, gp, slot, owner);
        }

        @Override
        void lock() {
            int s = state;
            if (s == ONLINE) {
                state = ONLINE + DEPTH_ONE; // the online thread's outermost section: nothing to announce
            } else if (s >= DEPTH_ONE) {
                state = s + DEPTH_ONE;
            } else {
                goOnline(); // offline: online for this section only (ON-1, ON-2); throws if refused
                sectionOnline = true;
                state = DEPTH_ONE;
            }
        }

        @Override
        public void close() {
            int s = state;
            if (s == ONLINE + DEPTH_ONE) {
                state = ONLINE;
            } else if (s >= DEPTH_ONE) {
                state = s - DEPTH_ONE;
                if (s - DEPTH_ONE < DEPTH_ONE && sectionOnline) {
                    sectionOnline = false;
                    goOffline(); // OFF-1
                }
            } else {
                throw unmatchedClose();
            }
        }

        @Override
        int depth() {
            return state / DEPTH_ONE;
        }

        @Override
        boolean inSection() {
            return state >= DEPTH_ONE;
        }

        @Override
        boolean online() {
            return (state & ONLINE) != 0;
        }

        @Override
        void quiescentStateUnchecked() {
            if (depth() > 0) {
                throw insideSection("quiescentState()");
            }
            if (!online()) {
                return;
            }
            // QS-1: acquire load of GP_CTR; pairs with GP-2's release store, so later loads see what was
            // published before it.
            long gp = gpAcquire();
            if (gp != lastCtr && gp != 0) { // 0: the domain closed; nothing waits any more
                lastCtr = gp;
                // QS-2: release store CTR = GP_CTR: every earlier read-side access happens before the writer's GP-5 acquire.
                CTR.setRelease(this, gp);
                // QS-3: CTR store before the WAITING load (pairs with GP-5).
                RcuFences.readerFull();
                wakeWriterIfWaiting();
            }
        }

        @Override
        void threadOnlineUnchecked() {
            if (online()) {
                return;
            }
            if (!registered()) {
                throw new IllegalStateException("RcuReader of " + owner().getName() + " used after unregisterThread()");
            }
            if (sectionOnline) {
                sectionOnline = false; // already online for the open section; stays online after it
            } else {
                goOnline();
            }
            state |= ONLINE;
        }

        @Override
        void threadOfflineUnchecked() {
            if (!online()) {
                return;
            }
            if (depth() > 0) {
                throw insideSection("threadOffline()");
            }
            state &= ~ONLINE;
            goOffline();
        }

        private void goOnline() {
            // ON-1: CTR = acquire load of GP_CTR (pairs with GP-2).
            long gp = gpAcquire();
            if (gp == 0) {
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
    }

    /** Opens a (possibly nested) read section on the owner thread; returns this as the section. */
    public final ReadSection read() {
        checkOwner();
        lock();
        return this;
    }

    /**
     * Fast path of {@link Rcu#read()}: the caller already knows this is the current thread's reader. The
     * outermost entry runs RL-1..RL-3 (QSBR: goes online if the thread is offline, ON-1 and ON-2).
     */
    abstract void lock();

    /** Leaves the innermost open section; the outermost runs RU-1..RU-3 (QSBR offline thread: OFF-1). */
    @Override
    public abstract void close();

    /** RL-1 and RL-2 of FENCE and MEMBARRIER; the subclass adds RL-3. */
    final void enterCounted() {
        // RL-1: relaxed load of GP_CTR (QEMU: qatomic_read(&rcu_gp_ctr)); ordered before later loads by RL-3.
        long g = gp.opaque();
        if (g == 0) {
            throw refused();
        }
        // RL-2: relaxed store of the snapshot into this reader's CTR; read by the writer's GP-3/GP-5.
        CTR.setOpaque(this, g);
    }

    /** QS-1 / ON-1: acquire load of GP_CTR (pairs with GP-2's release store). */
    final long gpAcquire() {
        return gp.acquire();
    }

    /** RL-1 or ON-1 read 0: the thread unregistered, or the domain closed. The section stays unopened. */
    final IllegalStateException refused() {
        if (!registered) {
            return new IllegalStateException("RcuReader of " + owner.getName() + " used after unregisterThread();"
                    + " get a new one from Rcu.reader()");
        }
        return new IllegalStateException("read section on " + owner.getName() + " in a closed RCU domain");
    }

    final IllegalStateException unmatchedClose() {
        return new IllegalStateException("ReadSection.close() without a matching read() on " + owner.getName()
                + " (no section open): every section is closed exactly once");
    }

    final IllegalStateException insideSection(String what) {
        return new IllegalStateException(what + " inside a read section on " + owner.getName()
                + " (depth " + depth() + "): close the section first");
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
        if (!ownedByCurrentThread()) {
            throw wrongThread();
        }
    }

    /** The owner check of every entry point (and of {@link #heldIn}, on every guest write). */
    private boolean ownedByCurrentThread() {
        return Thread.currentThread().threadId() == ownerId;
    }

    private WrongThreadException wrongThread() {
        return new WrongThreadException("RcuReader of " + owner.getName() + " used by " + Thread.currentThread().getName());
    }

    /** QSBR quiescent state (QS-1..QS-3); a no-op for the other flavors. */
    void quiescentStateUnchecked() {
    }

    /** QSBR: go online (ON-1, ON-2); a no-op for the other flavors. */
    void threadOnlineUnchecked() {
    }

    /** QSBR: go offline (OFF-1); a no-op for the other flavors. */
    void threadOfflineUnchecked() {
    }

    /** Called by the owner when it unregisters; the handle refuses further sections. */
    void unregistered() {
        registered = false;
        gp = GpMirror.ZERO;
    }

    final boolean registered() {
        return registered;
    }

    /** Nesting depth of open sections; owner only. */
    abstract int depth();

    /** {@code depth() > 0} with one load (heldIn() runs on every guest write); owner only. */
    abstract boolean inSection();

    /** QSBR: registered online (announcing quiescent states); false for the other flavors. */
    boolean online() {
        return false;
    }

    @Override
    public boolean heldIn(Rcu domain) {
        return ownedByCurrentThread() && inSection() && domain != null && domain.writerSide() == gracePeriod;
    }

    int slot() {
        return slot;
    }

    Thread owner() {
        return owner;
    }

    /** True inside a read section, and for a QSBR thread that is online (its whole run is one section). */
    boolean inReadSection() {
        return inSection() || online();
    }
}
