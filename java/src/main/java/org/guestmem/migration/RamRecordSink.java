package org.guestmem.migration;

import java.util.List;
import org.guestmem.migration.RamStream.BlockEntry;

/**
 * What a {@link RamStreamReader} found, record by record, already validated against the stream's own
 * rules (flags, block names, offsets inside the block, body sizes). Buffers passed in are reused after the
 * call returns. A sink may refuse a record by throwing {@link IllegalArgumentException} or
 * {@link IllegalStateException}: the reader reports it with the record's byte offset.
 */
public interface RamRecordSink {
    /** A section header of type START, PART or END of the "ram" section. */
    default void ramSection(int type, int sectionId) {}

    /** The MEM_SIZE record: the source's blocks and their used lengths. */
    default void memSize(long total, List<BlockEntry> blocks) {}

    default void zeroPage(String block, long offset) {}

    /** A raw page: {@code pageSize} bytes of {@code data} from {@code dataOffset}. */
    default void page(String block, long offset, byte[] data, int dataOffset) {}

    /** An XBZRLE page: {@code len} bytes of {@link Xbzrle} data (structurally valid) to apply to the page. */
    default void xbzrlePage(String block, long offset, byte[] data, int len) {}

    /** The EOS record that ends a RAM section. */
    default void endOfSection() {}
}
