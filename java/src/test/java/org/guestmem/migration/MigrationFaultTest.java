package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.guestmem.ram.RamBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault injection around a live migration: the connection dropped at random points, a truncated stream, a
 * flipped bit in a page header, a destination that refuses or hangs up, a block freed mid-migration. Each
 * fault gives an error that says what happened, the source guest keeps running (its vCPUs write on), and a
 * second migration afterwards leaves the destination equal to the source.
 */
class MigrationFaultTest {
    Guests g = new Guests(2);
    SimulatedVcpus vcpus;

    @AfterEach
    void tearDown() {
        if (vcpus != null) {
            vcpus.close();
        }
        g.close();
    }

    SimulatedVcpus startVcpus() {
        vcpus = new SimulatedVcpus(g.srcMemory(), List.of(g.src.block("pc.ram")), 1, 5_000, 13).start();
        return vcpus;
    }

    /** The destination thread: loads from {@code ch} into the destination guest. */
    CompletableFuture<LiveMigration.LoadStats> destination(MigrationChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LiveMigration.receive(ch, g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** A migration through {@code wrap(source end)}, the destination in another thread; returns the source's stats. */
    MigrationStats migrate(Function<MigrationChannel, MigrationChannel> wrap) throws Exception {
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(256 * 1024);
        CompletableFuture<LiveMigration.LoadStats> dest = destination(pair[1]);
        try (MigrationChannel src = wrap.apply(pair[0])) {
            Runnable pause = vcpus == null ? () -> {} : vcpus::pause, resume = vcpus == null ? () -> {} : vcpus::resume;
            MigrationStats s = new LiveMigration(g.src, LiveMigration.Options.defaults().withBandwidth(256 * Guests.MiB), null).send(src, pause, resume);
            dest.get(30, TimeUnit.SECONDS);
            return s;
        } finally {
            pair[1].close();
        }
    }

    /** The source keeps running after the fault, and a clean migration then makes the destination equal the source. */
    void assertRecovers() throws Exception {
        if (vcpus != null) {
            long before = vcpus.writes();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (vcpus.writes() == before && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(vcpus.writes() > before, "the source's vCPUs keep running after the fault");
        }
        migrate(c -> c);
        g.assertSame();
        if (vcpus != null) {
            vcpus.resume();
        }
    }

    @Test
    void aConnectionDroppedAtRandomPointsFailsCleanlyEachTime() throws Exception {
        startVcpus();
        long size = migrate(c -> c).transferredBytes();
        vcpus.resume();
        List<Long> cuts = new ArrayList<>(List.of(0L, 3L, 8L, 20L, 60L));
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 7; i++) {
            cuts.add(rnd.nextLong(size));
        }
        for (long cut : cuts) {
            MigrationChannel[] pair = MigrationChannel.inMemoryPair(256 * 1024);
            CompletableFuture<LiveMigration.LoadStats> dest = destination(pair[1]);
            IOException e = assertThrows(IOException.class, () -> new LiveMigration(g.src, LiveMigration.Options.defaults(), null)
                    .send(FaultyChannel.droppingAfter(pair[0], cut), vcpus::pause, vcpus::resume), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("migration to in-memory destination failed: "), e.getMessage());
            ExecutionException d = assertThrows(ExecutionException.class, () -> dest.get(10, TimeUnit.SECONDS));
            StreamFormatException f = assertCause(StreamFormatException.class, d);
            assertTrue(f.getMessage().contains("the stream is truncated: it ends at byte offset " + cut), f.getMessage());
            pair[0].close();
            assertRecovers();
        }
    }

    @Test
    void aTruncatedStreamNamesWhereItEndsAndLeavesTheDestinationLoadable() throws Exception {
        byte[] stream = savedStream();
        List<Integer> cuts = new ArrayList<>(List.of(0, 1, 4, 7, 8, 9, 20, 40, stream.length / 2, stream.length - 1));
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 10; i++) {
            cuts.add(rnd.nextInt(stream.length));
        }
        for (int cut : cuts) {
            ByteArrayInputStream in = new ByteArrayInputStream(stream, 0, cut);
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> new RamLoader(g.dst).load(in), "cut at " + cut);
            assertTrue(e.getMessage().contains("the stream is truncated: it ends at byte offset " + cut), e.getMessage());
            assertTrue(e.offset() <= cut, e.getMessage());
        }
        new RamLoader(g.dst).load(new ByteArrayInputStream(stream));
        g.assertSame();
    }

    /** Flag bits (all but CONTINUE) and high offset bits of a page header: refused at that header's offset. */
    @Test
    void aFlippedBitInAPageHeaderIsRefusedAtThatRecord() throws Exception {
        byte[] stream = savedStream();
        List<Long> headers = pageHeaders(stream);
        int[] bits = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 40, 52, 62, 63};
        for (long at : List.of(headers.get(0), headers.get(1), headers.get(headers.size() / 2), headers.getLast())) {
            for (int bit : bits) {
                byte[] bad = stream.clone();
                bad[(int) at + 7 - bit / 8] ^= (byte) (1 << bit % 8);
                StreamFormatException e = assertThrows(StreamFormatException.class, () -> new RamLoader(g.dst).load(new ByteArrayInputStream(bad)),
                        "bit " + bit + " of the header at " + at);
                assertEquals(at, e.offset(), e.getMessage());
            }
            // CONTINUE flipped: the idstr and the page body are read out of step; refused at this record or a later one.
            byte[] bad = stream.clone();
            bad[(int) at + 7] ^= 0x20;
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> new RamLoader(g.dst).load(new ByteArrayInputStream(bad)));
            assertTrue(e.offset() >= at, e.getMessage());
        }
        new RamLoader(g.dst).load(new ByteArrayInputStream(stream));
        g.assertSame();
    }

    /**
     * A low offset bit flipped moves the page to another valid offset: QEMU's format carries no checksum,
     * so the load succeeds with one page misplaced. Shown here so the limit is known; a clean load repairs it.
     */
    @Test
    void aFlippedLowOffsetBitIsNotDetectableByTheFormat() throws Exception {
        byte[] stream = savedStream();
        long at = pageHeaders(stream).get(3);
        byte[] bad = stream.clone();
        bad[(int) at + 6] ^= 0x10;                         // bit 12: one page further or back
        new RamLoader(g.dst).load(new ByteArrayInputStream(bad));
        assertThrows(AssertionError.class, g::assertSame, "one page landed at the wrong offset");
        new RamLoader(g.dst).load(new ByteArrayInputStream(stream));
        g.assertSame();
    }

    @Test
    void aBitFlippedOnTheWireIsRefusedByTheDestinationAndTheSourceHearsWhere() throws Exception {
        startVcpus();
        long at = pageHeaders(savedStream()).getFirst();   // setup's bytes do not depend on timing: same offset live
        IOException e = assertThrows(IOException.class, () -> migrate(c -> FaultyChannel.flippingBit(c, at + 6, 2)));
        assertTrue(e.getMessage().contains("failed to load: migration stream, byte offset " + at + ": header 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown flag bits 0x400"), e.getMessage());
        assertRecovers();
    }

    @Test
    void aRefusedConnectionNamesTheDestination() throws Exception {
        startVcpus();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();                       // closed again: nobody listens there
        }
        String where = "localhost:" + port;
        IOException e = assertThrows(IOException.class, () -> MigrationChannel.connect(where, 2000));
        assertTrue(e.getMessage().startsWith("cannot connect to migration destination " + where + ": "), e.getMessage());
        assertRecovers();
    }

    @Test
    void aDestinationThatHangsUpAtOnceFailsTheMigrationAndTheGuestRuns() throws Exception {
        startVcpus();
        AtomicInteger pauses = new AtomicInteger(), resumes = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0)) {
            Thread hangUp = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    s.setSoLinger(true, 0);                // closes with a reset, as a crashed destination would
                } catch (IOException ignored) {
                    // the test checks the source side
                }
            });
            String where = "localhost:" + server.getLocalPort();
            // The reset can beat connect() to the socket (ECONNRESET from the connect) or come during the send.
            IOException e = assertThrows(IOException.class, () -> {
                try (MigrationChannel ch = MigrationChannel.connect(where, 2000)) {
                    new LiveMigration(g.src, LiveMigration.Options.defaults(), null)
                            .send(ch, () -> { pauses.incrementAndGet(); vcpus.pause(); }, () -> { resumes.incrementAndGet(); vcpus.resume(); });
                }
            });
            assertTrue(e.getMessage().startsWith("cannot connect to migration destination " + where + ": ")
                    || e.getMessage().matches("migration to .*:" + server.getLocalPort() + " failed: .+"), e.getMessage());
            hangUp.join();
        }
        assertEquals(pauses.get(), resumes.get(), "a pause is always followed by a resume");
        assertRecovers();
        // And once more over TCP, to a destination that stays.
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<LiveMigration.LoadStats> dest = CompletableFuture.supplyAsync(() -> {
            try (MigrationChannel ch = MigrationChannel.accept(0, 10_000, port::complete)) {
                return LiveMigration.receive(ch, g.dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        vcpus.resume();
        try (MigrationChannel ch = MigrationChannel.connect("localhost:" + port.get(10, TimeUnit.SECONDS), 2000)) {
            new LiveMigration(g.src, LiveMigration.Options.defaults(), null).send(ch, vcpus::pause, vcpus::resume);
        }
        dest.get(30, TimeUnit.SECONDS);
        g.assertSame();
    }

    @Test
    void freeingANonMigratableBlockMidMigrationLetsItFinish() throws Exception {
        startVcpus();
        RamBlock vga = g.src.block("vga.vram");
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(64 * 1024);
        CompletableFuture<LiveMigration.LoadStats> dest = destination(pair[1]);
        AtomicInteger freed = new AtomicInteger();
        MigrationStats s = new LiveMigration(g.src, LiveMigration.Options.defaults().withBandwidth(16 * Guests.MiB).withDowntimeTarget(java.time.Duration.ofMillis(20)), p -> {
            if (p.phase().equals("iterate") && freed.getAndIncrement() == 0) {
                g.src.free(vga);
            }
        }).send(pair[0], vcpus::pause, vcpus::resume);
        dest.get(30, TimeUnit.SECONDS);
        pair[0].close();
        g.assertSame();
        assertTrue(vga.isRemoved());
        assertTrue(s.versionChanges() >= 1, s.toMap().toString());
        assertEquals(List.of(), s.blocksChanged());
        vcpus.resume();
        assertRecovers();
    }

    @Test
    void freeingAMigratableBlockInStrictModeIsRefusedWithItsNameAndTheMigrationFinishes() throws Exception {
        startVcpus();
        RamBlock bios = g.src.block("pc.bios");
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(64 * 1024);
        CompletableFuture<LiveMigration.LoadStats> dest = destination(pair[1]);
        List<String> refusals = new ArrayList<>();
        LiveMigration.Options strict = LiveMigration.Options.defaults().withBandwidth(16 * Guests.MiB).withDowntimeTarget(java.time.Duration.ofMillis(20)).withSaver(new RamSaver.Options(false, 0, true));
        new LiveMigration(g.src, strict, p -> {
            if (p.phase().equals("iterate") && refusals.isEmpty()) {
                refusals.add(assertThrows(IllegalStateException.class, () -> g.src.free(bios)).getMessage());
            }
        }).send(pair[0], vcpus::pause, vcpus::resume);
        dest.get(30, TimeUnit.SECONDS);
        pair[0].close();
        assertEquals(List.of("a migration is active (strict mode): refusing to free migratable block 'pc.bios'"), refusals);
        g.assertSame();
        vcpus.resume();
        g.src.free(bios);                                  // allowed once no migration holds the list
        g.dst.free(g.dst.block("pc.bios"));
        assertRecovers();
    }

    /** A whole stream of the idle source guest, saved in one go. */
    byte[] savedStream() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RamStreamWriter w = new RamStreamWriter(bytes, 4096);
        w.fileHeader();
        try (RamSaver s = new RamSaver(g.src, w, LiveMigration.RAM_SECTION_ID, RamSaver.Options.defaults())) {
            s.setup();
            s.iterate(Long.MAX_VALUE);
            s.complete();
        }
        w.eof();
        return bytes.toByteArray();
    }

    /** Byte offsets of the raw-page records' headers. */
    static List<Long> pageHeaders(byte[] stream) throws IOException {
        List<Long> at = new ArrayList<>();
        RamStreamReader r = new RamStreamReader(new ByteArrayInputStream(stream), 4096);
        r.readAll(new RamRecordSink() {
            @Override
            public void page(String block, long offset, byte[] data, int dataOffset) {
                at.add(r.recordOffset());
            }
        });
        assertNotEquals(0, at.size());
        return at;
    }

    static <T extends Throwable> T assertCause(Class<T> type, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + t, t);
    }
}
