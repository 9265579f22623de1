package org.guestmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration verbs end to end: demo (both destination kinds) and inspect of a real QEMU stream. */
class MigrationVerbsTest {
    /** Runs the CLI with System.out captured; returns exit code and output. */
    static String[] run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute(args);
        } finally {
            System.setOut(old);
        }
        return new String[] {Integer.toString(rc), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void demoInProcessMigratesABusyGuestAndTheRamMatches() {
        String[] r = run("demo", "--in-process", "--size", "64M", "--dirty-rate", "5000", "--json");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("\"ram_matches\": true"), r[1]);
        assertTrue(r[1].contains("\"downtime_ms\""), r[1]);
        // the progress samples: first the whole guest to send at setup, last none left
        assertTrue(r[1].matches("(?s).*\"progress\": \\[\\s*\\{\\s*\"t_ms\": 0\\.0,\\s*\"phase\": \"setup\".*"), r[1]);
        assertTrue(r[1].matches("(?s).*\"phase\": \"done\",\\s*\"iteration\": \\d+,\\s*\"remaining_pages\": 0,.*"), r[1]);
    }

    @Test
    void demoWithADestinationJvm() {
        String[] r = run("demo", "--size", "64M", "--dirty-rate", "5000");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("child JVM"), r[1]);
        assertTrue(r[1].matches("(?s).*ram_matches\\s+true.*"), r[1]);
    }

    @Test
    void inspectReadsTheQemuFixture(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("qemu.stream.gz");
        try (InputStream in = MigrationVerbsTest.class.getResourceAsStream("/org/guestmem/migration/qemu-7.2-pc-32M.stream.gz")) {
            Files.copy(in, f);
        }
        String[] r = run("inspect", f.toString(), "--extract", dir.resolve("x").toString(), "--json");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("\"name\": \"pc.ram\"") && r[1].contains("\"complete\": false") && r[1].contains("'timer'"), r[1]);
        assertEquals(32 << 20, Files.size(dir.resolve("x/pc.ram.ram")));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
            assertTrue(in.readAllBytes().length > 300_000);
        }
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("junk");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals("2", run("inspect", f.toString())[0]);
        assertEquals("2", run("demo", "--size", "1M")[0]);
        assertEquals("2", run("migrate", "send", "--to", "nohostport")[0]);
    }
}
