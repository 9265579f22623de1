package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationProgressLogTest {
    private long now;

    @Test
    void keepsEveryReportWithItsTimeAndPassesItOn() {
        List<LiveMigration.Progress> passed = new ArrayList<>();
        MigrationProgressLog log = new MigrationProgressLog(passed::add, () -> now);
        now = 5_000_000;
        log.accept(new LiveMigration.Progress("setup", 1, 100, 1000, 1000));
        now = 7_500_000;
        log.accept(new LiveMigration.Progress("iterate", 1, 4200, 400, 1000));
        now = 12_000_000;
        log.accept(new LiveMigration.Progress("done", 3, 9000, 0, 1000));

        assertEquals(3, passed.size());
        List<MigrationProgressLog.Sample> s = log.samples();
        assertEquals(List.of(0.0, 2.5, 7.0), s.stream().map(MigrationProgressLog.Sample::elapsedMillis).toList());
        assertEquals(List.of(1000L, 400L, 0L), s.stream().map(MigrationProgressLog.Sample::remainingPages).toList());
        assertEquals(List.of(1L, 1L, 3L), s.stream().map(MigrationProgressLog.Sample::iteration).toList());
        assertEquals("iterate", s.get(1).phase());
        assertEquals(4200L, s.get(1).bytesSent());
        assertEquals(2.5, log.toMaps().get(1).get("t_ms"));
        assertEquals(400L, log.toMaps().get(1).get("remaining_pages"));
    }

    @Test
    void aClockThatGoesBackIsRefused() {
        MigrationProgressLog log = new MigrationProgressLog(p -> {}, () -> now);
        now = 10;
        log.accept(new LiveMigration.Progress("setup", 1, 0, 8, 8));
        now = 9;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> log.accept(new LiveMigration.Progress("iterate", 1, 0, 8, 8)));
        assertTrue(e.getMessage().contains("from 10 to 9"), e.getMessage());
    }

    @Test
    void theSamplesAreACopy() {
        MigrationProgressLog log = new MigrationProgressLog(p -> {}, () -> now);
        List<MigrationProgressLog.Sample> before = log.samples();
        log.accept(new LiveMigration.Progress("setup", 1, 0, 8, 8));
        assertEquals(0, before.size());
        assertEquals(1, log.samples().size());
    }
}
