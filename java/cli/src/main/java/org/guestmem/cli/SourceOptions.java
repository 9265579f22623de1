package org.guestmem.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import org.guestmem.migration.MigrationProgressLog;
import org.guestmem.migration.MigrationStats;
import org.guestmem.migration.RamSaver;
import org.guestmem.migration.SimulatedVcpus;
import org.guestmem.migration.XbzrlePageCache;
import picocli.CommandLine.Option;

/** The source-side options shared by {@code demo} and {@code migrate send}, and the source run itself. */
final class SourceOptions {
    @Option(names = "--size", description = "Guest RAM size (default ${DEFAULT-VALUE}).", defaultValue = "1G")
    String size;

    @Option(names = "--dirty-rate", description = "Guest writes per second over all vCPUs, each dirtying a page (0 = flat out; default ${DEFAULT-VALUE}).",
            defaultValue = "20000")
    long dirtyRate;

    @Option(names = "--vcpus", description = "Simulated vCPU threads (default ${DEFAULT-VALUE}).", defaultValue = "2")
    int vcpus;

    @Option(names = "--bandwidth", description = "Bandwidth cap in bytes/s with K/M/G suffix (0 = none; default ${DEFAULT-VALUE}).", defaultValue = "0")
    String bandwidth;

    @Option(names = "--downtime", description = "Downtime target in ms (default ${DEFAULT-VALUE}).", defaultValue = "300")
    long downtimeMillis;

    @Option(names = "--max-iterations", description = "Bitmap syncs before stop-and-copy is forced (default ${DEFAULT-VALUE}).", defaultValue = "30")
    int maxIterations;

    @Option(names = "--strict", description = "Strict mode: refuse hot-plug of migratable blocks while migrating, fail if one changes.")
    boolean strict;

    @Option(names = "--xbzrle", description = "Send re-dirtied pages as XBZRLE deltas (64 MiB cache).")
    boolean xbzrle;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    long sizeBytes() {
        return DemoGuest.parseSize(size);
    }

    LiveMigration.Options migrationOptions() {
        return new LiveMigration.Options(DemoGuest.parseSize(bandwidth), Duration.ofMillis(downtimeMillis), maxIterations, Duration.ofMillis(50),
                new RamSaver.Options(xbzrle, XbzrlePageCache.DEFAULT_SIZE, strict));
    }

    /**
     * Runs the source side: vCPUs dirtying pages, vga.vram hot-plugged in a loop, a live migration over
     * {@code channel} with a progress bar on stderr. Returns the statistics and the source checksums,
     * taken while the vCPUs are paused after the switch-over.
     */
    Map<String, Object> runSource(DemoGuest guest, MigrationChannel channel) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        guest.startHotplug();
        try (SimulatedVcpus cpus = guest.vcpus(vcpus, dirtyRate).start()) {
            Thread.sleep(100);                                           // let the guest run a little first
            MigrationProgressLog log = new MigrationProgressLog(new ProgressBar(System.err));
            MigrationStats stats = new LiveMigration(guest.list, migrationOptions(), log).send(channel, cpus::pause, cpus::resume);
            guest.stopHotplug();
            out.put("guest_size", sizeBytes());
            out.put("vcpu_writes", cpus.writes());
            out.put("hotplug_rounds", guest.hotplugRounds.get());
            out.put("stats", stats.toMap());
            out.put("progress", log.toMaps());                           // dirty pages remaining over time, per iteration
            out.put("source_checksums", guest.checksums());               // vCPUs still paused: the migrated state
        }
        return out;
    }
}
