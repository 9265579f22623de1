package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * RCU-gp (ORDERING.md), a broken updater that reclaims before synchronize(): a reader that saw the old pointer
 * inside a read section never sees it reclaimed before the section ends. Expected to FAIL: the forbidden outcome
 * shows up on any hardware, because the bug is in the program order, not in a reordering.
 */
@JCStressTest
@Description("RCU-gp, a broken updater that reclaims before synchronize()")
@Outcome(id = RcuLitmusOutcomes.GP_SAW_NEW, expect = ACCEPTABLE, desc = "reader saw the new block")
@Outcome(id = RcuLitmusOutcomes.GP_SAW_OLD_LIVE, expect = ACCEPTABLE, desc = "reader saw the old block, not yet reclaimed")
@Outcome(id = RcuLitmusOutcomes.GP_SAW_OLD_RECLAIMED, expect = FORBIDDEN, desc = "reader saw the old block reclaimed inside its section")
@Outcome(expect = FORBIDDEN, desc = "impossible: the new block is never reclaimed")
@State
public class RcuGpBroken {
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);

    private final RcuGpState state = new RcuGpState();

    @Actor
    public void reader(II_Result r) {
        state.read(RCU, r);
    }

    @Actor
    public void updater() {
        state.reclaimTooEarly(RCU);
    }
}
