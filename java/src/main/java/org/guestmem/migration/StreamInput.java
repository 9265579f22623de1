package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian reads with a running byte offset, over a buffer of its own (one thread). The end of the
 * input in the middle of a field is a {@link StreamFormatException} naming the offset and the field.
 */
final class StreamInput {
    private final InputStream in;
    private final byte[] buf;
    private int pos, limit;
    /** Stream offset of buf[0]. */
    private long base;

    /** @param largestView the largest {@link #view} the caller will ask for (a page) */
    StreamInput(InputStream in, int largestView) {
        this.in = in;
        this.buf = new byte[Math.max(64 * 1024, 2 * largestView)];
    }

    /** Offset of the next byte. */
    long offset() {
        return base + pos;
    }

    /** The next byte without consuming it, or -1 at the end of the input. */
    int peek() throws IOException {
        return fill(1) ? buf[pos] & 0xff : -1;
    }

    int u8(String what) throws IOException {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    int be16(String what) throws IOException {
        need(2, what);
        int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
        pos += 2;
        return v;
    }

    int be32(String what) throws IOException {
        need(4, what);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | buf[pos++] & 0xff;
        }
        return v;
    }

    long be64(String what) throws IOException {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | buf[pos++] & 0xff;
        }
        return v;
    }

    /** A u8 length and that many bytes of UTF-8 (QEMU's idstr on the wire). */
    String idstr(String what) throws IOException {
        int n = u8(what + " length");
        byte[] b = new byte[n];
        bytes(b, 0, n, what);
        return new String(b, StandardCharsets.UTF_8);
    }

    void bytes(byte[] dst, int off, int len, String what) throws IOException {
        long start = offset();
        while (len > 0) {
            if (!fill(1)) {
                throw truncated(start, what);
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Makes {@code n} bytes (at most the buffer size) readable in place and returns their index in
     * {@link #buffer()}; {@link #advance} consumes them. Saves a copy for whole pages.
     */
    int view(int n, String what) throws IOException {
        need(n, what);
        return pos;
    }

    byte[] buffer() {
        return buf;
    }

    void advance(int n) {
        pos += n;
    }

    void skip(long len, String what) throws IOException {
        long start = offset();
        while (len > 0) {
            if (!fill(1)) {
                throw truncated(start, what);
            }
            int n = (int) Math.min(len, limit - pos);
            pos += n;
            len -= n;
        }
    }

    private void need(int n, String what) throws IOException {
        if (!fill(n)) {
            throw truncated(offset(), what);
        }
    }

    private StreamFormatException truncated(long at, String what) {
        return new StreamFormatException(at, "the stream is truncated: it ends at byte offset " + (base + limit) + " inside " + what);
    }

    /** Makes {@code n} bytes available at pos; false if the input ends first. */
    private boolean fill(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        System.arraycopy(buf, pos, buf, 0, limit - pos);
        base += pos;
        limit -= pos;
        pos = 0;
        while (limit < n) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                return false;
            }
            limit += r;
        }
        return true;
    }
}
