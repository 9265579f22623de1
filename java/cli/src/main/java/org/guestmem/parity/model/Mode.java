package org.guestmem.parity.model;

/** C11 access modes of a litmus access ({@code NA} = a plain, non-atomic access), weakest first. */
public enum Mode {
    NA("na"), RLX("memory_order_relaxed"), ACQ("memory_order_acquire"), REL("memory_order_release"),
    ACQ_REL("memory_order_acq_rel"), SC("memory_order_seq_cst");

    private final String c;

    Mode(String c) {
        this.c = c;
    }

    /** The C11 memory_order name ({@code na} for a plain access). */
    public String c() {
        return c;
    }

    /** An atomic access or fence with acquire semantics (acquire, acq_rel, seq_cst). */
    public boolean acquire() {
        return this == ACQ || this == ACQ_REL || this == SC;
    }

    /** An atomic access or fence with release semantics (release, acq_rel, seq_cst). */
    public boolean release() {
        return this == REL || this == ACQ_REL || this == SC;
    }

    /** Any atomic mode (relaxed or stronger). */
    public boolean atomic() {
        return this != NA;
    }
}
