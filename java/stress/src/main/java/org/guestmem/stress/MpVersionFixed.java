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
 * MP-version (ORDERING.md, litmus.table variant {@code fixed}), as RamList#add and MigrationCursor#begin: release
 * store of the list and the version (W-1-1, W-1-2), acquire loads of the version and the list (R-1-1, R-1-2).
 * A reader that sees the bumped version sees the list that holds the new block. Expected: the forbidden outcome
 * never appears.
 */
@JCStressTest
@Description("MP-version, release list and version, acquire loads (RamList)")
@Outcome(id = RamLitmusOutcomes.MP_OLD_OLD, expect = ACCEPTABLE, desc = "reader ran before the updater")
@Outcome(id = RamLitmusOutcomes.MP_OLD_NEW, expect = ACCEPTABLE, desc = "reader read the version before W-1-2 and the list after W-1-1")
@Outcome(id = RamLitmusOutcomes.MP_NEW_NEW, expect = ACCEPTABLE, desc = "reader ran after the updater")
@Outcome(id = RamLitmusOutcomes.MP_NEW_OLD, expect = FORBIDDEN, desc = "reader saw the bumped version but the old list")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MpVersionFixed {
    public static final String SCENARIO = RamLitmusOutcomes.MP_VERSION;
    public static final String VARIANT = "fixed";

    private final MpVersionState state = new MpVersionState();

    @Actor
    public void updater() {
        state.publishRelease();
    }

    @Actor
    public void reader() {
        state.readAcquire();
    }

    @Arbiter
    public void arbiter(L_Result r) {
        state.report(r);
    }
}
