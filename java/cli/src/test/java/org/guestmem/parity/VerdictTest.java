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
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 3, 5_000, 2, true));
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, 5_000, 2, true));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, 5_000, 1, true));
        assertTrue(Verdict.FAIL_NOT_OBSERVED.failed());
        // too few samples raced (the threads took turns on a busy machine): not graded, and said so
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, Verdict.MIN_RACED - 1, 2, true));
        assertTrue(Verdict.NOT_OBSERVED.detail(4_000, 0, 12).contains("only 12 of 4000"));
        assertFalse(Verdict.FAILURE_OBSERVED.failed());
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
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(tsoOnly, 0, 5_000, 2, LitmusScenario.CpuModel.TSO));
        assertEquals(Verdict.NOT_OBSERVABLE_ON_THIS_CPU, Verdict.of(tsoOnly, 0, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(tsoOnly, 0, 5_000, 2, null));
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(tsoOnly, 1, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        LitmusScenario.Variant everywhere = new LitmusScenario.Variant("broken-nofence", Expectation.OBSERVABLE,
                LitmusScenario.TsanExpectation.CLEAN, "t");
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(everywhere, 0, 5_000, 2, LitmusScenario.CpuModel.ARMV8));
        assertEquals("OBSERVABLE/TSO", tsoOnly.expectText());
        assertEquals("OBSERVABLE", everywhere.expectText());
    }
}
