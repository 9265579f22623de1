package org.guestmem.migration;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.lang3.Validate;

/**
 * Caps the bytes per second written to a stream (QEMU's max-bandwidth): a token bucket refilled
 * continuously, with a burst of 100 ms worth of bytes. Also counts the bytes written.
 * Used by one thread (the migration thread).
 */
public final class BandwidthLimit extends FilterOutputStream {
    private final long bytesPerSecond; // 0 = unlimited
    private final long burst;
    private double tokens;
    private final java.util.function.LongSupplier clock;   // nanoseconds
    private final java.util.function.LongConsumer sleeper; // parks for the given nanoseconds
    private long lastRefill;
    private long written;

    public BandwidthLimit(OutputStream out, long bytesPerSecond) {
        this(out, bytesPerSecond, System::nanoTime, LockSupport::parkNanos);
    }

    /** With an explicit clock and sleeper (tests use a simulated clock, so no wall time is measured). */
    BandwidthLimit(OutputStream out, long bytesPerSecond, java.util.function.LongSupplier clock, java.util.function.LongConsumer sleeper) {
        super(out);
        this.clock = clock;
        this.sleeper = sleeper;
        this.lastRefill = clock.getAsLong();
        Validate.isTrue(bytesPerSecond >= 0, "bandwidth %d bytes/s is negative", bytesPerSecond);
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(64 * 1024, bytesPerSecond / 10);
        this.tokens = burst;
    }

    @Override
    public void write(int b) throws IOException {
        take(1);
        out.write(b);
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = (int) Math.min(len - done, bytesPerSecond == 0 ? len : Math.max(1, burst / 4));
            take(n);
            out.write(b, off + done, n);
            done += n;
        }
        written += len;
    }

    /** Bytes written so far. */
    public long written() {
        return written;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    private void take(long n) throws IOException {
        if (bytesPerSecond == 0) {
            return;
        }
        while (true) {
            long now = clock.getAsLong();
            tokens = Math.min(burst, tokens + (now - lastRefill) * (bytesPerSecond / 1e9));
            lastRefill = now;
            if (tokens >= n) {
                tokens -= n;
                return;
            }
            long waitNanos = (long) ((n - tokens) * 1e9 / bytesPerSecond);
            sleeper.accept(Math.max(waitNanos, 50_000));
            if (Thread.interrupted()) {
                throw new java.io.InterruptedIOException("migration interrupted while throttled");
            }
        }
    }
}
