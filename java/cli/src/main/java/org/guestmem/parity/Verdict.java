package org.guestmem.parity;

import org.guestmem.parity.LitmusScenario.Expectation;

/**
 * The verdict on one run of a variant, by the report rule of docs/PARITY.md (the same names and rule as
 * the C harness): a forbidden outcome of a NEVER variant fails; an OBSERVABLE variant must show its
 * forbidden outcome on two or more CPUs, and "never seen" fails only once enough samples really raced (the
 * JVM's threads are not pinned: on a busy machine they may take turns on one CPU) that a missing outcome
 * is statistically meaningful: the {@link #NEVER_SEEN_BOUND}. Fewer raced samples, when the run's time ran
 * out first, make the run INCONCLUSIVE (a budget problem, not a property that failed). A WEAK_ONLY variant
 * is "not observable on this CPU" on x86-TSO.
 */
public enum Verdict {
    /** A NEVER variant; nothing forbidden was seen. */
    PASS,
    /** A NEVER variant showed a forbidden outcome: a protocol bug. */
    FAIL,
    /** A broken variant was shown broken. */
    FAILURE_OBSERVED,
    /** An OBSERVABLE variant never failed on two or more CPUs in {@link #NEVER_SEEN_BOUND} raced samples: the test is not effective. */
    FAIL_NOT_OBSERVED,
    /** An OBSERVABLE variant not seen yet when the run's time ran out, with fewer raced samples than the bound: no verdict. */
    INCONCLUSIVE,
    /** A WEAK_ONLY variant on x86-TSO. */
    NOT_OBSERVABLE_ON_THIS_CPU,
    /** Allowed to stay unseen here (a weak CPU, or one CPU). */
    NOT_OBSERVED,
    /** The machine lacks what the variant needs (membarrier(2)). */
    SKIPPED;

    /**
     * The lowest rate, per raced sample, at which an OBSERVABLE variant of litmus.table is taken to show its
     * forbidden outcome on a machine with two or more CPUs: 1 in 10 000. Every OBSERVABLE variant showed it
     * at least ten times as often in every pairing on a loaded 2-vCPU x86-64 VM (docs/PARITY.md "Measured
     * here").
     */
    public static final double MIN_RATE = 1e-4;

    /** The chance, at {@link #MIN_RATE}, that an effective test sees nothing in {@link #NEVER_SEEN_BOUND} raced samples. */
    public static final double ALPHA = 1e-6;

    /**
     * Raced samples without the forbidden outcome after which an OBSERVABLE variant is FAIL_NOT_OBSERVED:
     * the least n with (1 - MIN_RATE)^n &lt;= ALPHA, 138 149.
     */
    public static final long NEVER_SEEN_BOUND = neverSeenBound(MIN_RATE, ALPHA);

    /** The least n with {@code (1 - rate)^n <= alpha}: "never seen in n tries" then has a chance of at most alpha. */
    public static long neverSeenBound(double rate, double alpha) {
        if (!(rate > 0 && rate < 1) || !(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("rate " + rate + " and alpha " + alpha + " must both lie strictly between 0 and 1");
        }
        return (long) Math.ceil(Math.log(alpha) / Math.log1p(-rate));
    }

    /** True for the verdicts that make {@code guestmem parity} exit 1. */
    public boolean failed() {
        return this == FAIL || this == FAIL_NOT_OBSERVED;
    }

    /** True for a verdict that is no verdict: the run's time ran out first ({@code guestmem parity} exits 3). */
    public boolean inconclusive() {
        return this == INCONCLUSIVE;
    }

    /** {@link #of(Expectation, long, long, long, int, boolean)} with the {@link #NEVER_SEEN_BOUND}. */
    public static Verdict of(Expectation expect, long forbidden, long raced, int cpus, boolean tso) {
        return of(expect, forbidden, raced, NEVER_SEEN_BOUND, cpus, tso);
    }

    /**
     * The verdict for {@code forbidden} forbidden samples of a variant with this expectation, {@code raced}
     * of whose samples ran with both threads on a CPU at once; an OBSERVABLE variant never seen is
     * FAIL_NOT_OBSERVED from {@code bound} raced samples on, INCONCLUSIVE below.
     */
    public static Verdict of(Expectation expect, long forbidden, long raced, long bound, int cpus, boolean tso) {
        return switch (expect) {
            case NEVER -> forbidden > 0 ? FAIL : PASS;
            case OBSERVABLE -> forbidden > 0 ? FAILURE_OBSERVED
                    : cpus < 2 ? NOT_OBSERVED : raced >= bound ? FAIL_NOT_OBSERVED : INCONCLUSIVE;
            case WEAK_ONLY -> forbidden > 0 ? FAILURE_OBSERVED : tso ? NOT_OBSERVABLE_ON_THIS_CPU : NOT_OBSERVED;
        };
    }

    /**
     * The verdict for a variant on a CPU of memory model {@code cpu} (null: neither x86-TSO nor ARMv8): as
     * {@link #of(Expectation, long, long, long, int, boolean)}, except that an OBSERVABLE variant whose EXPECT
     * names the CPU models that allow its outcome ({@code OBSERVABLE/TSO}) is not failed, nor inconclusive, for
     * staying unseen on a CPU of another model: NOT_OBSERVABLE_ON_THIS_CPU on a known model, NOT_OBSERVED on an
     * unknown one.
     */
    public static Verdict of(LitmusScenario.Variant variant, long forbidden, long raced, long bound, int cpus, LitmusScenario.CpuModel cpu) {
        Verdict v = of(variant.expect(), forbidden, raced, bound, cpus, cpu == LitmusScenario.CpuModel.TSO);
        if ((v == FAIL_NOT_OBSERVED || v == INCONCLUSIVE) && !showsOn(variant, cpu)) {
            return cpu == null ? NOT_OBSERVED : NOT_OBSERVABLE_ON_THIS_CPU;
        }
        return v;
    }

    /** False when the variant's EXPECT names the CPU models that can show it and {@code cpu} is not among them. */
    public static boolean showsOn(LitmusScenario.Variant variant, LitmusScenario.CpuModel cpu) {
        return variant.cpus().isEmpty() || (cpu != null && variant.cpus().contains(cpu));
    }

    /** One line saying why, for the {@link #NEVER_SEEN_BOUND}. */
    public String detail(long samples, long forbidden, long raced) {
        return detail(samples, forbidden, raced, NEVER_SEEN_BOUND);
    }

    /** One line saying why; {@code bound} is the run's never-seen bound in raced samples. */
    public String detail(long samples, long forbidden, long raced, long bound) {
        return switch (this) {
            case PASS -> "forbidden outcomes never seen, as required";
            case FAIL -> "forbidden outcome seen " + forbidden + " times: the protocol is broken";
            case FAILURE_OBSERVED -> "broken variant shown broken on this CPU";
            case FAIL_NOT_OBSERVED -> "expected to show on every CPU, never seen in " + samples + " samples (" + raced
                    + " raced, bound " + bound + ": " + odds(bound) + ")";
            case INCONCLUSIVE -> "not seen in " + samples + " samples, but only " + raced + " raced of the " + bound
                    + " a verdict needs (" + odds(bound) + "): the run's time ran out on a busy machine; rerun, or"
                    + " give it more time (--patience)";
            case NOT_OBSERVABLE_ON_THIS_CPU -> "this CPU's memory model forbids it (x86-TSO keeps load->load and store->store "
                    + "order; ARMv8 keeps a release store before a later acquire load): cannot show here";
            case NOT_OBSERVED -> "allowed to stay unseen here (one CPU, or a weak CPU); not seen in " + samples + " samples";
            case SKIPPED -> "membarrier(2) private expedited is unavailable";
        };
    }

    private static String odds(long bound) {
        return String.format("at a rate of 1 in %.0f raced samples, never seeing it in %d has a chance of %.1g", 1 / MIN_RATE,
                bound, Math.exp(bound * Math.log1p(-MIN_RATE)));
    }
}
