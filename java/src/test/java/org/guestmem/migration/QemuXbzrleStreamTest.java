package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream written by a real QEMU 7.2 while its guest ran, with XBZRLE pages in it (the fixture
 * {@code qemu-7.2-counter-xbzrle.stream.gz}; {@code README.md} beside it says how it was made). The guest's
 * 64 KiB firmware ({@link #counterFirmware}) increments a 16-bit counter every 256 bytes of
 * 0x10000-0x1ffff in a loop, so those 16 pages keep changing and later passes send them as XBZRLE deltas
 * against earlier copies. Checked: the configuration's capabilities (x-ignore-shared adds a guest address
 * to each MEM_SIZE entry), page and XBZRLE counts, pc.ram against the SHA-256 an independent decoder
 * computed, the firmware in pc.bios, and that the counters form one consistent snapshot, through
 * {@code inspect} and through {@link RamLoader} into a RamList.
 */
class QemuXbzrleStreamTest {
    static final String FIXTURE = "qemu-7.2-counter-xbzrle.stream.gz";
    static final int PAGE = 4096;
    static final int COUNTER_BASE = 0x10000, COUNTER_STRIDE = 0x100, COUNTERS = 256;
    /** SHA-256 of the extracted pc.ram (2 MiB), computed by a separate minimal decoder. */
    static final String PC_RAM_SHA256 = "abab1837ac1464c6ca69422e919c701c4f762554c329ef4c381fa9478776ee9d";
    /** The blocks of the stream's MEM_SIZE record, in order, with their lengths. */
    static final Map<String, Long> BLOCKS = new LinkedHashMap<>();

    static {
        BLOCKS.put("pc.ram", 0x200000L);
        BLOCKS.put("/rom@etc/acpi/tables", 0x20000L);
        BLOCKS.put("pc.rom", 0x20000L);
        BLOCKS.put("pc.bios", 0x10000L);
        BLOCKS.put("/rom@etc/table-loader", 0x1000L);
        BLOCKS.put("/rom@etc/acpi/rsdp", 0x1000L);
    }

    static InputStream fixture() throws IOException {
        return new GZIPInputStream(QemuXbzrleStreamTest.class.getResourceAsStream(FIXTURE));
    }

    /**
     * The firmware image (-bios): real-mode code at 0 reached from the reset vector at 0xfff0
     * ({@code jmp far f000:0000}): {@code xor ax,ax; mov ds,ax; mov ax,0x1000; mov es,ax; outer: mov eax,cr0;
     * xor eax,0x10000; mov cr0,eax; xor di,di; inner: inc word [es:di]; add di,0x100; jnz inner; jmp outer}
     * (toggling CR0.WP flushes TCG's TLB so its dirty tracking sees every later write), and a text at 0x100.
     */
    static byte[] counterFirmware() {
        byte[] b = new byte[64 * 1024];
        byte[] code = HexFormat.of().parseHex("31c08ed8b800108ec00f20c06635000001000f22c031ff26ff0581c7000175f7ebe7");
        System.arraycopy(code, 0, b, 0, code.length);
        byte[] text = "guestmem test firmware: toggles CR0.WP, then increments the word at every 256th byte of 0x10000-0x1ffff, forever\0"
                .getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0x100, text.length);
        byte[] reset = {(byte) 0xea, 0x00, 0x00, 0x00, (byte) 0xf0};
        System.arraycopy(reset, 0, b, 0xfff0, reset.length);
        return b;
    }

    /**
     * The counter region of pc.ram is one snapshot of the loop: the counters read n+1 for a prefix and n
     * for the rest, and every byte between them is 0. Returns n.
     */
    static int checkCounters(byte[] ram) {
        int first = counter(ram, 0), last = counter(ram, COUNTERS - 1);
        boolean stepped = false;
        for (int k = 0; k < COUNTERS; k++) {
            int v = counter(ram, k);
            if (v == first && !stepped) {
                continue;
            }
            assertTrue(v == ((first - 1) & 0xffff) && v == last,
                    "counter " + k + " reads " + v + " after " + first + ": the region is not one snapshot of the loop");
            stepped = true;
        }
        for (int i = COUNTER_BASE; i < COUNTER_BASE + COUNTERS * COUNTER_STRIDE; i++) {
            if ((i - COUNTER_BASE) % COUNTER_STRIDE >= 2) {
                assertEquals(0, ram[i], String.format("byte 0x%x between the counters", i));
            }
        }
        return last;
    }

    private static int counter(byte[] ram, int k) {
        int at = COUNTER_BASE + k * COUNTER_STRIDE;
        return (ram[at] & 0xff) | (ram[at + 1] & 0xff) << 8;
    }

    static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void inspectDecodesQemusXbzrlePages(@TempDir Path dir) throws Exception {
        StreamInspector inspector = new StreamInspector(PAGE, dir);
        RamStreamReader.Result r;
        try (InputStream in = fixture()) {
            r = inspector.inspect(in);
        }
        assertEquals(List.of("x-ignore-shared"), inspector.capabilities(), "validate-uuid is not sent as a capability; x-ignore-shared is");
        assertFalse(r.complete(), "device state follows the RAM");
        assertTrue(r.stoppedAt().contains("SECTION_FULL") && r.stoppedAt().contains("a non-RAM section"), r.stoppedAt());
        assertEquals(11, inspector.sections(), "START, nine PARTs, END");
        assertEquals(List.copyOf(BLOCKS.keySet()), List.copyOf(inspector.blocks().keySet()));
        StreamInspector.BlockCounts ram = inspector.blocks().get("pc.ram");
        assertEquals(17, ram.xbzrlePages, "XBZRLE pages of pc.ram");
        assertEquals(17, inspector.blocks().values().stream().mapToLong(b -> b.xbzrlePages).sum(), "only pc.ram changes while the guest runs");
        assertTrue(ram.pages + ram.zeroPages >= ram.length / PAGE, "the first pass sends every page: " + ram.pages + " + " + ram.zeroPages);
        for (var e : BLOCKS.entrySet()) {
            assertEquals(e.getValue(), Files.size(dir.resolve(StreamInspector.fileName(e.getKey()))), e.getKey());
        }
        byte[] pcRam = Files.readAllBytes(dir.resolve("pc.ram.ram"));
        assertEquals(PC_RAM_SHA256, sha256(pcRam), "pc.ram with every XBZRLE delta applied");
        assertTrue(checkCounters(pcRam) > 0);
        assertArrayEquals(counterFirmware(), Files.readAllBytes(dir.resolve("pc.bios.ram")));
    }

    @Test
    void ramLoaderAppliesQemusXbzrlePagesToARamList() throws Exception {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList dst = new RamList(rcu, PAGE)) {
            BLOCKS.forEach((name, len) -> dst.add(RamBlockSpec.of(name, len)));
            RamLoader loader = new RamLoader(dst);
            RamStreamReader.Result r;
            try (InputStream in = fixture()) {
                r = loader.load(in);
            }
            assertFalse(r.complete(), r.stoppedAt());
            assertEquals(17, loader.xbzrlePages());
            assertEquals(11, loader.sections());
            byte[] pcRam = dst.block("pc.ram").segment().asSlice(0, BLOCKS.get("pc.ram")).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(PC_RAM_SHA256, sha256(pcRam));
            checkCounters(pcRam);
            assertArrayEquals(counterFirmware(), dst.block("pc.bios").segment().asSlice(0, 0x10000).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** pc.ram as a sink builds it, with or without the XBZRLE deltas applied. */
    static final class PcRam implements RamRecordSink {
        final byte[] ram = new byte[(int) (long) BLOCKS.get("pc.ram")];
        final boolean applyDeltas;
        int deltas;

        PcRam(boolean applyDeltas) {
            this.applyDeltas = applyDeltas;
        }

        @Override
        public void zeroPage(String block, long offset) {
            if (block.equals("pc.ram")) {
                java.util.Arrays.fill(ram, (int) offset, (int) offset + PAGE, (byte) 0);
            }
        }

        @Override
        public void page(String block, long offset, byte[] data, int dataOffset) {
            if (block.equals("pc.ram")) {
                System.arraycopy(data, dataOffset, ram, (int) offset, PAGE);
            }
        }

        @Override
        public void xbzrlePage(String block, long offset, byte[] data, int len) {
            assertEquals("pc.ram", block);
            assertTrue(offset >= COUNTER_BASE && offset < COUNTER_BASE + COUNTERS * COUNTER_STRIDE,
                    "an XBZRLE page outside the counter region, at 0x" + Long.toHexString(offset));
            deltas++;
            if (applyDeltas) {
                byte[] p = java.util.Arrays.copyOfRange(ram, (int) offset, (int) offset + PAGE);
                assertTrue(Xbzrle.decode(data, len, p, PAGE) >= 0);
                System.arraycopy(p, 0, ram, (int) offset, PAGE);
            }
        }
    }

    /** The deltas carry the counters' final state: without them the counter pages are from an earlier pass. */
    @Test
    void theXbzrleDeltasCarryTheCountersFinalState() throws Exception {
        byte[] stream;
        try (InputStream in = fixture()) {
            stream = in.readAllBytes();
        }
        PcRam with = new PcRam(true), without = new PcRam(false);
        new RamStreamReader(new ByteArrayInputStream(stream), PAGE).readAll(with);
        new RamStreamReader(new ByteArrayInputStream(stream), PAGE).readAll(without);
        assertEquals(17, with.deltas);
        assertEquals(PC_RAM_SHA256, sha256(with.ram));
        int changedPages = 0;
        for (int off = 0; off < with.ram.length; off += PAGE) {
            if (!java.util.Arrays.equals(with.ram, off, off + PAGE, without.ram, off, off + PAGE)) {
                assertTrue(off >= COUNTER_BASE && off < COUNTER_BASE + COUNTERS * COUNTER_STRIDE, "page 0x" + Integer.toHexString(off));
                changedPages++;
            }
        }
        assertTrue(changedPages > 0, "the last XBZRLE deltas change what the raw pages held");
        assertTrue(checkCounters(with.ram) != counter(without.ram, COUNTERS - 1), "the final counters differ from the earlier pass");
    }

    /** A corrupted XBZRLE record (its length past the page size) is refused, naming the record's byte offset. */
    @Test
    void aCorruptedXbzrleRecordIsRefusedWithItsOffset(@TempDir Path dir) throws Exception {
        byte[] stream;
        try (InputStream in = fixture()) {
            stream = in.readAllBytes();
        }
        long[] firstXbzrle = {-1};
        boolean[] continued = {false};
        RamStreamReader reader = new RamStreamReader(new ByteArrayInputStream(stream), PAGE);
        reader.readAll(new RamRecordSink() {
            @Override
            public void xbzrlePage(String block, long offset, byte[] data, int len) {
                if (firstXbzrle[0] < 0) {
                    firstXbzrle[0] = reader.recordOffset();
                    continued[0] = reader.recordContinued();
                }
            }
        });
        assertTrue(firstXbzrle[0] > 0);
        // header (8), the block name unless CONTINUE, then the encoding byte 0x01 and the be16 length.
        int at = (int) firstXbzrle[0] + 8 + (continued[0] ? 0 : 1 + (stream[(int) firstXbzrle[0] + 8] & 0xff));
        assertEquals(1, stream[at], "the XBZRLE encoding byte");
        byte[] broken = stream.clone();
        broken[at + 1] = 0x10;
        broken[at + 2] = 0x01;                                                   // length 0x1001 > the page size
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> new StreamInspector(PAGE, dir).inspect(new ByteArrayInputStream(broken)));
        assertTrue(e.getMessage().contains("length 4097"), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(firstXbzrle[0])), "names the record's byte offset: " + e.getMessage());
    }
}
