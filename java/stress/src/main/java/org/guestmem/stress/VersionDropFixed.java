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
 * VERSION-drop (ORDERING.md, litmus.table variant {@code fixed}), as RamList and MigrationCursor: release version
 * bumps (W-1-2, W-2-2), acquire at R-1-1, relaxed at R-2-1. Either the grace period of the reclaim still holds
 * the cursor's second section (the block is alive) or it ended before it, and then R-2-1 sees the bump and the
 * block is dropped. Expected: the forbidden outcome never appears.
 */
@JCStressTest
@Description("VERSION-drop, release bumps, acquire R-1-1, relaxed R-2-1 (MigrationCursor)")
@Outcome(id = RamLitmusOutcomes.VD_A_DROP, expect = ACCEPTABLE, desc = "the version moved, the cursor was dropped")
@Outcome(id = RamLitmusOutcomes.VD_A_LIVE, expect = ACCEPTABLE, desc = "the version did not move, or the grace period still held the block")
@Outcome(id = RamLitmusOutcomes.VD_B_DROP, expect = ACCEPTABLE, desc = "the cursor saw the new list with an older version")
@Outcome(id = RamLitmusOutcomes.VD_B_LIVE, expect = ACCEPTABLE, desc = "the cursor saw the new list")
@Outcome(id = RamLitmusOutcomes.VD_A_DEAD, expect = FORBIDDEN, desc = "the cursor used a reclaimed block")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class VersionDropFixed {
    public static final String SCENARIO = RamLitmusOutcomes.VERSION_DROP;
    public static final String VARIANT = "fixed";
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);
    private static final boolean CHECK = true;

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
