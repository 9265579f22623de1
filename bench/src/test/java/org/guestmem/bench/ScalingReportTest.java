package org.guestmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.guestmem.cli.Json;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationProgressLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scaling suite's and the migration-progress chart's bookkeeping, on made-up figures. */
class ScalingReportTest {
    @Test
    void reusesTheRcuAndRamSuitesPointsUnderTheScalingNames() {
        Measurements rcu = new Measurements();
        rcu.addJava("RcuReadBench.readSection", Map.of("flavor", "QSBR"), 3.0, 0);
        rcu.addJava("RcuReadBench.readSection2", Map.of("flavor", "QSBR"), 5.0, 0);
        rcu.addJava("LockReadBench.reentrantReadLock2", Map.of(), 90.0, 0);
        rcu.addJava("RcuSynchronizeBench.synchronize", Map.of("flavor", "QSBR"), 1e5, 0);
        Measurements ram = new Measurements();
        ram.addJava("RamListLookupBench.missBinarySearch", Map.of("blocks", "64"), 12.0, 0);
        ram.addJava("RamListLookupBench.hit", Map.of("blocks", "64"), 1.0, 0);
        Measurements into = new Measurements();

        assertTrue(ScalingSuite.reuse(List.of(rcu, ram), into));
        assertEquals(3.0, into.java("RcuReadBench.readSection", "flavor=QSBR", "threads=1").orElseThrow().ns());
        assertEquals(5.0, into.java("RcuReadBench.readSection", "flavor=QSBR", "threads=2").orElseThrow().ns());
        assertEquals(90.0, into.java("LockReadBench.reentrantReadLock", "threads=2").orElseThrow().ns());
        assertEquals(12.0, into.java("RamListLookupBench.missBinarySearch", "blocks=64").orElseThrow().ns());
        assertTrue(into.java("RcuSynchronizeBench.synchronize").isEmpty());
        assertTrue(into.java("RamListLookupBench.hit").isEmpty());
        assertFalse(ScalingSuite.reuse(List.of(), new Measurements()));
    }

    @Test
    void eachGuestSizeIsComparedWithTheOneGibFigureScaled() {
        Measurements m = new Measurements();
        m.addJava("BitmapSyncBench.migrationSync", Map.of("guestGiB", "1", "state", "clean"), 10_000.0, 0);
        m.addJava("BitmapSyncBench.migrationSync", Map.of("guestGiB", "64", "state", "clean"), 960_000.0, 0);
        Comparison row = ScalingSuite.rows(m, List.of("FENCE")).stream()
                .filter(c -> c.benchmark().equals("migration bitmap sync (RamSaver.sync), 64 GiB, clean") && c.peerName().startsWith("64 x"))
                .findFirst().orElseThrow();
        assertEquals(640_000.0, row.peer().orElseThrow().ns(), 1e-9);
        assertEquals(1.5, row.ratio(), 1e-12);
        assertTrue(row.peerName().startsWith("64 x the 1 GiB figure"), row.peerName());
        m.addNative("bitmap_sync", "sync_clean", "c-twin", 1, 64, 480_000.0);
        Comparison twin = ScalingSuite.rows(m, List.of("FENCE")).stream()
                .filter(c -> c.benchmark().equals("migration bitmap sync (RamSaver.sync), 64 GiB, clean") && c.peerName().equals("C twin"))
                .findFirst().orElseThrow();
        assertEquals(2.0, twin.ratio(), 1e-12);
    }

    @Test
    void chartsTheScalingCurves(@TempDir Path dir) throws Exception {
        Measurements m = new Measurements();
        for (int t : ScalingSuite.threadCounts()) {
            m.addJava("RcuReadBench.readSection", Map.of("flavor", "FENCE", "threads", Integer.toString(t)), 2.0 * t, 0);
            m.addNative("read", "lock_unlock", "liburcu-mb", t, 0, 3.0);
        }
        m.addJava("BitmapSyncBench.snapshotAndClear", Map.of("guestGiB", "1", "state", "light"), 5000.0, 0);
        m.addJava("BitmapSyncBench.snapshotAndClear", Map.of("guestGiB", "64", "state", "light"), 320_000.0, 0);
        assertEquals("scaling-readers.png", ScalingCharts.readers(m, dir, List.of("FENCE")).orElseThrow());
        assertEquals("scaling-bitmap-sync.png", ScalingCharts.bitmapSync(m, dir).orElseThrow());
        assertTrue(Files.size(dir.resolve("scaling-readers.png")) > 1000);
        assertTrue(ScalingCharts.bitmapSync(new Measurements(), dir.resolve("none")).isEmpty());
    }

    @Test
    void readsTheDemosProgressSamplesAndChartsThem(@TempDir Path dir) throws Exception {
        long[] now = {0};
        MigrationProgressLog log = new MigrationProgressLog(p -> {}, () -> now[0]);
        log.accept(new LiveMigration.Progress("setup", 1, 0, 1000, 1000));
        now[0] = 50_000_000;
        log.accept(new LiveMigration.Progress("iterate", 1, 4096 * 600, 400, 1000));
        now[0] = 90_000_000;
        log.accept(new LiveMigration.Progress("iterate", 2, 4096 * 900, 120, 1000));
        now[0] = 95_000_000;
        log.accept(new LiveMigration.Progress("stop-and-copy", 2, 4096 * 900, 120, 1000));
        now[0] = 99_000_000;
        log.accept(new LiveMigration.Progress("done", 3, 4096 * 1020, 0, 1000));
        String json = Json.write(Map.of("stats", Map.of("total_time_ms", 99, "downtime_ms", 9), "progress", log.toMaps()));

        List<Map<String, String>> samples = MigrationProgressChart.samples(json);
        assertEquals(5, samples.size());
        assertEquals("50.0", samples.get(1).get("t_ms"));
        assertEquals("400", samples.get(1).get("remaining_pages"));
        assertEquals("stop-and-copy", samples.get(3).get("phase"));
        assertEquals("0", samples.get(4).get("remaining_pages"));
        assertEquals("migration-progress.png", MigrationProgressChart.chart(samples, Map.of("iterations", "3"), dir));
        assertTrue(Files.size(dir.resolve("migration-progress.png")) > 1000);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MigrationProgressChart.samples("{\"stats\": {}}"));
        assertTrue(e.getMessage().contains("progress"), e.getMessage());
    }
}
