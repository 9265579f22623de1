package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuFences;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * SB-reader (ORDERING.md, litmus.table variant {@code membarrier}), the MEMBARRIER flavor as a Java reader runs
 * it: the reader's CTR is a long field on the heap (RL-2 {@code setOpaque} through a field VarHandle), then
 * {@link RcuFences#readerCompilerOnly()} (RL-3), then its first load of protected data; the updater unpublishes,
 * runs GP-1 (full fence + membarrier(2)) and loads that field (GP-3). This is the test that fails if a JIT
 * weakened the reader's compiler barrier (moved the first load above the CTR store): membarrier(2) orders
 * what the reader's instruction stream does, not what the compiler reordered. Expected: the forbidden outcome
 * never appears, in interpreter, C1 and C2 (HotSpot behaviour, not a JMM promise).
 */
@JCStressTest
@Description("SB-reader, the MEMBARRIER flavor on a Java reader's heap CTR: compiler-only barrier on the reader, full fence plus membarrier(2) on the updater, as Rcu does")
@Outcome(id = RcuLitmusOutcomes.SB_OLD_BUSY, expect = ACCEPTABLE, desc = "the updater saw the reader and would wait for it")
@Outcome(id = RcuLitmusOutcomes.SB_NEW_IDLE, expect = ACCEPTABLE, desc = "the reader saw the new pointer")
@Outcome(id = RcuLitmusOutcomes.SB_NEW_BUSY, expect = ACCEPTABLE, desc = "both saw each other")
@Outcome(id = RcuLitmusOutcomes.SB_OLD_IDLE, expect = FORBIDDEN, desc = "the updater missed a reader that uses the old pointer")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class SbReaderHeapMembarrier {
    public static final String SCENARIO = RcuLitmusOutcomes.SB_READER;
    public static final String VARIANT = "membarrier";

    private final SbReaderState state = new SbReaderState();

    @Actor
    public void updater() {
        state.unpublishRelease();
        RcuFences.global(Rcu.Flavor.MEMBARRIER); // GP-1
        state.heapCtrLoadAcquire(); // GP-3
    }

    @Actor
    public void reader() {
        state.heapCtrStoreOpaque(); // RL-2
        RcuFences.readerCompilerOnly(); // RL-3
        state.pointerLoadAcquire();
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
