package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * MRU-clear (ORDERING.md, litmus.table variant {@code fixed-removed}), the Java RamList's way: the updater marks
 * the block removed before clearing mruBlock, and a lookup treats a removed block in mruBlock as a miss (the
 * block's descriptor outlives the reclamation of its memory). A reader's fill may still land after the clear
 * (the interesting outcome), but no lookup after the grace period uses it. Expected: the forbidden outcome never
 * appears.
 */
@JCStressTest
@Description("MRU-clear, the Java RamList's way (removed mark, a removed block is a miss)")
@Outcome(id = RamLitmusOutcomes.MRU_MISSED, expect = ACCEPTABLE, desc = "reader walked the list after the unlink")
@Outcome(id = RamLitmusOutcomes.MRU_FOUND, expect = ACCEPTABLE, desc = "reader filled mruBlock before the updater cleared it")
@Outcome(id = RamLitmusOutcomes.MRU_LATE, expect = ACCEPTABLE_INTERESTING, desc = "the late fill happened and the lookup after the reclaim rejected it (or ran before it)")
@Outcome(id = RamLitmusOutcomes.MRU_STALE, expect = FORBIDDEN, desc = "the lookup after the grace period used the reclaimed block")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MruClearFixed {
    public static final String SCENARIO = RamLitmusOutcomes.MRU_CLEAR;
    public static final String VARIANT = "fixed-removed";
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);
    private static final boolean TRUST_STALE_MRU = false;

    private final MruClearState state = new MruClearState();

    @Actor
    public void updater() {
        state.remove(RCU);
    }

    @Actor
    public void reader() {
        state.lookup(RCU, TRUST_STALE_MRU);
        state.lookupAfterReclaim(RCU, TRUST_STALE_MRU);
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
