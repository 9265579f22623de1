package org.guestmem.parity;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The access vocabulary of the Java litmus sides, one word for each word of {@code native/src/protocol.h}
 * (ORDERING.md "Mapping of primitives"), on 64-bit words of a native segment at a byte offset:
 *
 * <pre>
 *   plain    get / set               gm_load_plain / gm_store_plain
 *   relaxed  getOpaque / setOpaque   gm_load_relaxed / gm_store_relaxed
 *   acquire  getAcquire              gm_load_acquire
 *   release  setRelease              gm_store_release
 *   seq_cst  getVolatile/setVolatile gm_load_seq_cst / gm_store_seq_cst
 * </pre>
 *
 * plus the rendezvous, delay and jitter of {@code native/src/litmus.h}, so that a Java side and a C side
 * meet before every cell the same way.
 */
final class LitmusWords {
    /** (MemorySegment, long byteOffset) -&gt; long: every shared word of a cell. */
    static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    /** Byte offset, within a side's rendezvous line, of its count of cells reached only after a yield. */
    static final long YIELDED = 8;

    // Keeps the delay loops alive (the JIT may not drop a loop whose result is stored). Written by any
    // side thread, read by nobody: plain, a racy sink on purpose.
    private static long sink;

    private LitmusWords() {}

    static long plain(MemorySegment s, long off) {
        return (long) WORD.get(s, off);
    }

    static void setPlain(MemorySegment s, long off, long v) {
        WORD.set(s, off, v);
    }

    static long relaxed(MemorySegment s, long off) {
        return (long) WORD.getOpaque(s, off);
    }

    static void setRelaxed(MemorySegment s, long off, long v) {
        WORD.setOpaque(s, off, v);
    }

    static long acquire(MemorySegment s, long off) {
        return (long) WORD.getAcquire(s, off);
    }

    static void setRelease(MemorySegment s, long off, long v) {
        WORD.setRelease(s, off, v);
    }

    static long seqCst(MemorySegment s, long off) {
        return (long) WORD.getVolatile(s, off);
    }

    static void setSeqCst(MemorySegment s, long off, long v) {
        WORD.setVolatile(s, off, v);
    }

    /** W-1-2 / W-2-2 (gm_version_bump_release): release store of version + 1; only the updater writes it. */
    static void bumpRelease(MemorySegment s, long off) {
        setRelease(s, off, plain(s, off) + 1);
    }

    /**
     * gm_litmus_rendezvous, staggered: side {@code self} stores the number of cells it has started into its word of the
     * rendezvous block (release; pairs with the other side's acquire below, C or Java) and spins until the
     * other side's word reaches it. Yields now and then: there may be more threads than free CPUs; a cell
     * whose rendezvous needed a yield is counted in the side's {@link #YIELDED} word.
     */
    static void rendezvous(MemorySegment sync, int self, long i) {
        long want = i + 1;
        setRelease(sync, 64L * self, want);
        long other = 64L * (1 - self);
        boolean yielded = false;
        for (int spins = 1; acquire(sync, other) < want; spins++) {
            Thread.onSpinWait();
            if ((spins & 0x3fff) == 0) {
                Thread.yield();
                yielded = true;
            }
        }
        if (yielded) { // the other side was not running: count the cell (owner-only word, read after the join)
            setPlain(sync, 64L * self + YIELDED, plain(sync, 64L * self + YIELDED) + 1);
        }
        delay(stagger(i, self));
    }

    /** The span of {@link #stagger}: GM_LITMUS_STAGGER. */
    static final int STAGGER = 256;

    /**
     * gm_litmus_stagger: where side {@code self} starts its body after the rendezvous of cell {@code i}, a
     * delay in [0, {@link #STAGGER}) from the same hash as C with each side's own salt, so that over a run
     * the two bodies meet at every relative offset in about +-STAGGER delay turns (litmus7's staggering).
     */
    static int stagger(long i, int self) {
        return jitter(i, self != 0 ? 0x9e3779b9 : 0x7f4a7c15, STAGGER);
    }


    /** gm_litmus_jitter: a delay in [0, span) that changes from cell to cell (the same hash as C). */
    static int jitter(long i, int salt, int span) {
        int h = ((int) i ^ salt) * (int) 2654435761L;
        return (h >>> 16) % span;
    }

    /** gm_litmus_delay: busy work of about n loop turns. */
    static void delay(int n) {
        long x = n;
        for (int k = 0; k < n; k++) {
            x = x * 31 + k;
        }
        sink = x;
    }
}
