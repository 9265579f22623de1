package org.guestmem.bench;

import java.util.Locale;
import java.util.Optional;

/**
 * One row of the report: a Java figure beside its peer measured in the same run, their ratio
 * (Java / peer, so below 1 means Java is cheaper) and, where the project set one, the goal.
 */
record Comparison(String benchmark, Optional<Measurements.Figure> java, String peerName,
        Optional<Measurements.Figure> peer, Goal goal) {

    /** A goal on the ratio Java / peer. */
    record Goal(String text, double maxRatio) {
        static final Goal NONE = new Goal("-", Double.NaN);

        /** Java costs at most {@code factor} times the peer. */
        static Goal within(double factor) {
            return new Goal("<= " + factor + "x", factor);
        }

        /** Java is at least {@code factor} times cheaper than the peer. */
        static Goal cheaper(double factor) {
            return new Goal(">= " + (int) factor + "x cheaper", 1 / factor);
        }

        boolean isSet() {
            return !Double.isNaN(maxRatio);
        }
    }

    /** Java / peer; NaN when either figure is missing. */
    double ratio() {
        return java.isPresent() && peer.isPresent() ? java.get().ns() / peer.get().ns() : Double.NaN;
    }

    /** "yes", "NO", "-" (no goal) or "n/a" (a figure is missing). */
    String met() {
        if (!goal.isSet()) {
            return "-";
        }
        double r = ratio();
        if (Double.isNaN(r)) {
            return "n/a";
        }
        return r <= goal.maxRatio() ? "yes" : "NO";
    }

    String ratioText() {
        double r = ratio();
        if (Double.isNaN(r)) {
            return "n/a";
        }
        if (r < 1) {
            return String.format(Locale.ROOT, "%.2fx (%.1fx cheaper)", r, 1 / r);
        }
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    /** Nanoseconds with a readable unit: 1.35 ns, 146 ns, 8.88 us, 2.13 ms. */
    static String time(Optional<Measurements.Figure> f) {
        if (f.isEmpty()) {
            return "missing";
        }
        double ns = f.get().ns();
        if (ns < 10) {
            return String.format(Locale.ROOT, "%.2f ns", ns);
        }
        if (ns < 1000) {
            return String.format(Locale.ROOT, "%.1f ns", ns);
        }
        if (ns < 1e6) {
            return String.format(Locale.ROOT, "%.2f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
    }
}
