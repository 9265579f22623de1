package org.guestmem.parity;

/**
 * Which language runs each thread of a litmus scenario: C (the shim's C11-atomics bodies, called on a
 * JVM thread through FFM), Java (the {@code MemorySegment} var-handle twins), or one of each on the same
 * native words. The parity report's "language" column is {@link #language()}.
 */
public enum Pairing {
    /** Both threads in C. */
    C_C("C", false, false),
    /** Both threads in Java. */
    JAVA_JAVA("Java", true, true),
    /** A Java updater against a C reader. */
    JAVA_C("mixed", true, false),
    /** A C updater against a Java reader. */
    C_JAVA("mixed", false, true);

    private final String language;
    private final boolean javaUpdater;
    private final boolean javaReader;

    Pairing(String language, boolean javaUpdater, boolean javaReader) {
        this.language = language;
        this.javaUpdater = javaUpdater;
        this.javaReader = javaReader;
    }

    /** C, Java or mixed. */
    public String language() {
        return language;
    }

    /** Whether thread {@code role} (0 updater, 1 reader) runs in Java. */
    public boolean java(int role) {
        return role == 0 ? javaUpdater : javaReader;
    }

    /** updater+reader, e.g. {@code Java+C}. */
    public String threads() {
        return (javaUpdater ? "Java" : "C") + "+" + (javaReader ? "Java" : "C");
    }

    /** The pairing whose {@link #threads()} is {@code text} (case-insensitive); IllegalArgumentException else. */
    public static Pairing parse(String text) {
        for (Pairing p : values()) {
            if (p.threads().equalsIgnoreCase(text) || p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("pairing '" + text + "' is none of C+C, Java+Java, Java+C, C+Java");
    }
}
