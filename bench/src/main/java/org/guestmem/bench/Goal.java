package org.guestmem.bench;

/**
 * A target for the ratio Java cost / peer cost of one comparison (from the issue: "within 1.5x of
 * liburcu", "at least 10x cheaper than ReentrantReadWriteLock").
 *
 * @param kind   how the ratio is judged
 * @param factor the bound
 */
public record Goal(Kind kind, double factor) {
    /** How a ratio is judged. */
    public enum Kind {
        /** No target: the figure is shown for context. */
        NONE,
        /** Java may cost at most {@code factor} times the peer. */
        AT_MOST,
        /** Java must be at least {@code factor} times cheaper than the peer. */
        CHEAPER_BY
    }

    public static final Goal NONE = new Goal(Kind.NONE, 0);

    public Goal {
        if (kind != Kind.NONE && !(factor > 0)) {
            throw new IllegalArgumentException("goal factor must be positive, got " + factor);
        }
    }

    public static Goal atMost(double factor) {
        return new Goal(Kind.AT_MOST, factor);
    }

    public static Goal cheaperBy(double factor) {
        return new Goal(Kind.CHEAPER_BY, factor);
    }

    /** Whether {@code ratio} (Java / peer) meets the goal; null when there is no goal or no ratio. */
    public Boolean met(double ratio) {
        if (kind == Kind.NONE || Double.isNaN(ratio)) {
            return null;
        }
        return kind == Kind.AT_MOST ? ratio <= factor : 1 / ratio >= factor;
    }

    /** By what factor a missed goal was missed (1 when met or not judged). */
    public double missedBy(double ratio) {
        Boolean met = met(ratio);
        if (met == null || met) {
            return 1;
        }
        return kind == Kind.AT_MOST ? ratio / factor : factor * ratio;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "-";
            case AT_MOST -> "<= " + trim(factor) + "x";
            case CHEAPER_BY -> ">= " + trim(factor) + "x cheaper";
        };
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
