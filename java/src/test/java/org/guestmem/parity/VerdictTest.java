package org.guestmem.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.guestmem.parity.LitmusScenario.Expectation;
import org.junit.jupiter.api.Test;

/** The report rule of docs/PARITY.md, both ways, for every expectation. */
class VerdictTest {
    @Test
    void aFixedVariantFailsOnASingleForbiddenSample() {
        assertEquals(Verdict.PASS, Verdict.of(Expectation.NEVER, 0, 2, true));
        assertEquals(Verdict.FAIL, Verdict.of(Expectation.NEVER, 1, 2, true));
        assertTrue(Verdict.FAIL.failed());
        assertFalse(Verdict.PASS.failed());
    }

    @Test
    void anObservableBrokenVariantMustFailOnTwoCpus() {
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 3, 2, true));
        assertEquals(Verdict.FAIL_NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, 2, true));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.OBSERVABLE, 0, 1, true));
        assertTrue(Verdict.FAIL_NOT_OBSERVED.failed());
        assertFalse(Verdict.FAILURE_OBSERVED.failed());
    }

    @Test
    void aWeakOnlyVariantIsNotObservableOnTso() {
        assertEquals(Verdict.NOT_OBSERVABLE_ON_THIS_CPU, Verdict.of(Expectation.WEAK_ONLY, 0, 4, true));
        assertEquals(Verdict.NOT_OBSERVED, Verdict.of(Expectation.WEAK_ONLY, 0, 4, false));
        assertEquals(Verdict.FAILURE_OBSERVED, Verdict.of(Expectation.WEAK_ONLY, 5, 4, false));
        assertFalse(Verdict.NOT_OBSERVABLE_ON_THIS_CPU.failed());
        assertTrue(Verdict.NOT_OBSERVABLE_ON_THIS_CPU.detail(10, 0).contains("x86-TSO"));
    }
}
