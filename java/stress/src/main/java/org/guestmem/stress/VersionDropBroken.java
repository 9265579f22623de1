package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
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
 * VERSION-drop (ORDERING.md, litmus.table variant {@code broken-nocheck}), broken: the cursor skips R-2-1 and keeps its
 * block across the read sections. When the reclaim's grace period ends between the cursor's two sections, the
 * cursor uses the reclaimed block. Expected to FAIL on any CPU: the bug is in the program, not in a reordering.
 */
@JCStressTest
@Description("VERSION-drop, broken: the cursor skips R-2-1 and keeps its block")
@Outcome(id = RamLitmusOutcomes.VD_A_DROP, expect = ACCEPTABLE, desc = "the version moved, the cursor was dropped")
@Outcome(id = RamLitmusOutcomes.VD_A_LIVE, expect = ACCEPTABLE, desc = "the version did not move, or the grace period still held the block")
@Outcome(id = RamLitmusOutcomes.VD_B_DROP, expect = ACCEPTABLE, desc = "the cursor saw the new list with an older version")
@Outcome(id = RamLitmusOutcomes.VD_B_LIVE, expect = ACCEPTABLE, desc = "the cursor saw the new list")
@Outcome(id = RamLitmusOutcomes.VD_A_DEAD, expect = FORBIDDEN, desc = "the cursor used a reclaimed block")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class VersionDropBroken {
    public static final String SCENARIO = RamLitmusOutcomes.VERSION_DROP;
    public static final String VARIANT = "broken-nocheck";
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);
    private static final boolean CHECK = false;

    private final VersionDropState state = new VersionDropState();

    @Actor
    public void updater() {
        state.insertThenRemove(RCU);
    }

    @Actor
    public void cursor() {
        state.cursor(RCU, CHECK);
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
