package org.guestmem.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A progress consumer for {@link LiveMigration} that keeps every report with its time since the first one:
 * the dirty pages remaining over time, and at which bitmap sync (iteration) each was taken. It passes each
 * report on to another consumer (a progress bar) first. Used from the thread that runs
 * {@link LiveMigration#send}; read {@link #samples()} after it returns.
 */
public final class MigrationProgressLog implements Consumer<LiveMigration.Progress> {
    /** One report: milliseconds since the first report, phase, bitmap syncs so far, pages still to send, bytes sent. */
    public record Sample(double elapsedMillis, String phase, long iteration, long remainingPages, long bytesSent) {
        /** Ordered key/value pairs for JSON. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t_ms", Math.round(elapsedMillis * 1000) / 1000.0);
            m.put("phase", phase);
            m.put("iteration", iteration);
            m.put("remaining_pages", remainingPages);
            m.put("bytes_sent", bytesSent);
            return m;
        }
    }

    private final Consumer<LiveMigration.Progress> next;
    private final LongSupplier nanoClock;
    private final List<Sample> samples = new ArrayList<>();
    private long start;

    /** Logs on {@link System#nanoTime()} and passes each report on to {@code next}. */
    public MigrationProgressLog(Consumer<LiveMigration.Progress> next) {
        this(next, System::nanoTime);
    }

    /** Logs on {@code nanoClock} (nanoseconds, monotonic) and passes each report on to {@code next}. */
    public MigrationProgressLog(Consumer<LiveMigration.Progress> next, LongSupplier nanoClock) {
        this.next = Objects.requireNonNull(next, "next");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public void accept(LiveMigration.Progress p) {
        next.accept(p);
        long now = nanoClock.getAsLong();
        if (samples.isEmpty()) {
            start = now;
        }
        if (now < start) {
            throw new IllegalStateException("clock went back from " + start + " to " + now + " ns");
        }
        samples.add(new Sample((now - start) / 1e6, p.phase(), p.iteration(), p.remainingPages(), p.bytesSent()));
    }

    /** Every report so far, oldest first. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The samples as JSON-ready maps. */
    public List<Map<String, Object>> toMaps() {
        return samples.stream().map(Sample::toMap).toList();
    }
}
