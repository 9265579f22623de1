package org.guestmem.migration;

import static org.guestmem.migration.Guests.KiB;
import static org.guestmem.migration.Guests.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Source and destination in one process over an in-memory channel; RAM compared byte for byte at the end. */
class LiveMigrationTest {
    Guests g;

    @AfterEach
    void tearDown() {
        if (g != null) {
            g.close();
        }
    }

    /** Runs a migration with a destination thread; returns the source's stats. */
    MigrationStats migrate(LiveMigration.Options o, SimulatedVcpus vcpus, Consumer<LiveMigration.Progress> progress) throws Exception {
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
        CompletableFuture<LiveMigration.LoadStats> dest = CompletableFuture.supplyAsync(() -> {
            try {
                return LiveMigration.receive(pair[1], g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            Runnable pause = vcpus == null ? () -> {} : vcpus::pause;
            Runnable resume = vcpus == null ? () -> {} : vcpus::resume;
            MigrationStats s = new LiveMigration(g.src, o, progress).send(pair[0], pause, resume);
            assertNotNull(dest.get(30, TimeUnit.SECONDS));
            return s;
        } finally {
            pair[0].close();
        }
    }

    @Test
    void anIdleGuestMigratesAndMatches() throws Exception {
        g = new Guests(8);
        List<LiveMigration.Progress> seen = new CopyOnWriteArrayList<>();
        MigrationStats s = migrate(LiveMigration.Options.defaults(), null, seen::add);
        g.assertSame();
        assertEquals(MiB, g.dst.block("ram2").usedLength(), "the destination's resizeable block took the source's used length");
        long pages = (8 * MiB + 256 * KiB + MiB) / 4096;
        assertEquals(pages, s.normalPages() + s.zeroPages(), "every page once, nothing of vga.vram");
        assertTrue(s.zeroPages() >= pages / 2 - 8, "half the RAM is zero: " + s.zeroPages());
        assertEquals("setup", seen.getFirst().phase());
        assertEquals("done", seen.getLast().phase());
        assertEquals(0, s.versionChanges());
    }

    @Test
    void aBusyGuestConvergesAndMatches() throws Exception {
        g = new Guests(16);
        RamBlock ram = g.src.block("pc.ram"), ram2 = g.src.block("ram2");
        try (SimulatedVcpus vcpus = new SimulatedVcpus(g.srcMemory(), List.of(ram, ram2), 2, 20_000, 7).start()) {
            LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(64 * MiB).withDowntimeTarget(Duration.ofMillis(50));
            MigrationStats s = migrate(o, vcpus, null);
            g.assertSame();                                 // the vCPUs stay paused: source and destination agree
            assertTrue(s.iterations() >= 2, "dirtied pages were sent in later rounds: " + s.toMap());
            assertTrue(s.normalPages() > 16 * MiB / 4096 / 2, s.toMap().toString());
            assertTrue(vcpus.writes() > 0);
        }
    }

    @Test
    void xbzrleSendsDeltasOfRedirtiedPagesAndStillMatches() throws Exception {
        g = new Guests(8);
        RamBlock ram = g.src.block("pc.ram");
        try (SimulatedVcpus vcpus = new SimulatedVcpus(g.srcMemory(), List.of(ram), 1, 50_000, 11).start()) {
            LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(32 * MiB).withDowntimeTarget(Duration.ofMillis(20))
                    .withMaxIterations(6).withSaver(new RamSaver.Options(true, 16 * MiB, false));
            MigrationStats s = migrate(o, vcpus, null);
            g.assertSame();
            assertTrue(s.xbzrlePages() > 0 && s.xbzrleBytes() > 0, "XBZRLE was used after the first round: " + s.toMap());
            assertTrue(s.xbzrleBytesSaved() > 0, s.toMap().toString());
        }
    }

    @Test
    void hotplugOfANonMigratableBlockResetsTheCursorAndTheMigrationStillMatches() throws Exception {
        g = new Guests(16);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        Thread hotplug = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                RamBlock b = g.src.add(Guests.nonMigratable("vga.hot", 256 * KiB));
                g.src.free(b);
                rounds.incrementAndGet();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (SimulatedVcpus vcpus = new SimulatedVcpus(g.srcMemory(), List.of(g.src.block("pc.ram")), 1, 10_000, 3).start()) {
            LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(48 * MiB).withDowntimeTarget(Duration.ofMillis(30));
            MigrationStats s = migrate(o, vcpus, null);
            stop.set(true);
            hotplug.join();
            g.assertSame();
            assertTrue(rounds.get() > 0);
            assertTrue(s.versionChanges() > 0, "the cursor saw the version move: " + s.toMap());
            assertEquals(List.of(), s.blocksChanged(), "no migratable block changed");
        } finally {
            stop.set(true);
            hotplug.join();
        }
    }

    @Test
    void strictModeRefusesHotplugOfMigratableBlocksOnlyWhileActive() throws Exception {
        g = new Guests(4);
        AtomicInteger refused = new AtomicInteger();
        RamBlock bios = g.src.block("pc.bios");
        LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(16 * MiB).withSaver(new RamSaver.Options(false, 0, true));
        MigrationStats s = migrate(o, null, p -> {
            if (!p.phase().equals("iterate") || refused.get() > 0) {
                return;
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.src.add(RamBlockSpec.of("hot", 64 * KiB)));
            assertTrue(e.getMessage().contains("strict mode") && e.getMessage().contains("'hot'"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> g.src.free(bios));
            assertTrue(e.getMessage().contains("'pc.bios'"), e.getMessage());
            g.src.free(g.src.add(Guests.nonMigratable("vga.hot", 64 * KiB)));  // non-migratable: allowed
            refused.incrementAndGet();
        });
        g.assertSame();
        assertEquals(1, refused.get());
        assertTrue(s.versionChanges() >= 1, "the non-migratable hot-plug was counted");
        g.src.free(g.src.add(RamBlockSpec.of("hot", 64 * KiB)));   // after the migration: allowed again
    }

    @Test
    void defaultModeLetsAMigratableBlockGoAndReportsIt() throws Exception {
        g = new Guests(4);
        LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(16 * MiB);
        MigrationStats s = migrate(o, null, p -> {
            if (p.phase().equals("setup")) {
                g.src.free(g.src.block("pc.bios"));
            }
        });
        assertEquals(List.of("-pc.bios"), s.blocksChanged());
        assertTrue(s.versionChanges() >= 1);
    }

    @Test
    void aResizeOfAMigratableBlockCancelsTheMigrationAndTheGuestKeepsRunning() throws Exception {
        g = new Guests(8);
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
        CompletableFuture<LiveMigration.LoadStats> dest = CompletableFuture.supplyAsync(() -> {
            try {
                return LiveMigration.receive(pair[1], g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        AtomicBoolean paused = new AtomicBoolean();
        LiveMigration.Options o = LiveMigration.Options.defaults().withBandwidth(16 * MiB);
        MigrationCancelledException e = assertThrows(MigrationCancelledException.class,
                () -> new LiveMigration(g.src, o, p -> {
                    if (p.phase().equals("iterate")) {
                        g.src.resize(g.src.block("ram2"), 2 * MiB);
                    }
                }).send(pair[0], () -> paused.set(true), () -> paused.set(false)));
        assertTrue(e.getMessage().contains("RAM block 'ram2' resized during precopy"), e.getMessage());
        assertFalse(paused.get(), "never paused");
        pair[0].close();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> dest.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof StreamFormatException, failed.getCause().toString());
        // The source can migrate again, and the resize is no longer a reason to cancel.
        MigrationStats s = migrate(LiveMigration.Options.defaults(), null, null);
        g.assertSame();
        assertEquals(2 * MiB, g.dst.block("ram2").usedLength());
        assertTrue(s.normalPages() > 0);
    }

    @Test
    void aDroppedConnectionFailsTheMigrationAndTheSourceCanMigrateAgain() throws Exception {
        g = new Guests(8);
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(64 * 1024);
        Thread dropper = Thread.ofPlatform().start(() -> {
            try (InputStream in = pair[1].input()) {
                in.readNBytes(300 * 1024);                 // some pages, then the destination goes away
                pair[1].close();
            } catch (IOException ignored) {
                // the test checks the source side
            }
        });
        try (SimulatedVcpus vcpus = new SimulatedVcpus(g.srcMemory(), List.of(g.src.block("pc.ram")), 1, 5_000, 5).start()) {
            IOException e = assertThrows(IOException.class, () -> new LiveMigration(g.src, LiveMigration.Options.defaults().withBandwidth(32 * MiB), null)
                    .send(pair[0], vcpus::pause, vcpus::resume));
            assertTrue(e.getMessage().contains("migration to in-memory destination failed"), e.getMessage());
            dropper.join();
            long before = vcpus.writes();
            Thread.sleep(50);
            assertTrue(vcpus.writes() > before, "the vCPUs keep running");
            // Again, to a destination that stays.
            MigrationStats s = migrate(LiveMigration.Options.defaults(), vcpus, null);
            g.assertSame();
            assertTrue(s.normalPages() > 0);
        }
    }

    @Test
    void aDestinationThatNeverConfirmsFailsAfterThePauseAndTheGuestIsResumed() throws Exception {
        g = new Guests(2);
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(64 * 1024);
        Thread sink = Thread.ofPlatform().start(() -> {
            try {
                pair[1].input().readAllBytes();            // reads everything (until the source closes) and never answers
            } catch (IOException ignored) {
                // the test checks the source side
            }
        });
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                pair[1].output().close();                  // the answer direction closes: the source reads EOF
            } catch (InterruptedException | IOException ignored) {
                // ends the test either way
            }
        });
        AtomicInteger pauses = new AtomicInteger(), resumes = new AtomicInteger();
        IOException e = assertThrows(IOException.class, () -> new LiveMigration(g.src, LiveMigration.Options.defaults(), null)
                .send(pair[0], pauses::incrementAndGet, resumes::incrementAndGet));
        assertTrue(e.getMessage().contains("closed the connection before confirming"), e.getMessage());
        assertEquals(1, pauses.get());
        assertEquals(1, resumes.get(), "a failure after the pause resumes the guest");
        pair[0].close();
        sink.join();
        closer.join();
    }

    @Test
    void aDestinationWithoutTheBlocksRefusesAndTheSourceHearsWhy() throws Exception {
        g = new Guests(2);
        g.dst.free(g.dst.block("pc.bios"));
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
        CompletableFuture<Void> dest = CompletableFuture.runAsync(() -> {
            try {
                LiveMigration.receive(pair[1], g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        IOException e = assertThrows(IOException.class, () -> new LiveMigration(g.src, LiveMigration.Options.defaults(), null)
                .send(pair[0], () -> {}, () -> {}));
        ExecutionException d = assertThrows(ExecutionException.class, () -> dest.get(10, TimeUnit.SECONDS));
        assertTrue(d.getCause().getMessage().contains("unknown RAM block 'pc.bios'"), d.getCause().getMessage());
        assertTrue(e.getMessage().contains("failed to load") && e.getMessage().contains("unknown RAM block 'pc.bios'"), e.getMessage());
        pair[0].close();
    }
}
