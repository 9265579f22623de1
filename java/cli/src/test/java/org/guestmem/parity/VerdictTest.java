package org.guestmem.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.guestmem.parity.LitmusScenario.Expectation;
import org.junit.jupiter.api.Test;

/** The report rule of docs/PARITY.md, both ways, for every expectation. */
class VerdictTest {
    @Test
    void aFixedVariantFailsOnASingleForbiddenSample() {
        assertEquals(Verdict.PASS, Verdict.of(Expectation.NEVER, 0, 5_000, 2, true));
        assertEquals(Verdict.FAIL, Verdict.of(Expectation.NEVER, 1, 5_000, 2, true));
        assertTrue(Verdict.FAIL.failed());
        assertFalse(Verdict.PASS.failed());
    }

    @Test
    void anObservableBrokenVariantMustFailOnTwoCpus() {
        long bound = Verdict.NEVER_SEEN_BOUND;
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 3, 5_000, 2, true));
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, bound, 2, true));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, bound, 1, true));
        assertTrue(Verdict.FAIL_NOT_OBSERVED.failed());
        assertFalse(Verdict.FAILURE_OBSERVED.failed());
        assertTrue(Verdict.FAIL_NOT_OBSERVED.detail(200_000, 0, bound).contains(bound + " raced"));
    }

    @Test
    void neverSeenBelowTheBoundIsInconclusiveNotAFailure() {
        long bound = Verdict.NEVER_SEEN_BOUND;
        Verdict v = Verdict.of(Expectation.OBSERVABLE, 0, bound - 1, 2, true);
        assertEquals(Verdict.INCONCLUSIVE, v);
        assertFalse(v.failed());
        assertTrue(v.inconclusive());
        assertTrue(v.detail(4_000, 0, 12).contains("only 12 raced of the " + bound), v.detail(4_000, 0, 12));
        // a budget's own bound
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, 500, 500, 2, true));
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(Expectation.OBSERVABLE, 0, 499, 500, 2, true));
        // a fixed variant's forbidden outcome fails whatever the raced count
        assertEquals(Verdict.FAIL, Verdict.of(Expectation.NEVER, 1, 0, 500, 2, true));
    }

    @Test
    void theBoundMakesNeverSeenMeaningful() {
        // (1 - 1e-4)^n <= 1e-6: n = ln(1e-6) / ln(1 - 1e-4) = 138 148.6...
        assertEquals(138_149, Verdict.NEVER_SEEN_BOUND);
        assertTrue(Math.pow(1 - Verdict.MIN_RATE, Verdict.NEVER_SEEN_BOUND) <= Verdict.ALPHA);
        assertTrue(Math.pow(1 - Verdict.MIN_RATE, Verdict.NEVER_SEEN_BOUND - 1) > Verdict.ALPHA);
        assertEquals(3, Verdict.neverSeenBound(0.5, 0.125));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Verdict.neverSeenBound(0, 0.1)).getMessage().contains("rate 0.0"));
    }

    @Test
    void aWeakOnlyVariantIsNotObservableOnTso() {
        assertEquals(Verdict.NOT_OBSERVABLE_ON_THIS_CPU, Verdict.of(Expectation.WEAK_ONLY, 0, 5_000, 4, true));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.WEAK_ONLY, 0, 5_000, 4, false));
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(Expectation.WEAK_ONLY, 5, 5_000, 4, false));
        assertFalse(Verdict.NOT_OBSERVABLE_ON_THIS_CPU.failed());
        assertTrue(Verdict.NOT_OBSERVABLE_ON_THIS_CPU.detail(10, 0, 10).contains("x86-TSO"));
    }

    @Test
    void anObservableVariantThatNamesItsCpuModelsIsNotFailedOnAnother() {
        LitmusScenario.Variant tsoOnly = new LitmusScenario.Variant("broken-acqrel", Expectation.OBSERVABLE,
                LitmusScenario.TsanExpectation.CLEAN, "t", List.of(LitmusScenario.CpuModel.TSO));
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(tsoOnly, 0, 5_000, 5_000, 2, LitmusScenario.CpuModel.TSO));
        assertEquals(Verdict.NOT_OBSERVABLE_ON_THIS_CPU, Verdict.of(tsoOnly, 0, 5_000, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(tsoOnly, 0, 5_000, 5_000, 2, null));
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(tsoOnly, 1, 5_000, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        // out of time short of the bound: inconclusive where the model allows it, not observable where it cannot show
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(tsoOnly, 0, 4_999, 5_000, 2, LitmusScenario.CpuModel.TSO));
        assertEquals(Verdict.NOT_OBSERVABLE_ON_THIS_CPU, Verdict.of(tsoOnly, 0, 4_999, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        LitmusScenario.Variant everywhere = new LitmusScenario.Variant("broken-nofence", Expectation.OBSERVABLE,
                LitmusScenario.TsanExpectation.CLEAN, "t");
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(everywhere, 0, 5_000, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        assertEquals("OBSERVABLE/TSO", tsoOnly.expectText());
        assertEquals("OBSERVABLE", everywhere.expectText());
    }
}
