package org.guestmem.migration;

import static org.guestmem.migration.QemuProcess.COUNTER;
import static org.guestmem.migration.QemuProcess.RAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips with a real QEMU 7.2 (skipped where qemu-system-x86_64 is not installed): a running QEMU
 * migrates into guestmem, guestmem writes the guest for a fresh QEMU, which resumes it; and QEMU loads a
 * guest guestmem created itself. The guest is the counter BIOS of {@link QemuProcess}.
 */
class QemuRoundTripTest {
    static final int PAGE = 4096;
    /** A word the test changes through guestmem's API while guestmem holds the RAM. */
    static final long CHANGED = 0x7100;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuProcess.assumeInstalled();
    }

    /** Receives from a QEMU in a background thread; the future completes with the guest. */
    static CompletableFuture<QemuGuest> receiveInBackground(CompletableFuture<Integer> port) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return QemuMigration.receive(0, 20_000, PAGE, port::complete);
            } catch (IOException e) {
                port.completeExceptionally(e);
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Waits until the counter has moved past {@code min}: the guest runs. */
    static long awaitCounterAbove(QemuProcess q, long min) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long v;
        while ((v = q.readDword(COUNTER)) <= min) {
            assertTrue(System.nanoTime() < end, "the counter stays at " + v + ", not above " + min);
            QemuProcess.sleep(10);
        }
        return v;
    }

    /** pc.ram below the VGA hole and from 1 MiB on (what pmemsave shows as pc.ram) equals guestmem's pc.ram. */
    static void assertRamEquals(QemuProcess q, Path dir, MemorySegment pcRam) throws IOException {
        assertArrayEquals(pcRam.asSlice(0, 0xa0000).toArray(ValueLayout.JAVA_BYTE), q.pmem(dir, 0, 0xa0000), "pc.ram [0, 0xa0000)");
        assertArrayEquals(pcRam.asSlice(0x100000, RAM - 0x100000).toArray(ValueLayout.JAVA_BYTE), q.pmem(dir, 0x100000, RAM - 0x100000),
                "pc.ram [0x100000, 32 MiB)");
    }

    @Test
    void aRunningQemuMigratesIntoGuestmemAndAFreshQemuResumesFromTheSavedFile() throws Exception {
        Path bios = QemuProcess.writeBios(dir);
        Path file = dir.resolve("guest.stream");
        try (QemuProcess a = QemuProcess.start(bios, "pc")) {
            awaitCounterAbove(a, 1000);
            CompletableFuture<Integer> port = new CompletableFuture<>();
            CompletableFuture<QemuGuest> received = receiveInBackground(port);
            a.migrate("tcp:127.0.0.1:" + port.get(20, TimeUnit.SECONDS), 30);
            long lastA = a.readDword(COUNTER);
            try (QemuGuest g = received.get(30, TimeUnit.SECONDS)) {
                assertEquals("pc-i440fx-7.2", g.machine());
                RamBlock pcRam = g.ram().block("pc.ram");
                assertEquals(RAM, pcRam.usedLength());
                GuestMemory mem = new GuestMemory(g.ram());
                assertEquals(lastA, mem.readInt(pcRam.offset() + COUNTER) & 0xffffffffL, "guestmem holds A's last counter");
                mem.writeInt(pcRam.offset() + CHANGED, 0x5eed1234);
                g.save(file);

                try (QemuProcess b = QemuProcess.start(bios, "pc", "-S", "-incoming", "exec:cat " + file)) {
                    assertEquals("paused", b.awaitStatus(20, "paused", "running"));
                    assertRamEquals(b, dir, pcRam.segment());
                    assertEquals(0x5eed1234L, b.readDword(CHANGED));
                    b.execute("{\"execute\":\"cont\"}");
                    long v = awaitCounterAbove(b, lastA);
                    awaitCounterAbove(b, v);
                }
            }
        }
    }

    @Test
    void relayLiveOverTcpWithXbzrleOnTheSource() throws Exception {
        Path bios = QemuProcess.writeBios(dir);
        int portB = QemuProcess.freePort();
        try (QemuProcess b = QemuProcess.start(bios, "pc", "-S", "-incoming", "tcp:127.0.0.1:" + portB);
                QemuProcess a = QemuProcess.start(bios, "pc")) {
            awaitCounterAbove(a, 1000);
            CompletableFuture<Integer> port = new CompletableFuture<>();
            CompletableFuture<QemuGuest> received = receiveInBackground(port);
            String done = a.migrateWithXbzrle("tcp:127.0.0.1:" + port.get(20, TimeUnit.SECONDS), 30);
            long lastA = a.readDword(COUNTER);
            try (QemuGuest g = received.get(30, TimeUnit.SECONDS)) {
                assertTrue(g.received().xbzrlePages() > 0, "XBZRLE pages came: " + g.received());
                // QEMU's xbzrle-cache "pages" also counts pages it did not send; its "bytes" count exactly what went out
                assertEquals(QemuProcess.xbzrleBytes(done), g.received().xbzrleBytes(), "guestmem read every XBZRLE record A sent: " + done);
                assertTrue(g.received().ramSections() > 3, "several iterations: " + g.received());
                RamBlock pcRam = g.ram().block("pc.ram");
                GuestMemory mem = new GuestMemory(g.ram());
                assertEquals(lastA, mem.readInt(pcRam.offset() + COUNTER) & 0xffffffffL);
                mem.writeInt(pcRam.offset() + CHANGED, 0x0badf00d);
                QemuMigration.send(g, "127.0.0.1:" + portB, 20_000);
                assertEquals("paused", b.awaitStatus(20, "paused", "running"));
                assertRamEquals(b, dir, pcRam.segment());
                assertEquals(0x0badf00dL, b.readDword(CHANGED));
                b.execute("{\"execute\":\"cont\"}");
                awaitCounterAbove(b, awaitCounterAbove(b, lastA));
            }
        }
    }

    /** The blocks of {@code -M pc -m 32M -nodefaults} with a 64 KiB BIOS, in QEMU's stream order. */
    static List<RamBlockSpec> pcBlocks() {
        return List.of(RamBlockSpec.of("pc.ram", RAM), RamBlockSpec.of("/rom@etc/acpi/tables", 0x20000), RamBlockSpec.of("pc.rom", 0x20000),
                RamBlockSpec.of("pc.bios", QemuProcess.BIOS_SIZE), RamBlockSpec.of("/rom@etc/table-loader", 0x1000),
                RamBlockSpec.of("/rom@etc/acpi/rsdp", 0x1000));
    }

    /**
     * A guest guestmem made itself: patterned pc.ram, the counter loop in its own pc.bios. The destination
     * QEMU gets a BIOS file of only hlt: the loop runs only if guestmem's pc.bios arrived.
     */
    static QemuGuest createdGuest(String machine, long randomBytes) throws IOException {
        QemuGuest g = QemuGuest.create(machine, PAGE, pcBlocks());
        GuestMemory mem = new GuestMemory(g.ram());
        RamBlock pcRam = g.ram().block("pc.ram");
        SplittableRandom rnd = new SplittableRandom(14);
        byte[] chunk = new byte[64 << 10];
        for (long off = 0x100000; off < 0x100000 + randomBytes; off += chunk.length) {
            rnd.nextBytes(chunk);
            mem.write(pcRam.offset() + off, chunk);
        }
        mem.writeInt(pcRam.offset() + COUNTER, 1000);
        mem.write(g.ram().block("pc.bios").offset(), QemuProcess.bios());
        return g;
    }

    /** A BIOS file of the counter BIOS's size that only halts. */
    Path haltBios() throws IOException {
        byte[] b = new byte[(int) QemuProcess.BIOS_SIZE];
        java.util.Arrays.fill(b, (byte) 0xf4);
        return Files.write(dir.resolve("halt-bios.bin"), b);
    }

    @Test
    void qemuLoadsAGuestThatGuestmemCreated() throws Exception {
        Path file = dir.resolve("created.stream");
        try (QemuGuest g = createdGuest("pc-i440fx-7.2", 4 << 20)) {
            g.save(file);
            try (QemuProcess b = QemuProcess.start(haltBios(), "pc", "-S", "-incoming", "exec:cat " + file)) {
                assertEquals("paused", b.awaitStatus(20, "paused", "running"));
                assertRamEquals(b, dir, g.ram().block("pc.ram").segment());
                b.execute("{\"execute\":\"cont\"}");
                awaitCounterAbove(b, 1000);
            }
        }
    }

    @Test
    void aTruncatedFileMakesQemuFailAndGuestmemSaysWhy() throws Exception {
        Path file = dir.resolve("created.stream");
        Path cut = dir.resolve("cut.stream");
        try (QemuGuest g = createdGuest("pc-i440fx-7.2", 1 << 20)) {
            g.save(file);
        }
        byte[] all = Files.readAllBytes(file);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        try (QemuProcess b = QemuProcess.start(haltBios(), "pc", "-S", "-incoming", "exec:cat " + cut)) {
            assertEquals(1, b.awaitExit(20), b.stderr());
            assertTrue(b.stderr().contains("load of migration failed"), b.stderr());
        }
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> QemuGuest.load(cut, PAGE).close());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("byte offset"), e.getMessage());
    }

    @Test
    void aWrongMachineTypeMakesQemuFailAndGuestmemSaysWhy() throws Exception {
        int portB = QemuProcess.freePort();
        // more RAM than socket buffers hold: the destination exits with bytes unread, which resets the connection
        try (QemuGuest g = createdGuest("pc-q35-7.2", 16 << 20);
                QemuProcess b = QemuProcess.start(haltBios(), "pc", "-S", "-incoming", "tcp:127.0.0.1:" + portB)) {
            IOException e = assertThrows(IOException.class, () -> QemuMigration.send(g, "127.0.0.1:" + portB, 20_000));
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("'pc-q35-7.2'"), e.getMessage());
            assertEquals(1, b.awaitExit(20), b.stderr());
            assertTrue(b.stderr().contains("Machine type received is 'pc-q35-7.2' and local is 'pc-i440fx-7.2'"), b.stderr());
        }
    }
}
