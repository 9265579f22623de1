package org.guestmem.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The two shared words of a Java reader, CTR and WAITING, as fields of its {@link RcuReader} object on the
 * heap (C readers keep theirs in the off-heap table, {@link RcuReaderTableDescriptor}). Padding classes
 * before and after keep them on a cache line of their own: HotSpot lays out a superclass's fields before a
 * subclass's, so {@code ReaderPadBefore}'s 128 bytes come first, these two words next, and
 * {@code ReaderPadAfter}'s 128 bytes after them; the owner-only fields of {@link RcuReader} follow (the owner
 * writes them and CTR alike, so sharing a line with CTR costs nothing). {@code @Contended} would need
 * {@code -XX:-RestrictContended}.
 *
 * <p>Word semantics and steps are those of the table's slot words (RL-2, RU-1, GP-3, GP-4, ...):
 * <ul>
 * <li>{@code ctr}: written by the owner thread only (RL-2 opaque, RU-1 / QS-2 / OFF-1 release, ON-1 opaque);
 *     read by the writer with acquire loads (GP-3, GP-5).</li>
 * <li>{@code waiting}: set to 1 by the writer (GP-4, release), read by the owner (RU-3, acquire) and cleared
 *     by either (opaque: a wake-up hint, the writer re-checks CTR).</li>
 * </ul>
 * The grace-period counter is not here: it stays one off-heap word ({@code GP_CTR} of the table) that C
 * readers read, and Java readers read its heap copy, {@link GpMirror}, which the writer stores in the same
 * steps (see docs/RCU.md).
 */
abstract class ReaderWords extends ReaderPadBefore {
    static final VarHandle CTR;
    static final VarHandle WAITING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CTR = l.findVarHandle(ReaderWords.class, "ctr", long.class);
            WAITING = l.findVarHandle(ReaderWords.class, "waiting", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Accessed only through CTR / WAITING (see the class comment for who writes and reads, and the steps).
    @SuppressWarnings("unused")
    private long ctr;
    @SuppressWarnings("unused")
    private long waiting;

    /** GP-3 / GP-5: the writer's acquire load of CTR (pairs with RU-1 / QS-2 / OFF-1). */
    final long ctrAcquire() {
        return (long) CTR.getAcquire(this);
    }

    /** GP-4: the writer's release store WAITING = 1 (pairs with RU-3's acquire load). */
    final void markWaiting() {
        WAITING.setRelease(this, 1L);
    }

    /** The writer drops its flag on a reader it no longer waits for (relaxed: a hint). */
    final void clearWaiting() {
        WAITING.setOpaque(this, 0L);
    }
}

/** 128 bytes before the reader words (see {@link ReaderWords}). */
abstract class ReaderPadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** 128 bytes after the reader words (see {@link ReaderWords}). */
abstract class ReaderPadAfter extends ReaderWords {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
