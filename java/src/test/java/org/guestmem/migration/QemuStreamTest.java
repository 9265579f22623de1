package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams written by a real QEMU: a committed fixture (always), and a fresh one from Debian's
 * {@code qemu-system-x86_64} when it is installed (skipped with a message otherwise). The guest is
 * {@code -M pc -m 32M -nodefaults -S} with a 64 KiB pattern loaded at 0x100000 by {@code -device loader};
 * migrated with {@code migrate "exec:cat > FILE"}. The fixture was made by exactly {@link #runQemu}
 * (QEMU 7.2), then gzipped.
 */
class QemuStreamTest {
    static final long PATTERN_ADDR = 0x100000;
    static final String SEABIOS = "/usr/share/seabios/bios-256k.bin";

    static byte[] pattern() {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16384; i++) {
            b.putInt(0x47554553 ^ i);
        }
        return b.array();
    }

    /** Inspects and extracts a QEMU stream and checks the pattern, the BIOS and where reading stopped. */
    static void checkQemuStream(InputStream in, Path dir) throws IOException {
        StreamInspector inspector = new StreamInspector(4096, dir);
        RamStreamReader.Result r = inspector.inspect(in);
        assertFalse(r.complete(), "a QEMU stream holds device state after the RAM");
        assertTrue(r.stoppedAt().contains("SECTION_FULL") && r.stoppedAt().contains("a non-RAM section"), r.stoppedAt());
        StreamInspector.BlockCounts ram = inspector.blocks().get("pc.ram");
        assertNotNull(ram, "blocks: " + inspector.blocks().keySet());
        assertEquals(32 << 20, ram.length);
        assertEquals(ram.length / 4096, ram.pages + ram.zeroPages, "a paused guest's RAM is sent completely, once");
        assertTrue(ram.pages >= 16, "the pattern's 16 pages are not zero");
        byte[] pcRam = Files.readAllBytes(dir.resolve("pc.ram.ram"));
        assertArrayEquals(pattern(), Arrays.copyOfRange(pcRam, (int) PATTERN_ADDR, (int) PATTERN_ADDR + 65536));
        byte[] bios = Files.readAllBytes(dir.resolve("pc.bios.ram"));
        assertEquals(256 * 1024, bios.length);
        assertEquals((byte) 0xea, bios[0x3fff0], "the reset vector: a far jump at 0xffff0");
        Path seabios = Path.of(SEABIOS);
        if (Files.isReadable(seabios)) {
            assertArrayEquals(Files.readAllBytes(seabios), bios, "the BIOS image QEMU loaded");
        }
    }

    @Test
    void theCommittedQemuFixtureReadsAndExtracts(@TempDir Path dir) throws IOException {
        try (InputStream in = new GZIPInputStream(QemuStreamTest.class.getResourceAsStream("qemu-7.2-pc-32M.stream.gz"))) {
            checkQemuStream(in, dir);
        }
    }

    @Test
    void aFreshStreamFromTheInstalledQemu(@TempDir Path dir) throws Exception {
        Path qemu = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(p -> Path.of(p, "qemu-system-x86_64")).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(qemu != null, "qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86): skipping the live QEMU check");
        Path stream = dir.resolve("stream.bin");
        runQemu(qemu, dir, stream);
        try (InputStream in = Files.newInputStream(stream)) {
            checkQemuStream(in, dir.resolve("x"));
        }
    }

    /** Starts QEMU paused, migrates it to {@code stream} over QMP on stdio, waits for "completed", quits. */
    static void runQemu(Path qemu, Path dir, Path stream) throws Exception {
        Path patternFile = dir.resolve("pattern.bin");
        Files.write(patternFile, pattern());
        Process p = new ProcessBuilder(qemu.toString(), "-M", "pc", "-m", "32M", "-nodefaults", "-S", "-display", "none", "-accel", "tcg",
                "-device", "loader,file=" + patternFile + ",addr=0x" + Long.toHexString(PATTERN_ADDR), "-qmp", "stdio")
                .redirectErrorStream(true).start();
        try (OutputStream cmd = p.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String greeting = out.readLine();
            Assumptions.assumeTrue(greeting != null && greeting.contains("QMP"), "QEMU did not start: " + greeting);
            send(cmd, "{\"execute\":\"qmp_capabilities\"}");
            send(cmd, "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > " + stream + "\"}}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                send(cmd, "{\"execute\":\"query-migrate\"}");
                String line;
                while ((line = out.readLine()) != null && !line.contains("\"return\"")) {
                    // events and other replies
                }
                assertNotNull(line, "QEMU exited");
                assertFalse(line.contains("\"failed\""), line);
                done = line.contains("\"completed\"");
                if (!done) {
                    Thread.sleep(50);
                }
            }
            assertTrue(done, "QEMU's migration completed within 30 s");
            send(cmd, "{\"execute\":\"quit\"}");
        } finally {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static void send(OutputStream cmd, String json) throws IOException {
        cmd.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        cmd.flush();
    }
}
