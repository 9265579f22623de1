package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.commons.lang3.Validate;
import org.guestmem.ram.RamList;

/**
 * Live migration of a {@link RamList} over a {@link MigrationChannel} (QEMU's migration_thread with the RAM
 * section only). The source: setup; then iterations, each sending dirty pages for one time slice or until
 * RAM is clean, syncing the dirty bitmap only once the remaining pages fit what the bandwidth moves within
 * the downtime target (QEMU's pending estimate then exact); once the remainder after a sync fits, or after
 * the iteration cap, it stops the guest ({@code pauseGuest}), sends the rest and EOF, and waits for the
 * destination's answer. Any failure (a dropped connection, a cancel) throws; if the guest was already
 * paused, {@code resumeGuest} runs first, so the source keeps running and may migrate again.
 *
 * <p>After EOF the destination answers one byte on the channel's return direction: 0 = loaded, 1 = failed,
 * then a be16 length and a UTF-8 message. (QEMU's return path plays that part; this is our own.)
 */
public final class LiveMigration {
    /** The id guestmem gives the "ram" section (QEMU's depends on registration order). */
    public static final int RAM_SECTION_ID = 2;

    /** Progress for a progress bar: phase ("setup", "iterate", "stop-and-copy", "done"). */
    public record Progress(String phase, long iteration, long bytesSent, long remainingPages, long totalPages) {}

    /**
     * @param bandwidthBytesPerSecond cap on the stream (0 = none)
     * @param downtimeTarget          the longest pause the switch-over may take at the measured bandwidth
     * @param maxIterations           bitmap syncs before stop-and-copy is forced
     * @param timeSlice               longest time of one iteration (QEMU's MAX_WAIT, 50 ms)
     */
    public record Options(long bandwidthBytesPerSecond, Duration downtimeTarget, int maxIterations, Duration timeSlice, RamSaver.Options saver) {
        public Options {
            Validate.isTrue(bandwidthBytesPerSecond >= 0, "bandwidth %d bytes/s is negative", bandwidthBytesPerSecond);
            Validate.isTrue(!downtimeTarget.isNegative(), "downtime target %s is negative", downtimeTarget);
            Validate.isTrue(maxIterations >= 1, "max iterations %d must be at least 1", maxIterations);
            Validate.isTrue(timeSlice.toNanos() > 0, "time slice %s must be positive", timeSlice);
            Objects.requireNonNull(saver, "saver");
        }

        public static Options defaults() {
            return new Options(0, Duration.ofMillis(300), 30, Duration.ofMillis(50), RamSaver.Options.defaults());
        }

        public Options withBandwidth(long bytesPerSecond) {
            return new Options(bytesPerSecond, downtimeTarget, maxIterations, timeSlice, saver);
        }

        public Options withDowntimeTarget(Duration d) {
            return new Options(bandwidthBytesPerSecond, d, maxIterations, timeSlice, saver);
        }

        public Options withMaxIterations(int n) {
            return new Options(bandwidthBytesPerSecond, downtimeTarget, n, timeSlice, saver);
        }

        public Options withSaver(RamSaver.Options s) {
            return new Options(bandwidthBytesPerSecond, downtimeTarget, maxIterations, timeSlice, s);
        }
    }

    private final RamList source;
    private final Options options;
    private final Consumer<Progress> progress;

    public LiveMigration(RamList source, Options options, Consumer<Progress> progress) {
        this.source = Objects.requireNonNull(source, "source");
        this.options = Objects.requireNonNull(options, "options");
        this.progress = progress == null ? p -> {} : progress;
    }

    /** Migrates the source's RAM to the destination at the other end of {@code channel}. */
    public MigrationStats send(MigrationChannel channel, Runnable pauseGuest, Runnable resumeGuest) throws IOException {
        long t0 = System.nanoTime();
        int pageSize = (int) source.targetPageSize();
        BandwidthLimit limit = new BandwidthLimit(channel.output(), options.bandwidthBytesPerSecond());
        RamStreamWriter out = new RamStreamWriter(limit, pageSize);
        boolean paused = false;
        try (RamSaver saver = new RamSaver(source, out, RAM_SECTION_ID, options.saver())) {
            out.fileHeader();
            saver.setup();
            long setupNanos = System.nanoTime() - t0;
            long total = saver.remainingPages();
            progress.accept(new Progress("setup", saver.syncCount(), out.written(), total, total));
            double bandwidth = options.bandwidthBytesPerSecond();      // bytes/s; measured once data has moved
            double downtime = options.downtimeTarget().toNanos() / 1e9;
            long dirtyRate = 0, lastSync = System.nanoTime();
            long windowStart = System.nanoTime(), windowBytes = out.written();
            while (true) {
                long remaining = saver.remainingPages() * pageSize;
                if (remaining <= bandwidth * downtime) {
                    saver.sync();
                    long now = System.nanoTime();
                    dirtyRate = (long) (saver.lastSyncDirtied() * 1e9 / Math.max(1, now - lastSync));
                    lastSync = now;
                    remaining = saver.remainingPages() * pageSize;
                    if (remaining <= bandwidth * downtime || saver.syncCount() >= options.maxIterations()) {
                        break;
                    }
                }
                saver.iterate(options.timeSlice().toNanos());
                long now = System.nanoTime();
                if (now - windowStart >= 100_000_000L) {              // QEMU measures over >= 100 ms
                    bandwidth = (out.written() - windowBytes) * 1e9 / (now - windowStart);
                    windowStart = now;
                    windowBytes = out.written();
                }
                progress.accept(new Progress("iterate", saver.syncCount(), out.written(), saver.remainingPages(), total));
            }
            long expectedDowntime = bandwidth > 0 ? (long) (saver.remainingPages() * pageSize * 1000 / bandwidth) : 0;
            // Stop and copy.
            pauseGuest.run();
            paused = true;
            long stop = System.nanoTime();
            progress.accept(new Progress("stop-and-copy", saver.syncCount(), out.written(), saver.remainingPages(), total));
            saver.complete();
            out.eof();
            awaitDestination(channel.input(), channel.peer());
            long end = System.nanoTime();
            progress.accept(new Progress("done", saver.syncCount(), out.written(), 0, total));
            XbzrlePages x = saver.xbzrle();
            RamStreamWriter w = saver.writer();
            return new MigrationStats((end - t0) / 1_000_000, setupNanos / 1_000_000, (end - stop) / 1_000_000, expectedDowntime,
                    total * pageSize, w.written(), saver.syncCount(), w.normalPages(), w.zeroPages(),
                    x == null ? 0 : x.hits(), w.xbzrleBytes(), x == null ? 0 : x.cacheMisses(), x == null ? 0 : x.overflows(),
                    x == null ? 0 : x.unchanged(), dirtyRate, (long) bandwidth, pageSize, saver.versionChanges(), saver.blocksChanged());
        } catch (IOException | RuntimeException | Error e) {
            if (paused) {
                resumeGuest.run();                                   // the source keeps running
            }
            if (e instanceof IOException io) {
                String why = answerIfAny(channel);
                throw new IOException("migration to " + channel.peer() + " failed: " + (why != null ? why : io.getMessage()), io);
            }
            throw e;
        }
    }

    /** After a failed write: the destination's answer, if it already sent one (it refused the stream), else null. */
    private static String answerIfAny(MigrationChannel channel) {
        try {
            InputStream in = channel.input();
            if (in.available() > 0) {
                awaitDestination(in, channel.peer());
            }
        } catch (IOException e) {
            return e.getMessage();
        }
        return null;
    }

    private static void awaitDestination(InputStream in, String peer) throws IOException {
        int status = in.read();
        if (status == 0) {
            return;
        }
        if (status < 0) {
            throw new IOException("the destination " + peer + " closed the connection before confirming the load");
        }
        int len = in.read() << 8 | in.read();
        byte[] msg = in.readNBytes(Math.max(0, len));
        throw new IOException("the destination " + peer + " failed to load: " + new String(msg, StandardCharsets.UTF_8));
    }

    /** What the destination loaded. */
    public record LoadStats(long bytes, long pages, long zeroPages, long zeroPagesWritten, long xbzrlePages, long millis) {}

    /**
     * The destination: loads the stream from {@code channel} into {@code dest} and answers the source.
     * A bad stream or a refused block list is answered as a failure, the channel is closed (so the source
     * stops sending) and the error is thrown.
     */
    public static LoadStats receive(MigrationChannel channel, RamList dest) throws IOException {
        long t0 = System.nanoTime();
        RamLoader loader = new RamLoader(dest);
        RamStreamReader.Result r;
        try {
            r = new RamStreamReader(channel.input(), (int) dest.targetPageSize()).checkTrailingData(false).readAll(loader);
            if (!r.complete()) {
                throw new StreamFormatException(r.bytesRead(), "the stream holds more than RAM: stopped at " + r.stoppedAt());
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            answer(channel, e.getMessage());
            channel.close();
            throw e;
        }
        answer(channel, null);
        return new LoadStats(r.bytesRead(), loader.pages(), loader.zeroPages(), loader.zeroPagesWritten(), loader.xbzrlePages(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    private static void answer(MigrationChannel channel, String error) throws IOException {
        try {
            OutputStream out = channel.output();
            if (error == null) {
                out.write(0);
            } else {
                byte[] m = error.getBytes(StandardCharsets.UTF_8);
                int len = Math.min(m.length, 0xffff);
                out.write(new byte[] {1, (byte) (len >>> 8), (byte) len});
                out.write(m, 0, len);
            }
            out.flush();
        } catch (IOException e) {
            if (error == null) {
                throw e;                                   // the source never heard that the load succeeded
            }
        }
    }
}
