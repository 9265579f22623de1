package org.guestmem.migration;

import static org.guestmem.migration.RamStream.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.guestmem.migration.RamStream.BlockEntry;
import org.junit.jupiter.api.Test;

/** The wire format: what the writer writes the reader reads back, and every rule the reader enforces. */
class RamStreamTest {
    static final int PAGE = 4096;

    /** Records what the reader delivered, as strings. */
    static final class Recorder implements RamRecordSink {
        final List<String> events = new ArrayList<>();
        final List<byte[]> pages = new ArrayList<>();

        @Override
        public void ramSection(int type, int id) {
            events.add(sectionTypeName(type) + " " + id);
        }

        @Override
        public void memSize(long total, List<BlockEntry> blocks) {
            events.add("MEM_SIZE " + total + " " + blocks);
        }

        @Override
        public void zeroPage(String block, long offset) {
            events.add("ZERO " + block + " " + offset);
        }

        @Override
        public void page(String block, long offset, byte[] data, int off) {
            events.add("PAGE " + block + " " + offset);
            pages.add(Arrays.copyOfRange(data, off, off + PAGE));
        }

        @Override
        public void xbzrlePage(String block, long offset, byte[] data, int len) {
            events.add("XBZRLE " + block + " " + offset + " " + len);
        }

        @Override
        public void endOfSection() {
            events.add("EOS");
        }
    }

    static byte[] page(int seed) {
        byte[] p = new byte[PAGE];
        for (int i = 0; i < PAGE; i++) {
            p[i] = (byte) (i * 31 + seed);
        }
        return p;
    }

    /** A stream with every record kind, written by RamStreamWriter. */
    static byte[] sample() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RamStreamWriter w = new RamStreamWriter(bytes, PAGE);
        w.fileHeader();
        w.sectionStart(2);
        w.memSize(List.of(new BlockEntry("pc.ram", 4 * PAGE), new BlockEntry("pc.bios", 2 * PAGE)));
        w.eos();
        w.footer(2);
        w.sectionPart(2);
        w.zeroPage("pc.ram", 0);
        w.page("pc.ram", PAGE, MemorySegment.ofArray(page(1)), 0);
        w.page("pc.bios", PAGE, page(2), 0);
        byte[] old = new byte[PAGE], cur = new byte[PAGE], enc = new byte[PAGE];
        cur[100] = 7;
        int len = Xbzrle.encode(old, cur, PAGE, enc, PAGE);
        w.xbzrlePage("pc.bios", 0, enc, len);
        w.eos();
        w.footer(2);
        w.sectionEnd(2);
        w.forgetLastSentBlock();
        w.zeroPage("pc.bios", 0);
        w.eos();
        w.footer(2);
        w.eof();
        assertEquals(bytes.size(), w.written());
        assertEquals(1, w.xbzrlePages());
        assertEquals(1 + 2 + len, w.xbzrleBytes(), "QEMU counts an XBZRLE record's bytes after its be64 header");
        return bytes.toByteArray();
    }

    static RamStreamReader.Result read(byte[] stream, RamRecordSink sink) throws IOException {
        return new RamStreamReader(new ByteArrayInputStream(stream), PAGE).readAll(sink);
    }

    @Test
    void writerAndReaderRoundTrip() throws IOException {
        byte[] s = sample();
        Recorder r = new Recorder();
        RamStreamReader.Result res = read(s, r);
        assertTrue(res.complete(), res.stoppedAt());
        assertEquals(s.length, res.bytesRead());
        assertEquals(List.of("SECTION_START 2", "MEM_SIZE " + 6 * PAGE + " [BlockEntry[name=pc.ram, length=" + 4 * PAGE + "], BlockEntry[name=pc.bios, length=" + 2 * PAGE + "]]",
                "EOS", "SECTION_PART 2", "ZERO pc.ram 0", "PAGE pc.ram 4096", "PAGE pc.bios 4096", "XBZRLE pc.bios 0 3", "EOS",
                "SECTION_END 2", "ZERO pc.bios 0", "EOS"), r.events);
        assertArrayEquals(page(1), r.pages.get(0));
        assertArrayEquals(page(2), r.pages.get(1));
    }

    @Test
    void theWireBytesAreQemus() throws IOException {
        byte[] s = sample();
        assertEquals(FILE_MAGIC, be32(s, 0));
        assertEquals(3, be32(s, 4));
        assertEquals(SECTION_START, s[8]);
        assertEquals(2, be32(s, 9));
        assertEquals("ram", new String(s, 14, s[13], StandardCharsets.US_ASCII));
        assertEquals(0, be32(s, 17));
        assertEquals(4, be32(s, 21));
        assertEquals(6L * PAGE | FLAG_MEM_SIZE, be64(s, 25));
        // The first page record names its block; the second of the same block has CONTINUE and no idstr.
        int part = indexOf(s, new byte[] {SECTION_PART, 0, 0, 0, 2});
        assertEquals(FLAG_ZERO, be64(s, part + 5));
        assertEquals(6, s[part + 13]);
        assertEquals("pc.ram", new String(s, part + 14, 6, StandardCharsets.US_ASCII));
        assertEquals(0, s[part + 20], "a zero page's body is one 0 byte");
        assertEquals(PAGE | FLAG_PAGE | FLAG_CONTINUE, be64(s, part + 21));
    }

    @Test
    void aStreamFromAnotherPageSizeFailsNamingTheFlags() throws IOException {
        // Read with 1 KiB pages: offsets of 4 KiB pages are fine, but nothing else changes; read with 64 KiB
        // pages the offset bits 0x1000.. become unknown flag bits.
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> new RamStreamReader(new ByteArrayInputStream(sample()), 65536).readAll(new Recorder()));
        assertTrue(e.getMessage().contains("MEM_SIZE") || e.getMessage().contains("unknown flag"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------ bad streams

    /** Builds streams by hand: header, START with MEM_SIZE of one block "b" of 2 pages, then a PART. */
    static final class Bad {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);

        Bad() throws IOException {
            d.writeInt(FILE_MAGIC);
            d.writeInt(3);
            d.writeByte(SECTION_START);
            d.writeInt(2);
            id("ram");
            d.writeInt(0);
            d.writeInt(4);
            d.writeLong(2 * PAGE | FLAG_MEM_SIZE);
            id("b");
            d.writeLong(2 * PAGE);
            d.writeLong(FLAG_EOS);
            d.writeByte(SECTION_PART);
            d.writeInt(2);
        }

        Bad id(String s) throws IOException {
            d.writeByte(s.length());
            d.writeBytes(s);
            return this;
        }

        Bad be64(long v) throws IOException {
            d.writeLong(v);
            return this;
        }

        Bad u8(int v) throws IOException {
            d.writeByte(v);
            return this;
        }

        Bad bytes(int n) throws IOException {
            d.write(new byte[n]);
            return this;
        }

        /** The offset where the next record will start. */
        int here() {
            return bytes.size();
        }

        StreamFormatException fails() {
            return assertThrows(StreamFormatException.class, () -> read(bytes.toByteArray(), new Recorder()));
        }
    }

    void assertFailure(Bad b, long offset, String... words) {
        StreamFormatException e = b.fails();
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset " + offset), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void badMagicAndVersion() throws IOException {
        byte[] s = sample();
        s[0] = 'X';
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(s, new Recorder()));
        assertTrue(e.getMessage().contains("0x5845564d"), e.getMessage());
        byte[] v = sample();
        v[7] = 2;
        e = assertThrows(StreamFormatException.class, () -> read(v, new Recorder()));
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void unknownFlagBits() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(0x400 | FLAG_PAGE).id("b").bytes(PAGE);
        assertFailure(b, at, "unknown flag bits 0x400", "0x0000000000000408");
    }

    @Test
    void knownButUnsupportedFlags() throws IOException {
        for (int f : new int[] {FLAG_FULL, FLAG_HOOK, FLAG_COMPRESS_PAGE, FLAG_MULTIFD_FLUSH}) {
            Bad b = new Bad();
            int at = b.here();
            b.be64(f).bytes(16);
            assertFailure(b, at, flagNames(f), "does not support");
        }
    }

    @Test
    void unknownFlagCombination() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(FLAG_PAGE | FLAG_ZERO).id("b").bytes(PAGE);
        assertFailure(b, at, "unknown combination", "ZERO|PAGE");
        b = new Bad();
        at = b.here();
        b.be64(FLAG_EOS | FLAG_CONTINUE);
        assertFailure(b, at, "CONTINUE with EOS");
    }

    @Test
    void unknownBlock() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(FLAG_PAGE).id("nope").bytes(PAGE);
        assertFailure(b, at, "unknown block 'nope'", "[b]");
    }

    @Test
    void continueWithoutABlock() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(FLAG_ZERO | FLAG_CONTINUE).u8(0);
        assertFailure(b, at, "CONTINUE but no block");
    }

    @Test
    void offsetPastTheUsedLength() throws IOException {
        Bad b = new Bad();
        b.be64(PAGE | FLAG_ZERO).id("b").u8(0);            // the last page: fine
        int at = b.here();
        b.be64(2 * PAGE | FLAG_ZERO | FLAG_CONTINUE).u8(0);
        assertFailure(b, at, "page offset 0x2000 is past the used length 0x2000 of block 'b'");
    }

    @Test
    void zeroPageWithANonZeroByte() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(FLAG_ZERO).id("b").u8(0x5a);
        assertFailure(b, at, "fill byte 0x5a");
    }

    @Test
    void xbzrleEncodingByteLengthAndData() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(FLAG_XBZRLE).id("b").u8(2).u8(0).u8(3).bytes(3);
        assertFailure(b, at, "encoding byte 0x02");
        b = new Bad();
        at = b.here();
        b.be64(FLAG_XBZRLE).id("b").u8(1).u8(0x10).u8(0x01).bytes(PAGE + 1);
        assertFailure(b, at, "length 4097", "page size 4096");
        b = new Bad();
        at = b.here();
        b.be64(FLAG_XBZRLE).id("b").u8(1).u8(0).u8(3).u8(0).u8(0).u8(0); // zrun 0, nzrun 0: invalid
        assertFailure(b, at, "does not decode");
    }

    @Test
    void truncatedEverywhere() throws IOException {
        byte[] s = sample();
        // Every proper prefix fails with "truncated" at or before its end; none is accepted.
        for (int n = 0; n < s.length; n += (n < 200 ? 1 : 97)) {
            byte[] cut = Arrays.copyOf(s, n);
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(cut, new Recorder()), "prefix " + n);
            assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("ends at byte offset " + n), e.getMessage());
            assertTrue(e.offset() <= n);
        }
    }

    @Test
    void aPageAfterEosIsRefused() throws IOException {
        byte[] s = sample();
        // Insert a zero-page record right after the last EOS (before the footer): 0x00 reads as EOF, then data follows.
        byte[] rec = new byte[8 + 1 + 7 + 1];
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(s, 0, s.length - 6);                        // cut footer (5) and EOF (1)
        new DataOutputStream(b).writeLong(FLAG_ZERO);
        b.write(7);
        b.write("pc.bios".getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        b.write(s, s.length - 6, 6);
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(b.toByteArray(), new Recorder()));
        assertTrue(e.getMessage().contains("after EOS"), e.getMessage());
        assertEquals(s.length - 6 + 1, e.offset(), "the byte after the 0x00 that was taken for EOF");
        assertEquals(17, rec.length);
    }

    @Test
    void dataAfterEofIsRefusedButAVmDescriptionIsNot() throws IOException {
        byte[] s = sample();
        byte[] more = Arrays.copyOf(s, s.length + 1);
        more[s.length] = 0x33;
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(more, new Recorder()));
        assertEquals(s.length, e.offset());
        byte[] desc = Arrays.copyOf(s, s.length + 1);
        desc[s.length] = VMDESCRIPTION;
        assertTrue(read(desc, new Recorder()).complete());
    }

    @Test
    void aSecondMemSizeAndBadBlockLengths() throws IOException {
        Bad b = new Bad();
        int at = b.here();
        b.be64(2 * PAGE | FLAG_MEM_SIZE).id("b").be64(2 * PAGE);
        assertFailure(b, at, "second MEM_SIZE");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(raw);
        d.writeInt(FILE_MAGIC);
        d.writeInt(3);
        d.writeByte(SECTION_START);
        d.writeInt(2);
        d.writeByte(3);
        d.writeBytes("ram");
        d.writeInt(0);
        d.writeInt(4);
        d.writeLong(2 * PAGE | FLAG_MEM_SIZE);
        d.writeByte(1);
        d.writeBytes("b");
        d.writeLong(PAGE + 1);
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(raw.toByteArray(), new Recorder()));
        assertTrue(e.getMessage().contains("length 4097"), e.getMessage());
    }

    @Test
    void aNonRamSectionStopsTheReaderAndSaysWhere() throws IOException {
        Bad b = new Bad();
        b.be64(FLAG_ZERO).id("b").u8(0).be64(FLAG_EOS);
        int at = b.here();
        b.u8(SECTION_FULL).d.writeInt(7);
        b.id("timer").d.writeInt(0);
        b.d.writeInt(2);
        b.bytes(10);
        Recorder r = new Recorder();
        RamStreamReader.Result res = read(b.bytes.toByteArray(), r);
        assertFalse(res.complete());
        assertEquals(at, res.bytesRead());
        assertTrue(res.stoppedAt().contains("'timer'"), res.stoppedAt());
        assertTrue(r.events.contains("ZERO b 0"));
    }

    @Test
    void aSinkRefusalIsReportedAtTheRecord() throws IOException {
        byte[] s = sample();
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> read(s, new RamRecordSink() {
            @Override
            public void page(String block, long offset, byte[] data, int off) {
                throw new IllegalStateException("no room for " + block);
            }
        }));
        assertTrue(e.getMessage().contains("no room for pc.ram"), e.getMessage());
        assertTrue(e.offset() > 25);
    }

    static int be32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | b[o + 3] & 0xff;
    }

    static long be64(byte[] b, int o) {
        return (long) be32(b, o) << 32 | be32(b, o + 4) & 0xffffffffL;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
