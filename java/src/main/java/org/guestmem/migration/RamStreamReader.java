package org.guestmem.migration;

import static org.guestmem.migration.RamStream.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.Validate;
import org.guestmem.migration.RamStream.BlockEntry;

/**
 * Reads a migration stream in QEMU's format and hands the RAM section's records to a
 * {@link RamRecordSink}, validating everything first: file magic and version, section types and ids, the
 * RAM section version, unknown or unsupported flags and flag combinations, CONTINUE without a previous
 * block, unknown blocks, offsets past a block's used length (as sent in MEM_SIZE), zero-page bytes,
 * XBZRLE encoding byte, length and structure, truncated input and data after the end. Each error is a
 * {@link StreamFormatException} naming the byte offset and the value.
 *
 * <p>Reads our own streams completely and a real QEMU stream up to its first non-RAM section after the
 * RAM data (device sections cannot be skipped without their vmstate descriptions); {@link Result} says
 * where and why it stopped. One thread.
 */
public final class RamStreamReader {
    /** Where reading ended: at EOF ({@code complete}), or at a section it cannot read. */
    public record Result(long bytesRead, boolean complete, String stoppedAt) {}

    private static final long KNOWN_FLAGS = 0x3ff;

    private final StreamInput in;
    private final int pageSize;
    private final byte[] page;
    private final byte[] scratch;
    private final Map<String, Long> blocks = new LinkedHashMap<>();
    private boolean memSizeSeen;
    private int ramSectionId = -1;
    private String lastBlock;
    private long recordOffset;
    private boolean lastContinued;
    private boolean checkTrailingData = true;
    private final List<String> capabilities = new ArrayList<>();
    private String machine;

    public RamStreamReader(InputStream in, int pageSize) {
        Validate.isTrue(pageSize >= 1024 && Integer.bitCount(pageSize) == 1, "page size %d must be a power of two >= 1024", pageSize);
        this.in = new StreamInput(in, pageSize);
        this.pageSize = pageSize;
        this.page = new byte[pageSize];
        this.scratch = new byte[pageSize];
    }

    /**
     * Whether to look past the EOF record for trailing data (default true, for files). A live channel
     * must say false: the source waits for the destination's answer after EOF and sends nothing more.
     */
    public RamStreamReader checkTrailingData(boolean check) {
        this.checkTrailingData = check;
        return this;
    }

    /** True if the page record being delivered had CONTINUE (no idstr on the wire); for sinks that report it. */
    public boolean recordContinued() {
        return lastContinued;
    }

    /** Byte offset of the record being delivered. */
    public long recordOffset() {
        return recordOffset;
    }

    /** The blocks of the MEM_SIZE record (name → length), in stream order. */
    public Map<String, Long> blocks() {
        return blocks;
    }

    /** Reads the whole stream (or up to a section it cannot read) into {@code sink}. */
    public Result readAll(RamRecordSink sink) throws IOException {
        long off = in.offset();
        int magic = in.be32("the file magic");
        if (magic != FILE_MAGIC) {
            throw new StreamFormatException(off, String.format("file magic 0x%08x is not QEVM (0x%08x)", magic, FILE_MAGIC));
        }
        int version = in.be32("the file version");
        if (version != FILE_VERSION) {
            throw new StreamFormatException(off + 4, "file version " + version + " is not " + FILE_VERSION);
        }
        while (true) {
            off = in.offset();
            int type = in.u8("a section type");
            switch (type) {
                case VM_EOF -> {
                    return end(off);
                }
                case CONFIGURATION -> {
                    int len = in.be32("the configuration name length");
                    if (len < 0 || len > 4096) {
                        throw new StreamFormatException(off, "configuration name length " + len + " is outside 0..4096");
                    }
                    byte[] name = new byte[len];
                    in.bytes(name, 0, len, "the configuration name");
                    machine = new String(name, java.nio.charset.StandardCharsets.UTF_8);
                    String unreadable = configurationSubsections();
                    if (unreadable != null) {
                        return new Result(in.offset(), false, unreadable);
                    }
                }
                case SECTION_START, SECTION_FULL -> {
                    int id = in.be32("a section id");
                    String name = in.idstr("a section name");
                    in.be32("the instance id");
                    int v = in.be32("the section version");
                    if (type == SECTION_FULL || !name.equals(RAM_SECTION_NAME)) {
                        return new Result(off, false, String.format("%s of section '%s' (id %d) at byte offset %d: a non-RAM section",
                                sectionTypeName(type), name, id, off));
                    }
                    if (v != RAM_SECTION_VERSION) {
                        throw new StreamFormatException(off, "the ram section has version " + v + "; only " + RAM_SECTION_VERSION + " is known");
                    }
                    ramSectionId = id;
                    ramSection(sink, type, id);
                }
                case SECTION_PART, SECTION_END -> {
                    int id = in.be32("a section id");
                    if (id != ramSectionId) {
                        return new Result(off, false, String.format("%s of section id %d at byte offset %d: not the ram section (id %d)",
                                sectionTypeName(type), id, off, ramSectionId));
                    }
                    ramSection(sink, type, id);
                }
                case COMMAND -> {
                    return new Result(off, false, "a COMMAND record at byte offset " + off);
                }
                default -> throw new StreamFormatException(off, String.format("byte 0x%02x is not a section type that may start here (%s)%s",
                        type, sectionTypeName(type), ramSectionId >= 0 ? "; a RAM record after EOS?" : ""));
            }
        }
    }

    /**
     * The subsections after the configuration's machine name that QEMU 7.2 may send:
     * {@code configuration/capabilities} (be32 count, then count capability names as idstr; a QEMU
     * with {@code x-ignore-shared} or {@code validate-uuid} sends it), {@code configuration/uuid} (16 bytes)
     * and {@code configuration/target-page-bits} (be32, must give this reader's page size). Returns null
     * when all were read, or where and why reading stops at one it does not know (its length is unknown).
     */
    private String configurationSubsections() throws IOException {
        while (in.peek() == SUBSECTION) {
            long at = in.offset();
            in.u8("a configuration subsection");
            String name = in.idstr("a configuration subsection name");
            int version = in.be32("the configuration subsection version");
            switch (name) {
                case "configuration/capabilities" -> {
                    int count = in.be32("the capability count");
                    if (count < 0 || count > 256) {
                        throw new StreamFormatException(at, "configuration capability count " + count + " is outside 0..256");
                    }
                    for (int i = 0; i < count; i++) {
                        capabilities.add(in.idstr("a capability name"));
                    }
                }
                case "configuration/uuid" -> in.skip(16, "the configuration uuid");
                case "configuration/target-page-bits" -> {
                    int bits = in.be32("the target page bits");
                    if (bits < 10 || bits > 30 || 1 << bits != pageSize) {
                        throw new StreamFormatException(at, "the stream's target page bits " + bits + " do not give this reader's page size " + pageSize);
                    }
                }
                default -> {
                    return "configuration subsection '" + name + "' (version " + version + ") at byte offset " + at
                            + " (not readable without its vmstate)";
                }
            }
        }
        return null;
    }

    /** The machine type named by the stream's configuration section, or null when it had none. */
    public String machine() {
        return machine;
    }

    /** Capabilities named by the stream's configuration (QEMU sends those the destination must share). */
    public List<String> capabilities() {
        return List.copyOf(capabilities);
    }

    private Result end(long eofOffset) throws IOException {
        if (!checkTrailingData) {
            return new Result(in.offset(), true, "EOF at byte offset " + eofOffset);
        }
        int next = in.peek();
        if (next < 0) {
            return new Result(in.offset(), true, "EOF at byte offset " + eofOffset);
        }
        if (next == VMDESCRIPTION) {
            return new Result(in.offset(), true, "EOF at byte offset " + eofOffset + ", followed by the VM description");
        }
        throw new StreamFormatException(in.offset(), String.format("byte 0x%02x follows the EOF record at byte offset %d (a RAM record after EOS?)", next, eofOffset));
    }

    private void ramSection(RamRecordSink sink, int type, int id) throws IOException {
        deliver(() -> sink.ramSection(type, id));
        readRecords(sink);
        if (in.peek() == SECTION_FOOTER) {
            long off = in.offset();
            in.u8("a section footer");
            int fid = in.be32("the section footer id");
            if (fid != id) {
                throw new StreamFormatException(off, "section footer names section id " + fid + " but the section is " + id);
            }
        }
    }

    /** The records of one RAM section, up to and including its EOS. */
    private void readRecords(RamRecordSink sink) throws IOException {
        while (true) {
            recordOffset = in.offset();
            long header = in.be64("a RAM record header");
            long flags = header & (pageSize - 1);
            long offset = header & ~(long) (pageSize - 1);
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw bad(String.format("header 0x%016x has unknown flag bits 0x%x (known flags are below 0x400)", header, flags & ~KNOWN_FLAGS));
            }
            int kind = (int) (flags & ~FLAG_CONTINUE);
            boolean cont = (flags & FLAG_CONTINUE) != 0;
            switch (kind) {
                case FLAG_EOS -> {
                    if (cont) {
                        throw bad(String.format("header 0x%016x: CONTINUE with EOS is not a valid combination", header));
                    }
                    deliver(sink::endOfSection);
                    return;
                }
                case FLAG_MEM_SIZE -> {
                    if (cont) {
                        throw bad(String.format("header 0x%016x: CONTINUE with MEM_SIZE is not a valid combination", header));
                    }
                    memSize(sink, offset);
                }
                case FLAG_ZERO, FLAG_PAGE, FLAG_XBZRLE -> pageRecord(sink, kind, cont, offset, header);
                case FLAG_FULL, FLAG_HOOK, FLAG_COMPRESS_PAGE, FLAG_MULTIFD_FLUSH -> throw bad(String.format(
                        "header 0x%016x: flag %s (0x%x) is a QEMU flag that guestmem does not support (RDMA, compression, multifd)",
                        header, flagNames(kind), kind));
                default -> throw bad(String.format("header 0x%016x: unknown combination of flags 0x%x (%s)", header, flags, flagNames(flags)));
            }
        }
    }

    private void memSize(RamRecordSink sink, long total) throws IOException {
        if (memSizeSeen) {
            throw bad("a second MEM_SIZE record (total " + total + ")");
        }
        long left = total;
        List<BlockEntry> list = new ArrayList<>();
        while (left > 0) {
            long at = in.offset();
            String name = in.idstr("a MEM_SIZE block name");
            long len = in.be64("a MEM_SIZE block length");
            if (capabilities.contains("x-ignore-shared")) {
                in.be64("the guest address of a MEM_SIZE block (x-ignore-shared)");
            }
            if (len <= 0 || len % pageSize != 0 || len > left) {
                throw new StreamFormatException(at, String.format("MEM_SIZE block '%s' has length %d: it must be a positive multiple of %d and at most the %d bytes left of the total %d",
                        name, len, pageSize, left, total));
            }
            if (blocks.putIfAbsent(name, len) != null) {
                throw new StreamFormatException(at, "MEM_SIZE names block '" + name + "' twice");
            }
            list.add(new BlockEntry(name, len));
            left -= len;
        }
        memSizeSeen = true;
        deliver(() -> sink.memSize(total, List.copyOf(list)));
    }

    private void pageRecord(RamRecordSink sink, int kind, boolean cont, long offset, long header) throws IOException {
        String block;
        lastContinued = cont;
        if (cont) {
            if (lastBlock == null) {
                throw bad(String.format("header 0x%016x has CONTINUE but no block was named before", header));
            }
            block = lastBlock;
        } else {
            block = in.idstr("a block name");
            Long len = blocks.get(block);
            if (len == null) {
                throw bad("unknown block '" + block + "'" + (memSizeSeen ? " (MEM_SIZE listed " + blocks.keySet() + ")" : " (no MEM_SIZE record came before)"));
            }
            lastBlock = block;
        }
        long used = blocks.get(block);
        if (offset >= used) {
            throw bad(String.format("page offset 0x%x is past the used length 0x%x of block '%s'", offset, used, block));
        }
        switch (kind) {
            case FLAG_ZERO -> {
                int b = in.u8("a zero page's byte");
                if (b != 0) {
                    throw bad(String.format("zero page at offset 0x%x of '%s' has fill byte 0x%02x; only 0 is valid", offset, block, b));
                }
                deliver(() -> sink.zeroPage(block, offset));
            }
            case FLAG_PAGE -> {
                int at = in.view(pageSize, "a page of " + pageSize + " bytes");   // in place: no copy
                deliver(() -> sink.page(block, offset, in.buffer(), at));
                in.advance(pageSize);
            }
            default -> {
                int enc = in.u8("the XBZRLE encoding byte");
                if (enc != ENCODING_FLAG_XBZRLE) {
                    throw bad(String.format("XBZRLE page at offset 0x%x of '%s' has encoding byte 0x%02x; only 0x01 is valid", offset, block, enc));
                }
                int len = in.be16("the XBZRLE length");
                if (len > pageSize) {
                    throw bad(String.format("XBZRLE page at offset 0x%x of '%s' has length %d, more than the page size %d", offset, block, len, pageSize));
                }
                in.bytes(page, 0, len, "XBZRLE data of " + len + " bytes");
                if (Xbzrle.decode(page, len, scratch, pageSize) < 0) {
                    throw bad(String.format("XBZRLE data of %d bytes for offset 0x%x of '%s' does not decode into a %d-byte page", len, offset, block, pageSize));
                }
                deliver(() -> sink.xbzrlePage(block, offset, page, len));
            }
        }
    }

    private StreamFormatException bad(String message) {
        return new StreamFormatException(recordOffset, message);
    }

    private interface Delivery {
        void run();
    }

    /** Calls the sink; a refusal becomes a StreamFormatException at the record's offset. */
    private void deliver(Delivery d) {
        try {
            d.run();
        } catch (StreamFormatException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            StreamFormatException f = new StreamFormatException(recordOffset, e.getMessage());
            f.initCause(e);
            throw f;
        }
    }
}
