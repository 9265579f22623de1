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
 * MRU-clear (ORDERING.md, litmus.table variant {@code broken-untagged}), broken: mruBlock holds the bare block and a
 * lookup trusts any block it finds there (QEMU's lookup, relaxed accesses; RamList's {@code trustStaleMru}
 * hook). A reader that walked the list before the unlink fills mruBlock after the updater cleared it, and the
 * reclaimed block stays in mruBlock past the grace period. Expected to FAIL on any CPU: the bug is in the
 * program (a logic race), not in a reordering.
 */
@JCStressTest
@Description("MRU-clear, broken: bare block, a lookup trusts mruBlock")
@Outcome(id = RamLitmusOutcomes.MRU_MISSED, expect = ACCEPTABLE, desc = "reader walked the list after the unlink")
@Outcome(id = RamLitmusOutcomes.MRU_FOUND, expect = ACCEPTABLE, desc = "reader filled mruBlock before the updater cleared it")
@Outcome(id = RamLitmusOutcomes.MRU_LATE, expect = ACCEPTABLE_INTERESTING, desc = "the late fill happened and the lookup after the reclaim rejected it (or ran before it)")
@Outcome(id = RamLitmusOutcomes.MRU_STALE, expect = FORBIDDEN, desc = "the lookup after the grace period used the reclaimed block")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MruClearBroken {
    public static final String SCENARIO = RamLitmusOutcomes.MRU_CLEAR;
    public static final String VARIANT = "broken-untagged";
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);
    private static final boolean TRUST_STALE_MRU = true;

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
