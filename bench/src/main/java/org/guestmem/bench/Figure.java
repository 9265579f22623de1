package org.guestmem.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured figure: a JMH result or a line of a native benchmark, normalised to nanoseconds per
 * operation per thread (what JMH's AverageTime reports with several threads).
 *
 * @param source   "java" (JMH) or the native executable that printed it ("rcu_bench_memb", ...)
 * @param name     JMH: {@code Class.method}; native: the line's "name"
 * @param variant  JMH: the parameter values joined by ','; native: the line's "flavor"
 * @param threads  threads that ran it at once
 * @param nsPerOp  mean time per operation, per thread
 * @param error    JMH: the 99.9% confidence half-width; native: (max - min) / 2 over its rounds
 */
public record Figure(String source, String name, String variant, int threads, double nsPerOp, double error) {

    public Figure {
        if (!(nsPerOp > 0) || Double.isInfinite(nsPerOp)) {
            throw new IllegalArgumentException(source + " " + name + "[" + variant + "]: ns per op must be positive and finite, got " + nsPerOp);
        }
    }

    /** True if this is the figure of {@code name} with {@code variant} on {@code threads} threads. */
    public boolean is(String name, String variant, int threads) {
        return this.name.equals(name) && this.variant.equals(variant) && this.threads == threads;
    }

    /** All threads together, operations per second. */
    public double opsPerSecond() {
        return threads * 1e9 / nsPerOp;
    }

    /** The figure as the JSON report writes it. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("name", name);
        m.put("variant", variant);
        m.put("threads", threads);
        m.put("ns_per_op", nsPerOp);
        m.put("error_ns", error);
        m.put("ops_per_s", opsPerSecond());
        return m;
    }

    /** "1.23 ns", "4.56 us", "7.89 ms": three significant digits in the largest unit below 1000. */
    public static String formatNs(double ns) {
        if (Double.isNaN(ns)) {
            return "n/a";
        }
        if (ns >= 1e6) {
            return String.format("%.3g ms", ns / 1e6);
        }
        if (ns >= 1e3) {
            return String.format("%.3g us", ns / 1e3);
        }
        return String.format("%.3g ns", ns);
    }
}
