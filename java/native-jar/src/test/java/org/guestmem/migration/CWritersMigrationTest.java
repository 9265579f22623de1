package org.guestmem.migration;

import static org.guestmem.migration.Guests.KiB;
import static org.guestmem.migration.Guests.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.nativeshim.CWriters;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * C threads (the shim's {@code gm_writers_*}, a C device model) write the source's migratable blocks and
 * mark what they write through guestmem.h's dirty API, all through three live migrations with a hot-plug
 * and a resize between them; after each migration the destination equals the source byte for byte. The
 * switch-over parks the C writers (the device stops) only after they wrote 20000 more times, so pages
 * already sent are rewritten: the broken twin, whose writers do not mark, must lose bytes, which shows
 * the comparison bites.
 */
class CWritersMigrationTest {
    static final int ROUNDS = 3;
    static final long WRITES_BEFORE_SWITCH_OVER = 20_000;

    Guests g;

    @AfterEach
    void tearDown() {
        if (g != null) {
            g.close();
        }
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, CWriters.RAM_WRITE})
    void cWritersThatMarkLoseNothing(int flags) throws Exception {
        List<Long> lost = migrateWithCWriters(DirtyClient.ALL, flags);
        assertEquals(List.of(0L, 0L, 0L), lost, "bytes that differ between source and destination after each migration");
    }

    @Test
    void cWritersThatDoNotMarkLosePagesAndTheTestSeesIt() throws Exception {
        List<Long> lost = migrateWithCWriters(0, 0);
        assertTrue(lost.stream().allMatch(n -> n > 0), "every migration lost bytes written without a mark: " + lost);
    }

    /** Runs ROUNDS migrations with C writers; returns the differing bytes after each. */
    List<Long> migrateWithCWriters(int clientMask, int flags) throws Exception {
        g = new Guests(4);
        long span = g.src.ramEnd() + ROUNDS * 256 * KiB;     // room for the hot-plugged blocks
        List<Long> lost = new ArrayList<>();
        CWriters.Stats stats;
        try (CWriters writers = CWriters.start(g.rcu.readerTable(), g.src.nativeTable().root(),
                g.src.dirtyMemory().nativeRoot(), span, 2, 23, clientMask, flags, 0)) {
            for (int round = 0; round < ROUNDS; round++) {
                if (round > 0) {                               // hot-plug and resize while the C writers write
                    g.src.add(RamBlockSpec.of("hp" + round, 256 * KiB));
                    g.dst.add(RamBlockSpec.of("hp" + round, 256 * KiB));
                    g.src.resize(g.src.block("ram2"), (1 + round) * MiB);
                }
                migrate(writers);
                lost.add(differingBytes(g.src, g.dst));        // the writers stay parked until resumed
                writers.resume();
            }
            stats = writers.stop();
        }
        System.out.printf("C writers (mask 0x%x, flags %d): %s; bytes lost per migration %s%n", clientMask, flags, stats, lost);
        assertEquals(0, stats.errors(), "every C writer joined the domain and every mark succeeded: " + stats);
        assertEquals(clientMask == 0 ? 0 : stats.written(), stats.marked(), "marks: " + stats);
        assertTrue(stats.written() >= ROUNDS * WRITES_BEFORE_SWITCH_OVER, "C writers wrote guest RAM: " + stats);
        return lost;
    }

    void migrate(CWriters writers) throws Exception {
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
        CompletableFuture<LiveMigration.LoadStats> dest = CompletableFuture.supplyAsync(() -> {
            try {
                return LiveMigration.receive(pair[1], g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Runnable pause = () -> {
            // Let the device rewrite pages the iterations already sent, then stop it (every write so far is marked).
            long from = writers.written(), deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (writers.written() - from < WRITES_BEFORE_SWITCH_OVER && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            writers.pause();
        };
        try {
            LiveMigration.Options o = LiveMigration.Options.defaults().withMaxIterations(4).withDowntimeTarget(Duration.ofMillis(20));
            MigrationStats s = new LiveMigration(g.src, o, null).send(pair[0], pause, writers::resume);
            assertNotNull(dest.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(), s.blocksChanged(), "no migratable block changed during the migration");
        } finally {
            pair[0].close();
        }
    }

    /** Bytes of the migratable source blocks that differ from the destination's (used lengths must match). */
    static long differingBytes(RamList src, RamList dst) {
        long n = 0;
        for (RamBlock s : src.blocks()) {
            if (!s.isMigratable()) {
                continue;
            }
            RamBlock d = dst.block(s.name());
            assertEquals(s.usedLength(), d.usedLength(), "used length of " + s.name());
            MemorySegment a = s.segment(), b = d.segment();
            for (long off = 0; off < s.usedLength(); off += 8) {
                long x = a.get(ValueLayout.JAVA_LONG, off), y = b.get(ValueLayout.JAVA_LONG, off);
                n += Long.bitCount(0x0101010101010101L & ((x ^ y) | (x ^ y) >>> 1 | (x ^ y) >>> 2 | (x ^ y) >>> 3
                        | (x ^ y) >>> 4 | (x ^ y) >>> 5 | (x ^ y) >>> 6 | (x ^ y) >>> 7));
            }
        }
        return n;
    }
}
