package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.guestmem.rcu.RcuFences;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * SB-reader (ORDERING.md, litmus.table variant {@code broken-nofence}) on a Java reader's heap CTR (the twin of
 * {@link SbReaderBroken}; shows the heap variants bite), broken: relaxed store and load with
 * compiler barriers only, on both sides (no fence, no membarrier): either the updater's scan sees the reader's
 * counter, or the reader's first load sees the unpublish; never neither. Expected to FAIL on x86: TSO lets each
 * store wait in the store buffer past the following load.
 */
@JCStressTest
@Description("SB-reader on a Java reader's heap CTR, broken: relaxed store and load with compiler barriers only, on both sides (no fence, no membarrier)")
@Outcome(id = RcuLitmusOutcomes.SB_OLD_BUSY, expect = ACCEPTABLE, desc = "the updater saw the reader and would wait for it")
@Outcome(id = RcuLitmusOutcomes.SB_NEW_IDLE, expect = ACCEPTABLE, desc = "the reader saw the new pointer")
@Outcome(id = RcuLitmusOutcomes.SB_NEW_BUSY, expect = ACCEPTABLE, desc = "both saw each other")
@Outcome(id = RcuLitmusOutcomes.SB_OLD_IDLE, expect = FORBIDDEN, desc = "the updater missed a reader that uses the old pointer")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class SbReaderHeapBroken {
    public static final String SCENARIO = RcuLitmusOutcomes.SB_READER;
    public static final String VARIANT = "broken-nofence";

    private final SbReaderState state = new SbReaderState();

    @Actor
    public void updater() {
        state.unpublishOpaque();
        RcuFences.readerCompilerOnly();
        state.heapCtrLoadOpaque();
    }

    @Actor
    public void reader() {
        state.heapCtrStoreOpaque();
        RcuFences.readerCompilerOnly();
        state.pointerLoadOpaque();
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
