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
}
