package org.guestmem.migration;

import static org.guestmem.migration.Guests.KiB;
import static org.guestmem.migration.Guests.MiB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The destination: block checks at MEM_SIZE, pages intact on error, zero pages written only when needed. */
class RamLoaderTest {
    static final int PAGE = 4096;
    Guests g = new Guests(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RamStreamWriter w = new RamStreamWriter(bytes, PAGE);

    @AfterEach
    void tearDown() {
        g.close();
    }

    void start(BlockEntry... blocks) throws IOException {
        w.fileHeader();
        w.sectionStart(2);
        w.memSize(List.of(blocks));
        w.eos();
        w.sectionPart(2);
    }

    RamStreamReader.Result load(RamLoader l) throws IOException {
        w.flush();
        return l.load(new ByteArrayInputStream(bytes.toByteArray()));
    }

    static byte[] page(int v) {
        byte[] p = new byte[PAGE];
        Arrays.fill(p, (byte) v);
        return p;
    }

    @Test
    void unknownBlocksAndFixedSizeMismatchesAreRefusedBeforeAnythingChanges() throws IOException {
        start(new BlockEntry("ram2", 3 * MiB), new BlockEntry("nope", 64 * KiB));
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> load(new RamLoader(g.dst)));
        assertTrue(e.getMessage().contains("unknown RAM block 'nope'"), e.getMessage());
        assertEquals(2 * MiB, g.dst.block("ram2").usedLength(), "not resized: the whole list is checked first");

        bytes.reset();
        w = new RamStreamWriter(bytes, PAGE);
        start(new BlockEntry("pc.bios", 128 * KiB));
        e = assertThrows(StreamFormatException.class, () -> load(new RamLoader(g.dst)));
        assertTrue(e.getMessage().contains("'pc.bios'") && e.getMessage().contains("131072") && e.getMessage().contains("not resizeable"), e.getMessage());

        bytes.reset();
        w = new RamStreamWriter(bytes, PAGE);
        start(new BlockEntry("ram2", 8 * MiB));
        e = assertThrows(StreamFormatException.class, () -> load(new RamLoader(g.dst)));
        assertTrue(e.getMessage().contains("max length 4194304"), e.getMessage());
    }

    @Test
    void aResizeableDestinationBlockTakesTheSourceLength() throws IOException {
        start(new BlockEntry("ram2", 3 * MiB));
        w.page("ram2", 3 * MiB - PAGE, page(9), 0);
        w.eos();
        w.eof();
        RamLoader l = new RamLoader(g.dst);
        assertTrue(load(l).complete());
        RamBlock ram2 = g.dst.block("ram2");
        assertEquals(3 * MiB, ram2.usedLength());
        assertEquals(9, ram2.segment().get(ValueLayout.JAVA_BYTE, 3 * MiB - 1));
        assertEquals(1, l.pages());
    }

    @Test
    void pagesLoadedBeforeABadRecordStayAndNothingElseIsTouched() throws IOException {
        RamBlock bios = g.dst.block("pc.bios");
        byte[] before = bios.segment().toArray(ValueLayout.JAVA_BYTE);
        start(new BlockEntry("pc.bios", 256 * KiB));
        w.page("pc.bios", 0, page(1), 0);
        w.page("pc.bios", PAGE, page(2), 0);
        byte[] good = new byte[PAGE], enc = new byte[PAGE];
        w.flush();
        // A hand-made XBZRLE record whose data runs past the page: the reader refuses it before it writes.
        bytes.write(new byte[] {0, 0, 0, 0, 0, 0, 0x20, 0x60, 1, 0, 4, (byte) 0xff, 0x7f, 1, 1});
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> load(new RamLoader(g.dst)));
        assertTrue(e.getMessage().contains("does not decode"), e.getMessage());
        MemorySegment seg = bios.segment();
        assertArrayEquals(page(1), seg.asSlice(0, PAGE).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(page(2), seg.asSlice(PAGE, PAGE).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(Arrays.copyOfRange(before, 2 * PAGE, before.length), seg.asSlice(2 * PAGE).toArray(ValueLayout.JAVA_BYTE),
                "the rest of the block is as it was");
        assertEquals(0, Xbzrle.encode(good, good, PAGE, enc, PAGE));
    }

    @Test
    void zeroPagesWriteOnlyWhereTheDestinationIsNotZero() throws IOException {
        RamBlock bios = g.dst.block("pc.bios");
        bios.segment().set(ValueLayout.JAVA_BYTE, PAGE + 17, (byte) 5);
        start(new BlockEntry("pc.bios", 256 * KiB));
        w.zeroPage("pc.bios", 0);
        w.zeroPage("pc.bios", PAGE);
        w.eos();
        w.eof();
        RamLoader l = new RamLoader(g.dst);
        load(l);
        assertEquals(2, l.zeroPages());
        assertEquals(1, l.zeroPagesWritten(), "page 0 was zero already");
        assertEquals(0, bios.segment().get(ValueLayout.JAVA_BYTE, PAGE + 17));
    }

    @Test
    void xbzrleAppliesToTheDestinationPage() throws IOException {
        RamBlock bios = g.dst.block("pc.bios");
        byte[] old = page(3), cur = page(3), enc = new byte[PAGE];
        cur[10] = 4;
        cur[4000] = 5;
        int len = Xbzrle.encode(old, cur, PAGE, enc, PAGE);
        start(new BlockEntry("pc.bios", 256 * KiB));
        w.page("pc.bios", 0, old, 0);
        w.xbzrlePage("pc.bios", 0, enc, len);
        w.eos();
        w.eof();
        RamLoader l = new RamLoader(g.dst);
        load(l);
        assertArrayEquals(cur, bios.segment().asSlice(0, PAGE).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, l.xbzrlePages());
    }

    @Test
    void aNonMigratableDestinationBlockIsRefused() throws IOException {
        g.dst.add(Guests.nonMigratable("vga.vram", MiB));
        start(new BlockEntry("vga.vram", MiB));
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> load(new RamLoader(g.dst)));
        assertTrue(e.getMessage().contains("'vga.vram' is not migratable"), e.getMessage());
        g.dst.free(g.dst.add(RamBlockSpec.of("x", 64 * KiB)));
    }
}
