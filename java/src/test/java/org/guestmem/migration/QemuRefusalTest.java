package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.guestmem.ram.RamBlockSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams a QEMU destination would reject, or that guestmem cannot carry to one, are refused with the
 * reason and the byte offset, before anything is written: crafted streams, and real QEMU 7.2 sources with
 * return-path, postcopy-ram and multifd (those skipped where qemu-system-x86_64 is not installed).
 */
class QemuRefusalTest {
    static final int PAGE = 4096;
    /** Header (8) + configuration section for "pc-i440fx-7.2" (1 + 4 + 13): where the ram section starts. */
    static final int RAM_START = 26;

    @TempDir
    Path dir;

    /** A small guest's stream as guestmem writes it. */
    static byte[] stream() throws IOException {
        try (QemuGuest g = QemuGuest.create("pc-i440fx-7.2", PAGE, List.of(RamBlockSpec.of("pc.ram", 64 << 10)))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            g.write(out);
            return out.toByteArray();
        }
    }

    static StreamFormatException refused(byte[] stream) {
        return assertThrows(StreamFormatException.class, () -> QemuGuest.receive(new ByteArrayInputStream(stream), PAGE).close());
    }

    static byte[] insert(byte[] s, int at, String hex) {
        byte[] ins = HexFormat.of().parseHex(hex);
        byte[] r = new byte[s.length + ins.length];
        System.arraycopy(s, 0, r, 0, at);
        System.arraycopy(ins, 0, r, at, ins.length);
        System.arraycopy(s, at, r, at + ins.length, s.length - at);
        return r;
    }

    @Test
    void ownStreamReadsBack() throws IOException {
        try (QemuGuest g = QemuGuest.receive(new ByteArrayInputStream(stream()), PAGE)) {
            assertEquals("pc-i440fx-7.2", g.machine());
            assertEquals(LiveMigration.RAM_SECTION_ID, g.ramSectionId());
            assertEquals(64 << 10, g.ram().block("pc.ram").usedLength());
            assertEquals(6 + QemuGuest.EMPTY_VMDESC.length(), g.deviceState().length);
        }
    }

    @Test
    void badArgumentsOfCreate() {
        List<RamBlockSpec> one = List.of(RamBlockSpec.of("pc.ram", 64 << 10));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QemuGuest.create(" ", PAGE, one)).getMessage().contains("machine type"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QemuGuest.create("pc", PAGE, List.of())).getMessage().contains("at least one"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> QemuGuest.create("pc", PAGE, List.of(RamBlockSpec.of("a", 4096), RamBlockSpec.of("a", 4096)))).getMessage().contains("'a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QemuGuest.load(Path.of("no-such-stream-file"), PAGE)).getMessage().contains("not a readable file"));
    }

    @Test
    void aRamSectionVersionOtherThan4() throws IOException {
        byte[] s = stream();
        assertEquals(4, s[RAM_START + 16]);      // type, be32 id, u8 3 "ram", be32 instance, be32 version: its last byte
        s[RAM_START + 16] = 5;
        StreamFormatException e = refused(s);
        assertEquals(RAM_START, e.offset());
        assertTrue(e.getMessage().contains("version 5"), e.getMessage());
    }

    @Test
    void aReturnPathRequest() throws IOException {
        StreamFormatException e = refused(insert(stream(), RAM_START, "0800010000" + "080002000400000001"));
        assertEquals(RAM_START, e.offset());
        assertTrue(e.getMessage().contains("OPEN_RETURN_PATH, PING") && e.getMessage().contains("return-path"), e.getMessage());
    }

    @Test
    void postcopy() throws IOException {
        StreamFormatException e = refused(insert(stream(), RAM_START, "0800010000" + "0800030010" + "00".repeat(16)));
        assertTrue(e.getMessage().contains("POSTCOPY_ADVISE") && e.getMessage().contains("postcopy-ram"), e.getMessage());
    }

    @Test
    void multifdFlagAndNoConfiguration() throws IOException {
        byte[] s = stream();
        byte[] noConfig = new byte[s.length - 18];
        System.arraycopy(s, 0, noConfig, 0, 8);
        System.arraycopy(s, RAM_START, noConfig, 8, s.length - RAM_START);
        assertTrue(refused(noConfig).getMessage().contains("no configuration section"));
        // a MULTIFD_FLUSH record (0x200) where the first PART's records start
        int part = indexOf(s, HexFormat.of().parseHex("0200000002"), RAM_START) + 5;
        System.arraycopy(HexFormat.of().parseHex("0000000000000200"), 0, s, part, 8);
        StreamFormatException e = refused(s);
        assertEquals(part, e.offset());
        assertTrue(e.getMessage().contains("MULTIFD_FLUSH"), e.getMessage());
    }

    @Test
    void aCutDeviceState() throws IOException {
        byte[] s = stream();
        StreamFormatException e = refused(java.util.Arrays.copyOf(s, s.length - 3));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("VM description"), e.getMessage());
    }

    static int indexOf(byte[] s, byte[] what, int from) {
        outer:
        for (int i = from; i + what.length <= s.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (s[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    // ------------------------------------------------------------------------------------ real QEMU sources

    /** A running QEMU with {@code capability} on migrates to guestmem; returns why guestmem refused. */
    String refusedFromQemu(String capability) throws Exception {
        QemuProcess.assumeInstalled();
        try (QemuProcess a = QemuProcess.start(QemuProcess.writeBios(dir), "pc")) {
            a.execute("{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":[{\"capability\":\"" + capability + "\",\"state\":true}]}}");
            CompletableFuture<Integer> port = new CompletableFuture<>();
            CompletableFuture<QemuGuest> received = QemuRoundTripTest.receiveInBackground(port);
            a.execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:" + port.get(20, TimeUnit.SECONDS) + "\"}}");
            ExecutionException e = assertThrows(ExecutionException.class, () -> received.get(30, TimeUnit.SECONDS).close());
            StreamFormatException f = assertInstanceOf(StreamFormatException.class, e.getCause());
            assertTrue(f.getMessage().contains("byte offset"), f.getMessage());
            return f.getMessage();
        }
    }

    @Test
    void aQemuSourceWithReturnPath() throws Exception {
        String m = refusedFromQemu("return-path");
        assertTrue(m.contains("byte offset 26:") && m.contains("OPEN_RETURN_PATH"), m);
    }

    /**
     * A postcopy source opens a return path too, and sends OPEN_RETURN_PATH and PING right before
     * POSTCOPY_ADVISE; guestmem decides from the bytes that have arrived when its reader stops at the first
     * command (it reads no further: a source with a return path waits for answers), so whether the advise is
     * among them depends on how TCP cut the stream. Either way the refusal is at the first command and names
     * the capability the user turned on.
     */
    @Test
    void aQemuSourceWithPostcopy() throws Exception {
        String m = refusedFromQemu("postcopy-ram");
        assertTrue(m.contains("byte offset 26:"), m);
        assertTrue(m.contains("POSTCOPY_ADVISE") && m.contains("capability postcopy-ram")
                || m.contains("OPEN_RETURN_PATH") && m.contains("or postcopy-ram, which opens one"), m);
    }

    @Test
    void aQemuSourceWithMultifd() throws Exception {
        String m = refusedFromQemu("multifd");
        assertTrue(m.contains("multifd"), m);
    }
}
