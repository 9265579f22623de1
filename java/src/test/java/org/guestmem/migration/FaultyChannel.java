package org.guestmem.migration;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A {@link MigrationChannel} that injects one fault into the source's output: the connection drops after
 * {@code n} bytes (the write that crosses it fails and the output direction closes, so the destination reads
 * the end of the stream there), or one bit of the byte at a stream position is flipped on the way.
 */
final class FaultyChannel implements MigrationChannel {
    private final MigrationChannel inner;
    private final long dropAfter;
    private final long flipAt;
    private final int flipMask;
    private OutputStream out;

    private FaultyChannel(MigrationChannel inner, long dropAfter, long flipAt, int flipBit) {
        this.inner = inner;
        this.dropAfter = dropAfter;
        this.flipAt = flipAt;
        this.flipMask = 1 << flipBit;
    }

    /** The output fails once {@code n} bytes went through. */
    static FaultyChannel droppingAfter(MigrationChannel inner, long n) {
        return new FaultyChannel(inner, n, -1, 0);
    }

    /** Bit {@code bit} (0 = least significant) of the byte at stream offset {@code at} arrives flipped. */
    static FaultyChannel flippingBit(MigrationChannel inner, long at, int bit) {
        return new FaultyChannel(inner, Long.MAX_VALUE, at, bit);
    }

    @Override
    public synchronized OutputStream output() throws IOException {
        if (out == null) {
            OutputStream sink = inner.output();
            out = new FilterOutputStream(sink) {
                long written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written + len > dropAfter) {
                        int fits = (int) (dropAfter - written);
                        sink.write(b, off, fits);
                        written = dropAfter;
                        sink.close();                      // the destination reads the end of the stream here
                        throw new IOException("connection dropped after " + dropAfter + " bytes (injected fault)");
                    }
                    if (flipAt >= written && flipAt < written + len) {
                        b = b.clone();
                        b[off + (int) (flipAt - written)] ^= (byte) flipMask;
                    }
                    sink.write(b, off, len);
                    written += len;
                }
            };
        }
        return out;
    }

    @Override
    public InputStream input() throws IOException {
        return inner.input();
    }

    @Override
    public String peer() {
        return inner.peer();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
