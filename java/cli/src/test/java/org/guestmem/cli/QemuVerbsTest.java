package org.guestmem.cli;

import static org.guestmem.migration.QemuProcess.COUNTER;
import static org.guestmem.migration.QemuProcess.RAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.guestmem.migration.QemuProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QEMU verbs from the command line, with real QEMU 7.2 processes (skipped where qemu-system-x86_64 is
 * not installed): {@code migrate receive --save} then {@code send --load}, {@code relay} with XBZRLE on the
 * source, {@code inspect} of the saved file, and a relay that refuses a return-path source before it
 * connects to the destination.
 */
class QemuVerbsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuProcess.assumeInstalled();
    }

    /** A CLI run in the background with System.out and its error line captured; {@link #port} waits for "listening on port N". */
    static final class Background implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit;
        private final PrintStream old = System.out;

        Background(String... args) {
            PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
            System.setOut(both);
            picocli.CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(both, true));
            exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
        }

        int port() throws IOException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                Matcher m = Pattern.compile("listening on port (\\d+)").matcher(output());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                QemuProcess.sleep(10);
            }
            throw new IOException("no 'listening on port' line: " + output());
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits for the exit code and gives System.out back. */
        int await() throws Exception {
            try {
                return exit.get(60, TimeUnit.SECONDS);
            } finally {
                close();
            }
        }

        /** Gives System.out back (the run itself ends at its own --timeout). */
        @Override
        public void close() {
            System.setOut(old);
        }
    }

    static long awaitCounterAbove(QemuProcess q, long min) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long v;
        while ((v = q.readDword(COUNTER)) <= min) {
            assertTrue(System.nanoTime() < end, "the counter stays at " + v + ", not above " + min);
            QemuProcess.sleep(10);
        }
        return v;
    }

    /** B (paused after the load) has A's RAM (A stopped when its migration completed), then resumes A's counter. */
    void assertBResumesA(QemuProcess a, QemuProcess b, long lastA) throws IOException {
        assertEquals("paused", b.awaitStatus(20, "paused", "running"));
        assertArrayEquals(a.pmem(dir, 0, 0xa0000), b.pmem(dir, 0, 0xa0000), "pc.ram [0, 0xa0000)");
        assertArrayEquals(a.pmem(dir, 0x100000, RAM - 0x100000), b.pmem(dir, 0x100000, RAM - 0x100000), "pc.ram [0x100000, 32 MiB)");
        b.execute("{\"execute\":\"cont\"}");
        awaitCounterAbove(b, awaitCounterAbove(b, lastA));
    }

    @Test
    void receiveSaveThenSendLoad() throws Exception {
        Path bios = QemuProcess.writeBios(dir);
        Path file = dir.resolve("guest.stream");
        int portB = QemuProcess.freePort();
        try (QemuProcess a = QemuProcess.start(bios, "pc"); QemuProcess b = QemuProcess.start(bios, "pc", "-S", "-incoming", "tcp:127.0.0.1:" + portB)) {
            awaitCounterAbove(a, 1000);
            try (Background receive = new Background("migrate", "receive", "--listen", "0", "--save", file.toString(), "--timeout", "20")) {
                a.migrate("tcp:127.0.0.1:" + receive.port(), 30);
                assertEquals(0, receive.await(), receive.output());
                assertTrue(receive.output().contains("received: machine pc-i440fx-7.2") && receive.output().contains("block pc.ram"), receive.output());
            }
            long lastA = a.readDword(COUNTER);

            String[] inspect = MigrationVerbsTest.run("inspect", file.toString());
            assertEquals("0", inspect[0], inspect[1]);
            assertTrue(inspect[1].contains("pc.ram") && inspect[1].contains("SECTION_FULL of section 'timer'")
                    && inspect[1].contains("machine type: pc-i440fx-7.2") && inspect[1].contains("bytes after the RAM"), inspect[1]);

            String[] send = MigrationVerbsTest.run("migrate", "send", "--load", file.toString(), "--to", "127.0.0.1:" + portB);
            assertEquals("0", send[0], send[1]);
            assertTrue(send[1].contains("sent "), send[1]);
            assertBResumesA(a, b, lastA);
        }
    }

    @Test
    void relayWithXbzrleOnTheSource() throws Exception {
        Path bios = QemuProcess.writeBios(dir);
        int portB = QemuProcess.freePort();
        try (QemuProcess a = QemuProcess.start(bios, "pc"); QemuProcess b = QemuProcess.start(bios, "pc", "-S", "-incoming", "tcp:127.0.0.1:" + portB)) {
            awaitCounterAbove(a, 1000);
            try (Background relay = new Background("migrate", "relay", "--listen", "0", "--to", "127.0.0.1:" + portB, "--timeout", "20")) {
                String done = a.migrateWithXbzrle("tcp:127.0.0.1:" + relay.port(), 30);
                assertEquals(0, relay.await(), relay.output());
                Matcher m = Pattern.compile("(\\d+) xbzrle pages").matcher(relay.output());
                assertTrue(m.find() && Long.parseLong(m.group(1)) > 0, relay.output() + "\n" + done);
                assertTrue(relay.output().contains("sent "), relay.output());
            }
            assertBResumesA(a, b, a.readDword(COUNTER));
        }
    }

    @Test
    void relayRefusesAReturnPathSourceBeforeConnectingOn() throws Exception {
        try (QemuProcess a = QemuProcess.start(QemuProcess.writeBios(dir), "pc"); ServerSocket destination = new ServerSocket(0)) {
            a.execute("{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":[{\"capability\":\"return-path\",\"state\":true}]}}");
            try (Background relay = new Background("migrate", "relay", "--listen", "0", "--to", "127.0.0.1:" + destination.getLocalPort(), "--timeout", "20")) {
                a.execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:" + relay.port() + "\"}}");
                assertEquals(2, relay.await(), relay.output());
                assertTrue(relay.output().contains("byte offset 26: refused: MIG_CMD OPEN_RETURN_PATH"), relay.output());
            }
            destination.setSoTimeout(200);
            assertTrue(assertThrowsTimeout(destination), "the relay connected to the destination");
        }
    }

    /** True when nobody connects within the socket's timeout. */
    static boolean assertThrowsTimeout(ServerSocket s) throws IOException {
        try {
            s.accept().close();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
