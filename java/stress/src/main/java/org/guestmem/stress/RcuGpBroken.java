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
 * RCU-gp (ORDERING.md, litmus.table variant {@code broken-nowait}), broken: the updater reclaims without waiting for readers: a reader that saw the old block
 * inside a read section never sees it reclaimed before the section ends. Expected to FAIL on any CPU: the bug is in the program, not in a reordering.
 */
@JCStressTest
@Description("RCU-gp, broken: the updater reclaims without waiting for readers")
@Outcome(id = RcuLitmusOutcomes.GP_OLD_LIVE, expect = ACCEPTABLE, desc = "reader section ran before the unlink, or the grace period waited for it")
@Outcome(id = RcuLitmusOutcomes.GP_NEW_LIVE, expect = ACCEPTABLE, desc = "reader section started after the unlink")
@Outcome(id = RcuLitmusOutcomes.GP_OLD_DEAD, expect = FORBIDDEN, desc = "the block was reclaimed while a section that saw it was open")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class RcuGpBroken {
    public static final String SCENARIO = RcuLitmusOutcomes.RCU_GP;
    public static final String VARIANT = "broken-nowait";
    static final Rcu RCU = Rcu.create(Rcu.Flavor.FENCE);

    private final RcuGpState state = new RcuGpState();

    @Actor
    public void updater() {
        state.replaceAndReclaimWithoutWaiting();
    }

    @Actor
    public void reader() {
        state.read(RCU);
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
