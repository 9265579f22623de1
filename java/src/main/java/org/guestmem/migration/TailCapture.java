package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An input that counts the bytes it hands out and keeps the last {@code keep} of them, so that after a
 * {@link RamStreamReader} (which reads ahead into a buffer of its own) stopped at a byte offset, the bytes
 * from that offset on can be had again: {@link #from(long)} gives the kept ones, then the rest of the
 * input follows. One thread.
 */
final class TailCapture extends InputStream {
    private final InputStream in;
    private final byte[] ring;
    private long total;

    TailCapture(InputStream in, int keep) {
        this.in = in;
        this.ring = new byte[keep];
    }

    /** Bytes handed out so far. */
    long total() {
        return total;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            ring[(int) (total % ring.length)] = (byte) b;
            total++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        for (int i = 0; i < n; ) {                     // copy into the ring in at most two pieces per lap
            int at = (int) (total % ring.length);
            int k = Math.min(n - i, ring.length - at);
            System.arraycopy(b, off + i, ring, at, k);
            i += k;
            total += k;
        }
        return n;
    }

    /** The bytes read so far from stream offset {@code offset} on (no further reads). */
    byte[] kept(long offset) {
        long kept = total - offset;
        if (offset < 0 || kept < 0 || kept > ring.length) {
            throw new IllegalStateException("offset " + offset + " is not among the last " + ring.length + " bytes read (read " + total + ")");
        }
        byte[] head = new byte[(int) kept];
        for (int i = 0; i < kept; i++) {
            head[i] = ring[(int) ((offset + i) % ring.length)];
        }
        return head;
    }

    /** The bytes from stream offset {@code offset} to the end of the input (reads the input to its end). */
    byte[] from(long offset) throws IOException {
        byte[] head = kept(offset);
        byte[] rest = in.readAllBytes();
        total += rest.length;
        byte[] all = Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return all;
    }
}
