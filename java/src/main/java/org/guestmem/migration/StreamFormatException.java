package org.guestmem.migration;

/**
 * A migration stream that breaks the format: the message names the byte offset where the bad record
 * starts (or where the stream ended), the value found and the rule it breaks.
 */
public final class StreamFormatException extends IllegalArgumentException {
    private final long offset;

    public StreamFormatException(long offset, String message) {
        super("migration stream, byte offset " + offset + ": " + message);
        this.offset = offset;
    }

    /** Byte offset in the stream of the record (or field) that is wrong. */
    public long offset() {
        return offset;
    }
}
