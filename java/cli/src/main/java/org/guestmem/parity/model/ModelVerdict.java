package org.guestmem.parity.model;

/** Whether a model lets a program reach its {@code exists} outcome. */
public enum ModelVerdict {
    /** No execution consistent with the model reaches it. */
    FORBIDDEN,
    /** Some consistent execution reaches it. */
    ALLOWED,
    /** RC11 only: some consistent execution has a data race on a plain access, so every outcome is allowed. */
    RACY;

    /** ALLOWED or RACY. */
    public boolean allowed() {
        return this != FORBIDDEN;
    }
}
