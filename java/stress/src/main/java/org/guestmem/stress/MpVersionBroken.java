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
 * MP-version (ORDERING.md, litmus.table variant {@code broken-relaxed}), broken: relaxed (opaque) version store and
 * load, no fence, so nothing orders W-1-2 after W-1-1 or R-1-1 before R-1-2. Needs store->store or load->load
 * reordering to fail (WEAK_ONLY): x86-TSO keeps both orders and HotSpot does not reorder these accesses there,
 * so on x86 this test is expected to PASS, which says nothing about weaker CPUs (AArch64, POWER), where it may
 * fail.
 */
@JCStressTest
@Description("MP-version, broken: relaxed version store and load, no fence")
@Outcome(id = RamLitmusOutcomes.MP_OLD_OLD, expect = ACCEPTABLE, desc = "reader ran before the updater")
@Outcome(id = RamLitmusOutcomes.MP_OLD_NEW, expect = ACCEPTABLE, desc = "reader read the version before W-1-2 and the list after W-1-1")
@Outcome(id = RamLitmusOutcomes.MP_NEW_NEW, expect = ACCEPTABLE, desc = "reader ran after the updater")
@Outcome(id = RamLitmusOutcomes.MP_NEW_OLD, expect = FORBIDDEN, desc = "reader saw the bumped version but the old list")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MpVersionBroken {
    public static final String SCENARIO = RamLitmusOutcomes.MP_VERSION;
    public static final String VARIANT = "broken-relaxed";

    private final MpVersionState state = new MpVersionState();

    @Actor
    public void updater() {
        state.publishRelaxed();
    }

    @Actor
    public void reader() {
        state.readRelaxed();
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
