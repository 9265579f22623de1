package org.guestmem.migration;

import static org.guestmem.migration.RamStream.*;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.commons.lang3.Validate;

/**
 * Writes a migration stream in QEMU's format (see {@link RamStream}): the file header, sections, and the
 * RAM records with QEMU's CONTINUE rule (the idstr goes out only when the block differs from the last
 * record's, {@code save_page_header}). Buffers internally; {@link #flush()} pushes to the stream.
 * Used by one thread (the migration thread); counts what it wrote.
 */
public final class RamStreamWriter {
    private final OutputStream out;
    private final int pageSize;
    private final byte[] buf;
    private int pos;
    private long flushed;
    /** Name of the block of the last page record (QEMU's last_sent_block); null after a reset. */
    private String lastSent;
    private long normalPages, zeroPages, xbzrlePages, xbzrleBytes;

    public RamStreamWriter(OutputStream out, int pageSize) {
        this.out = Objects.requireNonNull(out, "out");
        Validate.isTrue(pageSize >= 1024 && Integer.bitCount(pageSize) == 1, "page size %d must be a power of two >= 1024", pageSize);
        this.pageSize = pageSize;
        this.buf = new byte[Math.max(256 * 1024, 4 * (pageSize + 300))];
    }

    public int pageSize() {
        return pageSize;
    }

    /** {@code be32 QEVM, be32 3}. */
    public void fileHeader() throws IOException {
        be32(FILE_MAGIC);
        be32(FILE_VERSION);
    }

    /**
     * QEMU's configuration section: {@code u8 0x07, be32 len, machine type}, no subsections (what an x86
     * QEMU 7.2 sends by default). A QEMU destination refuses a stream without it, and one whose machine type
     * is not a prefix of its own.
     */
    public void configuration(String machine) throws IOException {
        byte[] b = machine.getBytes(StandardCharsets.UTF_8);
        Validate.isTrue(b.length > 0 && b.length <= 256, "machine type '%s' is %d bytes; 1..256 are allowed", machine, b.length);
        u8(CONFIGURATION);
        be32(b.length);
        room(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** Bytes passed through unchanged (QEMU's device state after the RAM); flushes what was buffered first. */
    public void raw(byte[] bytes) throws IOException {
        flush();
        out.write(bytes);
        flushed += bytes.length;
        out.flush();
    }

    /** START section of the "ram" section with QEMU's instance 0 and version 4. */
    public void sectionStart(int sectionId) throws IOException {
        u8(SECTION_START);
        be32(sectionId);
        idstr(RAM_SECTION_NAME);
        be32(0);
        be32(RAM_SECTION_VERSION);
    }

    public void sectionPart(int sectionId) throws IOException {
        u8(SECTION_PART);
        be32(sectionId);
    }

    public void sectionEnd(int sectionId) throws IOException {
        u8(SECTION_END);
        be32(sectionId);
    }

    /** The section footer QEMU writes after every section (since 2.x machine types). */
    public void footer(int sectionId) throws IOException {
        u8(SECTION_FOOTER);
        be32(sectionId);
    }

    /** QEMU_VM_EOF, then flushes. */
    public void eof() throws IOException {
        u8(VM_EOF);
        flush();
    }

    /** The MEM_SIZE record: total of the lengths | MEM_SIZE, then each block's idstr and used length. */
    public void memSize(List<BlockEntry> blocks) throws IOException {
        long total = 0;
        for (BlockEntry b : blocks) {
            Validate.isTrue(b.length() % pageSize == 0, "block '%s': length %d is not a multiple of the page size %d", b.name(), b.length(), pageSize);
            total += b.length();
        }
        be64(total | FLAG_MEM_SIZE);
        for (BlockEntry b : blocks) {
            idstr(b.name());
            be64(b.length());
        }
    }

    /** A zero page: header | ZERO, one byte 0. */
    public void zeroPage(String block, long offset) throws IOException {
        header(block, offset, FLAG_ZERO);
        u8(0);
        zeroPages++;
    }

    /** A raw page copied from {@code src} at {@code srcOffset}. */
    public void page(String block, long offset, MemorySegment src, long srcOffset) throws IOException {
        header(block, offset, FLAG_PAGE);
        room(pageSize);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcOffset, buf, pos, pageSize);
        pos += pageSize;
        normalPages++;
    }

    /** A raw page from a heap array (an XBZRLE cache copy or a snapshot). */
    public void page(String block, long offset, byte[] src, int srcOffset) throws IOException {
        header(block, offset, FLAG_PAGE);
        room(pageSize);
        System.arraycopy(src, srcOffset, buf, pos, pageSize);
        pos += pageSize;
        normalPages++;
    }

    /** An XBZRLE page: header | XBZRLE, u8 0x01, be16 len, len bytes of {@link Xbzrle} data. */
    public void xbzrlePage(String block, long offset, byte[] encoded, int len) throws IOException {
        Validate.isTrue(len > 0 && len <= pageSize && len <= 0xffff, "XBZRLE length %d is outside 1..%d", len, pageSize);
        long before = written();
        header(block, offset, FLAG_XBZRLE);
        u8(ENCODING_FLAG_XBZRLE);
        room(2 + len);
        buf[pos++] = (byte) (len >>> 8);
        buf[pos++] = (byte) len;
        System.arraycopy(encoded, 0, buf, pos, len);
        pos += len;
        xbzrlePages++;
        xbzrleBytes += written() - before - 8;  // as QEMU: everything but the be64 header
    }

    /** End of the current section's RAM records. */
    public void eos() throws IOException {
        be64(FLAG_EOS);
    }

    /** Forgets the last sent block, so the next page record carries its idstr (ram_state_reset). */
    public void forgetLastSentBlock() {
        lastSent = null;
    }

    public void flush() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
        out.flush();
    }

    /** Bytes written so far, buffered ones included. */
    public long written() {
        return flushed + pos;
    }

    public long normalPages() {
        return normalPages;
    }

    public long zeroPages() {
        return zeroPages;
    }

    public long xbzrlePages() {
        return xbzrlePages;
    }

    /** XBZRLE record bytes after their headers (QEMU's xbzrle "bytes"). */
    public long xbzrleBytes() {
        return xbzrleBytes;
    }

    // ------------------------------------------------------------------------------------ encoding

    private void header(String block, long offset, int flags) throws IOException {
        Validate.isTrue(offset >= 0 && (offset & (pageSize - 1)) == 0, "page offset %d is not a non-negative multiple of %d", offset, pageSize);
        if (block.equals(lastSent)) {
            be64(offset | flags | FLAG_CONTINUE);
        } else {
            be64(offset | flags);
            idstr(block);
            lastSent = block;
        }
    }

    private void idstr(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Validate.isTrue(b.length > 0 && b.length <= 255, "idstr '%s' is %d bytes; 1..255 fit the u8 length", s, b.length);
        room(1 + b.length);
        buf[pos++] = (byte) b.length;
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void u8(int v) throws IOException {
        room(1);
        buf[pos++] = (byte) v;
    }

    private void be32(int v) throws IOException {
        room(4);
        for (int s = 24; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
    }

    private void be64(long v) throws IOException {
        room(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
    }

    private void room(int n) throws IOException {
        if (pos + n > buf.length) {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
    }
}
