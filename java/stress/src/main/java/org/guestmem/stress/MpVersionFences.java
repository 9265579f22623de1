package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * MP-version (ORDERING.md, litmus.table variant {@code fences}), the form before the QEMU patch: a relaxed version
 * store after a release fence (smp_wmb) and a relaxed version load before an acquire fence (smp_rmb). Expected:
 * the forbidden outcome never appears.
 */
@JCStressTest
@Description("MP-version, relaxed version with release/acquire fences (smp_wmb/smp_rmb)")
@Outcome(id = RamLitmusOutcomes.MP_OLD_OLD, expect = ACCEPTABLE, desc = "reader ran before the updater")
@Outcome(id = RamLitmusOutcomes.MP_OLD_NEW, expect = ACCEPTABLE, desc = "reader read the version before W-1-2 and the list after W-1-1")
@Outcome(id = RamLitmusOutcomes.MP_NEW_NEW, expect = ACCEPTABLE, desc = "reader ran after the updater")
@Outcome(id = RamLitmusOutcomes.MP_NEW_OLD, expect = FORBIDDEN, desc = "reader saw the bumped version but the old list")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MpVersionFences {
    public static final String SCENARIO = RamLitmusOutcomes.MP_VERSION;
    public static final String VARIANT = "fences";

    private final MpVersionState state = new MpVersionState();

    @Actor
    public void updater() {
        state.publishFence();
    }

    @Actor
    public void reader() {
        state.readFence();
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
