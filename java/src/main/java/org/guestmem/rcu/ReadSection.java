package org.guestmem.rcu;

/**
 * An open RCU read-side section, closed by try-with-resources: {@code try (ReadSection s = rcu.read()) {...}}.
 * Sections nest; the grace period waits for the outermost one. A section belongs to the thread that opened
 * it and must be closed by that thread, once.
 */
public interface ReadSection extends AutoCloseable {
    /**
     * True if this section is open on the calling thread in {@code domain}: what an API that trusts a caller's
     * section (instead of entering a nested one) checks first.
     */
    boolean heldIn(Rcu domain);

    /** Leaves the section (RU-1..RU-3 when it is the outermost one); never throws a checked exception. */
    @Override
    void close();
}
