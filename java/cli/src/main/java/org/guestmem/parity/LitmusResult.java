package org.guestmem.parity;

import java.util.LinkedHashMap;
import java.util.Map;
import org.guestmem.parity.LitmusScenario.Variant;

/**
 * The outcome histogram and verdict of one run of one scenario variant in one {@link Pairing}.
 *
 * @param scenario    the scenario ID
 * @param variant     the table's variant
 * @param pairing     which language ran which thread
 * @param samples     cells run
 * @param raced       cells whose rendezvous neither thread left by yielding its CPU (both threads were running)
 * @param counts      count per outcome key: every listed outcome in table order (zeros included), then any
 *                    unlisted outcome that showed
 * @param forbidden   samples whose outcome is FORBIDDEN
 * @param interesting samples whose outcome is ALLOWED_INTERESTING
 * @param verdict     the report rule's verdict
 * @param seconds     wall time of the run
 * @param bound       raced samples after which an OBSERVABLE variant never seen is FAIL_NOT_OBSERVED (the budget's)
 */
public record LitmusResult(String scenario, Variant variant, Pairing pairing, long samples, long raced, Map<String, Long> counts,
                           long forbidden, long interesting, Verdict verdict, double seconds, long bound) {
    public LitmusResult {
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** The verdict's one-line reason. */
    public String detail() {
        return verdict.detail(samples, forbidden, raced, bound);
    }

    /** The litmus7-style observation word: Never, Sometimes or Always (for the forbidden outcomes). */
    public String observation() {
        return forbidden == 0 ? "Never" : forbidden == samples ? "Always" : "Sometimes";
    }
}
