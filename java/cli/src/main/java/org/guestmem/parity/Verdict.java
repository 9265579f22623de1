package org.guestmem.parity;

import org.guestmem.parity.LitmusScenario.Expectation;

/**
 * The verdict on one run of a variant, by the report rule of docs/PARITY.md (the same names and rule as
 * the C harness): a forbidden outcome of a NEVER variant fails; an OBSERVABLE variant must show its
 * forbidden outcome on two or more CPUs once at least {@link #MIN_RACED} samples really raced (the JVM's
 * threads are not pinned: on a busy machine they may take turns on one CPU); a WEAK_ONLY one is "not
 * observable on this CPU" on x86-TSO.
 */
public enum Verdict {
    /** A NEVER variant; nothing forbidden was seen. */
    PASS,
    /** A NEVER variant showed a forbidden outcome: a protocol bug. */
    FAIL,
    /** A broken variant was shown broken. */
    FAILURE_OBSERVED,
    /** An OBSERVABLE variant never failed on two or more CPUs: the test is not effective. */
    FAIL_NOT_OBSERVED,
    /** A WEAK_ONLY variant on x86-TSO. */
    NOT_OBSERVABLE_ON_THIS_CPU,
    /** Allowed to stay unseen here (a weak CPU, or one CPU). */
    NOT_OBSERVED,
    /** The machine lacks what the variant needs (membarrier(2)). */
    SKIPPED;

    /** True for the verdicts that make {@code guestmem parity} exit non-zero. */
    public boolean failed() {
        return this == FAIL || this == FAIL_NOT_OBSERVED;
    }

    /**
     * Samples that must have raced (both threads running at once) before an OBSERVABLE variant that never
     * failed is graded FAIL_NOT_OBSERVED; with fewer, the machine was too busy to tell.
     */
    public static final long MIN_RACED = 1_000;

    /**
     * The verdict for {@code forbidden} forbidden samples of a variant with this expectation, {@code raced}
     * of whose samples ran with both threads on a CPU at once.
     */
    public static Verdict of(Expectation expect, long forbidden, long raced, int cpus, boolean tso) {
        return switch (expect) {
            case NEVER -> forbidden > 0 ? FAIL : PASS;
            case OBSERVABLE -> forbidden > 0 ? FAILURE_OBSERVED
                    : cpus >= 2 && raced >= MIN_RACED ? FAIL_NOT_OBSERVED : NOT_OBSERVED;
            case WEAK_ONLY -> forbidden > 0 ? FAILURE_OBSERVED : tso ? NOT_OBSERVABLE_ON_THIS_CPU : NOT_OBSERVED;
        };
    }

    /**
     * The verdict for a variant on a CPU of memory model {@code cpu} (null: neither x86-TSO nor ARMv8): as
     * {@link #of(Expectation, long, long, int, boolean)}, except that an OBSERVABLE variant whose EXPECT names
     * the CPU models that allow its outcome ({@code OBSERVABLE/TSO}) is not failed for staying unseen on a CPU
     * of another model: NOT_OBSERVABLE_ON_THIS_CPU on a known model, NOT_OBSERVED on an unknown one.
     */
    public static Verdict of(LitmusScenario.Variant variant, long forbidden, long raced, int cpus, LitmusScenario.CpuModel cpu) {
        Verdict v = of(variant.expect(), forbidden, raced, cpus, cpu == LitmusScenario.CpuModel.TSO);
        if (v == FAIL_NOT_OBSERVED && !variant.cpus().isEmpty() && (cpu == null || !variant.cpus().contains(cpu))) {
            return cpu == null ? NOT_OBSERVED : NOT_OBSERVABLE_ON_THIS_CPU;
        }
        return v;
    }

    /** One line saying why. */
    public String detail(long samples, long forbidden, long raced) {
        return switch (this) {
            case PASS -> "forbidden outcomes never seen, as required";
            case FAIL -> "forbidden outcome seen " + forbidden + " times: the protocol is broken";
            case FAILURE_OBSERVED -> "broken variant shown broken on this CPU";
            case FAIL_NOT_OBSERVED -> "expected to show on every CPU, never seen in " + samples + " samples (" + raced
                    + " raced)";
            case NOT_OBSERVABLE_ON_THIS_CPU -> "this CPU's memory model forbids it (x86-TSO keeps load->load and store->store "
                    + "order; ARMv8 keeps a release store before a later acquire load): cannot show here";
            case NOT_OBSERVED -> raced < MIN_RACED && samples > 0
                    ? "not seen; only " + raced + " of " + samples + " samples ran with both threads on a CPU (one CPU, "
                    + "or a busy machine): not graded"
                    : "allowed to stay unseen here; not seen in " + samples + " samples";
            case SKIPPED -> "membarrier(2) private expedited is unavailable";
        };
    }
}
