package org.guestmem.rcu;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer side of a domain: {@code synchronize_rcu} and {@code wait_for_readers} (steps GP-1..GP-5 of
 * {@link RcuReaderTableDescriptor}). One grace period at a time ({@link #syncLock}). Each grace period
 * scans both registries: the C readers' slots of the off-heap table and the Java readers' heap words
 * ({@link ReaderRegistry#readers()}).
 *
 * <p>Waiting: after the first scan, a short spin re-scans the pending readers (sections are usually short);
 * then the writer flags the pending readers (GP-4), fences (GP-5) and parks. A Java reader that finds its
 * flag set on leaving unparks the writer; the park is bounded (50 µs doubling to 1 ms) so that C readers,
 * which cannot unpark a Java thread, and slots of dead threads are still noticed.
 */
final class GracePeriod {
    private static final int SPIN_SCANS = 256;
    private static final long MIN_PARK_NS = 50_000;
    private static final long MAX_PARK_NS = 1_000_000;

    private final ReaderTable table;
    private final ReaderRegistry registry;
    private final Rcu.Flavor flavor;
    private final ReentrantLock syncLock = new ReentrantLock();
    // Written by the synchronize caller (under syncLock) before GP-4's release stores; read by readers in
    // RU-3 after their acquire load of WAITING (volatile: the reader may run any time later).
    private volatile Thread waiter;
    // Pending readers of the current grace period (C table slots, Java reader objects) and their counts;
    // syncLock holder only.
    private int[] pendingC = new int[16];
    private RcuReader[] pendingJ = new RcuReader[16];
    private int nC;
    private int nJ;
    // Grace periods started / completed: written by the syncLock holder only, read by every synchronize
    // caller on entry (volatile; the entry fence orders the caller's unpublish before that read).
    private volatile long started;
    private volatile long completed;

    GracePeriod(ReaderTable table, ReaderRegistry registry, Rcu.Flavor flavor) {
        this.table = table;
        this.registry = registry;
        this.flavor = flavor;
    }

    /**
     * Waits until every read section that was open when this was called has closed. Callers that queue up
     * behind a running grace period share the next one (liburcu batches concurrent synchronize calls too).
     */
    void synchronize() {
        // Entry fence: the caller's unpublish before its read of `started`. If another caller then runs the
        // grace period this one shares, that caller's GP-1 comes after this fence (its write of `started`
        // follows the value read here), so the unpublish is ordered before that grace period's CTR scan.
        VarHandle.fullFence();
        long need = started + 1; // the first grace period that starts after this call
        syncLock.lock();
        try {
            if (completed >= need) {
                return; // a whole grace period started after this call and has completed
            }
            started = started + 1;
            // GP-1: the updater's unpublish before the CTR loads of GP-3; pairs with RL-3 / ON-2.
            RcuFences.global(flavor);
            // GP-2
            long gp = table.advanceGp();
            // GP-3
            scanAll(gp);
            if (nC + nJ > 0) {
                waitForPending(gp);
            }
            completed = started;
        } finally {
            syncLock.unlock();
        }
    }

    long completed() {
        return completed;
    }

    /** RU-3's wake-up: unparks the writer that flagged the caller's slot. */
    void wakeWriter() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // GP-3 over both registries: C readers' slots of the off-heap table, then the Java readers' heap words.
    private void scanAll(long gp) {
        int limit = table.slotLimit();
        int n = 0;
        for (int slot = 0; slot < limit; slot++) {
            if (ongoing(table.ctr(slot), gp)) {
                if (n == pendingC.length) {
                    pendingC = Arrays.copyOf(pendingC, n * 2);
                }
                pendingC[n++] = slot;
            }
        }
        nC = n;
        RcuReader[] all = registry.readers();
        n = 0;
        for (RcuReader r : all) {
            if (ongoing(r.ctrAcquire(), gp)) {
                if (n == pendingJ.length) {
                    pendingJ = Arrays.copyOf(pendingJ, n * 2);
                }
                pendingJ[n++] = r;
            }
        }
        nJ = n;
    }

    /** A reader holds grace period {@code gp} open iff its CTR is a snapshot taken before GP-2. */
    private static boolean ongoing(long ctr, long gp) {
        return ctr != 0 && ctr != gp;
    }

    private void waitForPending(long gp) {
        for (int spin = 0; spin < SPIN_SCANS && nC + nJ > 0; spin++) {
            Thread.onSpinWait();
            rescan(gp, false);
        }
        if (nC + nJ == 0) {
            return;
        }
        waiter = Thread.currentThread();
        for (int i = 0; i < nC; i++) {
            table.markWaiting(pendingC[i]); // GP-4
        }
        for (int i = 0; i < nJ; i++) {
            pendingJ[i].markWaiting(); // GP-4
        }
        // GP-5: WAITING stores before the CTR re-loads; pairs with RU-2 / QS-3 / OFF-1.
        RcuFences.global(flavor);
        long parkNs = MIN_PARK_NS;
        boolean interrupted = false;
        while (true) {
            rescan(gp, true);
            if (nJ > 0) {
                reapDead();
            }
            if (nC + nJ == 0) {
                break;
            }
            LockSupport.parkNanos(this, parkNs);
            parkNs = Math.min(parkNs * 2, MAX_PARK_NS);
            interrupted |= Thread.interrupted(); // synchronize() is not interruptible: keep the flag for later
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** GP-5: keeps the readers still ongoing at the front of the pending arrays. */
    private void rescan(long gp, boolean flagged) {
        int kept = 0;
        for (int i = 0; i < nC; i++) {
            int slot = pendingC[i];
            if (ongoing(table.ctr(slot), gp)) {
                pendingC[kept++] = slot;
            } else if (flagged) {
                table.clearWaiting(slot);
            }
        }
        nC = kept;
        kept = 0;
        for (int i = 0; i < nJ; i++) {
            RcuReader r = pendingJ[i];
            if (ongoing(r.ctrAcquire(), gp)) {
                pendingJ[kept++] = r;
            } else if (flagged) {
                r.clearWaiting();
            }
        }
        for (int i = kept; i < nJ; i++) {
            pendingJ[i] = null; // no reference to a finished reader outlives the grace period
        }
        nJ = kept;
    }

    /**
     * Drops pending Java readers whose owner has terminated (the registry frees their slots) or that are no
     * longer registered (C readers are never reaped: a C thread releases its own slot).
     */
    private void reapDead() {
        int kept = 0;
        for (int i = 0; i < nJ; i++) {
            RcuReader r = pendingJ[i];
            boolean gone = !registry.holds(r) || registry.reapIfDead(r.slot());
            if (!gone) {
                pendingJ[kept++] = r;
            }
        }
        for (int i = kept; i < nJ; i++) {
            pendingJ[i] = null;
        }
        nJ = kept;
    }
}
