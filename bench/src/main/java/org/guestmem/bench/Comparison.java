package org.guestmem.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of the side-by-side table: a Java figure, its peer measured in the same run, the ratio of
 * their costs and the goal it is judged against. Either figure may be missing (not built, not run):
 * the ratio is then NaN and the goal is not judged.
 *
 * @param section   the group of rows it belongs to
 * @param benchmark what the Java side measured
 * @param java      the Java figure, or null
 * @param peerName  what the peer is ("liburcu-memb", "ReentrantReadWriteLock.readLock", ...)
 * @param peer      the peer figure, or null
 * @param goal      the target for {@link #ratio()}
 */
public record Comparison(String section, String benchmark, Figure java, String peerName, Figure peer, Goal goal) {

    /** Java cost / peer cost: below 1 the Java side is cheaper. NaN if a figure is missing. */
    public double ratio() {
        return java == null || peer == null ? Double.NaN : java.nsPerOp() / peer.nsPerOp();
    }

    /** Whether the goal is met; null if there is no goal or a figure is missing. */
    public Boolean met() {
        return goal.met(ratio());
    }

    /** "2.35x", or "0.43x (2.3x cheaper)" when the Java side is cheaper; "n/a" without a ratio. */
    public String ratioText() {
        double r = ratio();
        if (Double.isNaN(r)) {
            return "n/a";
        }
        return r < 1 ? String.format("%.2fx (%.3gx cheaper)", r, 1 / r) : String.format("%.3gx", r);
    }

    public String metText() {
        Boolean m = met();
        return m == null ? (goal.kind() == Goal.Kind.NONE ? "-" : "n/a") : m ? "yes" : "NO";
    }

    public String javaText() {
        return java == null ? "n/a" : Figure.formatNs(java.nsPerOp());
    }

    public String peerText() {
        return peer == null ? "n/a" : Figure.formatNs(peer.nsPerOp());
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("section", section);
        m.put("benchmark", benchmark);
        m.put("java_ns_per_op", java == null ? null : java.nsPerOp());
        m.put("java_error_ns", java == null ? null : java.error());
        m.put("peer", peerName);
        m.put("peer_ns_per_op", peer == null ? null : peer.nsPerOp());
        m.put("peer_error_ns", peer == null ? null : peer.error());
        m.put("ratio", ratio());
        m.put("goal", goal.toString());
        m.put("met", met());
        return m;
    }
}
