package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * The destination side (QEMU's ram_load_precopy): applies a validated stream to a destination
 * {@link RamList}. Blocks are found by name; MEM_SIZE resizes a resizeable destination block to the
 * source's used length and refuses unknown blocks, non-migratable ones and size mismatches of fixed ones.
 * Each record is checked before it writes, so a bad record leaves every page loaded before it intact,
 * and nothing outside a destination block's used length is ever written. Zero pages write only where the
 * destination page is not already zero (QEMU's ram_handle_zero: untouched memory stays untouched).
 * Destination writes are not dirty-tracked (as in QEMU). One thread.
 */
public final class RamLoader implements RamRecordSink {
    private final RamList list;
    private final Rcu rcu;
    private final int pageSize;
    private final Map<String, RamBlock> blocks = new HashMap<>();
    private final byte[] scratch;
    private long pages, zeroPages, zeroPagesWritten, xbzrlePages, sections;

    public RamLoader(RamList list) {
        this.list = Objects.requireNonNull(list, "list");
        this.rcu = list.rcu();
        this.pageSize = (int) list.targetPageSize();
        this.scratch = new byte[pageSize];
    }

    /** Reads a whole stream from {@code in} into the destination. */
    public RamStreamReader.Result load(InputStream in) throws IOException {
        return new RamStreamReader(in, pageSize).readAll(this);
    }

    @Override
    public void ramSection(int type, int sectionId) {
        sections++;
    }

    @Override
    public void memSize(long total, List<BlockEntry> entries) {
        // Check everything first: a refused stream changes nothing.
        for (BlockEntry e : entries) {
            RamBlock b = list.findBlock(e.name());
            if (b == null) {
                throw new IllegalArgumentException("unknown RAM block '" + e.name() + "', cannot accept the migration (destination blocks: "
                        + list.blocks().stream().map(RamBlock::name).toList() + ")");
            }
            if (!b.isMigratable()) {
                throw new IllegalArgumentException("destination block '" + e.name() + "' is not migratable");
            }
            if (e.length() != b.usedLength() && (!b.isResizeable() || e.length() > b.maxLength())) {
                throw new IllegalArgumentException(String.format("block '%s': the source sends %d bytes but the destination block has %d (%s)",
                        e.name(), e.length(), b.usedLength(), b.isResizeable() ? "max length " + b.maxLength() : "not resizeable"));
            }
        }
        for (BlockEntry e : entries) {
            RamBlock b = list.block(e.name());
            if (e.length() != b.usedLength()) {
                list.resize(b, e.length());                // QEMU's qemu_ram_resize in parse_ramblock
            }
            blocks.put(e.name(), b);
        }
    }

    @Override
    public void zeroPage(String name, long offset) {
        try (ReadSection s = rcu.read()) {
            MemorySegment seg = target(name, offset);
            zeroPages++;
            if (!ZeroPages.isZero(seg, offset, pageSize)) {
                seg.asSlice(offset, pageSize).fill((byte) 0);
                zeroPagesWritten++;
            }
        }
    }

    @Override
    public void page(String name, long offset, byte[] data, int dataOffset) {
        try (ReadSection s = rcu.read()) {
            MemorySegment seg = target(name, offset);
            MemorySegment.copy(data, dataOffset, seg, ValueLayout.JAVA_BYTE, offset, pageSize);
            pages++;
        }
    }

    @Override
    public void xbzrlePage(String name, long offset, byte[] data, int len) {
        try (ReadSection s = rcu.read()) {
            MemorySegment seg = target(name, offset);
            // The destination page is the base; decode into a copy so a bad delta changes nothing.
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset, scratch, 0, pageSize);
            if (Xbzrle.decode(data, len, scratch, pageSize) < 0) {
                throw new IllegalArgumentException("XBZRLE data of " + len + " bytes does not decode for offset 0x" + Long.toHexString(offset) + " of '" + name + "'");
            }
            MemorySegment.copy(scratch, 0, seg, ValueLayout.JAVA_BYTE, offset, pageSize);
            xbzrlePages++;
        }
    }

    /** The block's memory, after checking the page lies inside its used length (inside a read section). */
    private MemorySegment target(String name, long offset) {
        RamBlock b = blocks.get(name);
        if (b == null) {
            throw new IllegalArgumentException("block '" + name + "' was not announced by a MEM_SIZE record this loader accepted");
        }
        if (b.isRemoved()) {
            throw new IllegalStateException("destination block '" + name + "' was freed during the load");
        }
        if (offset < 0 || offset + pageSize > b.usedLength()) {
            throw new IllegalArgumentException(String.format("page offset 0x%x is past the used length 0x%x of destination block '%s'", offset, b.usedLength(), name));
        }
        return b.segment();
    }

    /** Raw pages written. */
    public long pages() {
        return pages;
    }

    /** Zero-page records received, and how many of them had to write (the page was not already zero). */
    public long zeroPages() {
        return zeroPages;
    }

    public long zeroPagesWritten() {
        return zeroPagesWritten;
    }

    public long xbzrlePages() {
        return xbzrlePages;
    }

    public long sections() {
        return sections;
    }
}
