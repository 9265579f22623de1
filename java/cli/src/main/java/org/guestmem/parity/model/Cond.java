package org.guestmem.parity.model;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A condition on the final state of an execution, herd style: {@code T:reg=v} (a register of thread T) or
 * {@code loc=v} (the last write to a location in coherence order), combined with and, or, not.
 */
public sealed interface Cond {
    boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory);

    /** herd's syntax: {@code 1:r0=1 /\ 1:r1=0}, {@code \/}, {@code ~}. */
    String herd();

    /** {@code thread:reg = value}. */
    record RegIs(int thread, String reg, long value) implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return regs.get(thread).getOrDefault(reg, 0L) == value;
        }

        public String herd() {
            return thread + ":" + reg + "=" + value;
        }
    }

    /** {@code loc = value} in the final memory. */
    record LocIs(String loc, long value) implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return memory.getOrDefault(loc, 0L) == value;
        }

        public String herd() {
            return "[" + loc + "]=" + value;
        }
    }

    record And(List<Cond> all) implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return all.stream().allMatch(c -> c.holds(regs, memory));
        }

        public String herd() {
            return all.stream().map(c -> c instanceof Or ? "(" + c.herd() + ")" : c.herd()).collect(Collectors.joining(" /\\ "));
        }
    }

    record Or(List<Cond> any) implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return any.stream().anyMatch(c -> c.holds(regs, memory));
        }

        public String herd() {
            return any.stream().map(c -> c instanceof And ? "(" + c.herd() + ")" : c.herd()).collect(Collectors.joining(" \\/ "));
        }
    }

    record Not(Cond c) implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return !c.holds(regs, memory);
        }

        public String herd() {
            return "~(" + c.herd() + ")";
        }
    }

    /** True always (an empty filter). */
    record True() implements Cond {
        public boolean holds(List<Map<String, Long>> regs, Map<String, Long> memory) {
            return true;
        }

        public String herd() {
            return "true";
        }
    }

    static Cond reg(int thread, String reg, long value) {
        return new RegIs(thread, reg, value);
    }

    static Cond loc(String loc, long value) {
        return new LocIs(loc, value);
    }

    static Cond and(Cond... all) {
        return new And(List.of(all));
    }

    static Cond or(Cond... any) {
        return new Or(List.of(any));
    }

    static Cond not(Cond c) {
        return new Not(c);
    }
}
