package org.guestmem.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * GP_CTR's copy on the heap, which Java readers read instead of the off-heap word: a field load with no
 * segment checks (bounds, alignment) in RL-1, ON-1 and QS-1. C readers keep reading the off-heap GP_CTR.
 * The writer stores both words in the same step and with the same ordering ({@link ReaderTable#advanceGp()}:
 * GP-2, release; {@link ReaderTable#closeForReaders()}: 0, release), before GP-3's scans of either
 * registry, so a Java reader's snapshot is exactly what the step names for GP_CTR: a value the writer
 * published, never one ahead of it. Padded like {@link ReaderWords} (128 bytes each side): every reader
 * loads it on every outermost entry, and only the writer stores it, once per grace period.
 *
 * <p>{@code value}: written by the synchronize lock holder (release: GP-2, close); read by Java readers
 * (opaque in RL-1, then RL-3's fence; acquire in ON-1 / QS-1, pairing with GP-2's release).
 */
final class GpMirror extends GpMirrorValue {
    /** Reads 0 forever: an unregistered reader's stand-in, so its next RL-1 / ON-1 refuses the section. */
    static final GpMirror ZERO = new GpMirror(0L);

    long r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;

    GpMirror(long initial) {
        VALUE.setRelease(this, initial); // before the mirror is shared: published through final fields
    }

    /** RL-1: relaxed load (ordered before the section's loads by RL-3). */
    long opaque() {
        return (long) VALUE.getOpaque(this);
    }

    /** ON-1 / QS-1: acquire load; pairs with the release store of GP-2. */
    long acquire() {
        return (long) VALUE.getAcquire(this);
    }

    /** GP-2 and the close: release store, right after the same store to the off-heap GP_CTR. */
    void setRelease(long v) {
        VALUE.setRelease(this, v);
    }
}

/** The mirrored word, after 128 bytes of padding (see {@link GpMirror}). */
abstract class GpMirrorValue extends GpMirrorPad {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(GpMirrorValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;
}

/** 128 bytes before the mirrored word. */
abstract class GpMirrorPad {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}
