package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout.PathElement;
import org.guestmem.bindings.gm_block_entry;
import org.guestmem.bindings.gm_block_table;
import org.guestmem.bindings.gm_ram_root;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The block table Java writes is the one guestmem.h describes, and C's gm_ram_translate reads it right. */
class NativeBlockTableTest {
    static final long KiB = 1024, MiB = 1024 * KiB, PAGE = 4096;
    Rcu rcu;
    RamList list;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
    }

    @AfterEach
    void tearDown() {
        list.close();
        rcu.close();
    }

    @Test
    void layoutMatchesTheCHeader() {
        assertEquals(gm_ram_root.sizeof(), NativeBlockTable.ROOT_SIZE);
        assertEquals(gm_ram_root.table$offset(), NativeBlockTable.ROOT_TABLE_OFFSET);
        assertEquals(gm_ram_root.version$offset(), NativeBlockTable.ROOT_VERSION_OFFSET);
        assertEquals(gm_block_table.sizeof(), NativeBlockTable.TABLE_HEADER_SIZE);
        assertEquals(gm_block_table.layout().byteOffset(PathElement.groupElement("version")), NativeBlockTable.TABLE_VERSION_OFFSET);
        assertEquals(gm_block_table.layout().byteOffset(PathElement.groupElement("count")), NativeBlockTable.TABLE_COUNT_OFFSET);
        var e = gm_block_entry.layout();
        assertEquals(gm_block_entry.sizeof(), NativeBlockTable.ENTRY_SIZE);
        assertEquals(e.byteOffset(PathElement.groupElement("offset")), NativeBlockTable.ENTRY_OFFSET_OFFSET);
        assertEquals(e.byteOffset(PathElement.groupElement("used_length")), NativeBlockTable.ENTRY_USED_LENGTH_OFFSET);
        assertEquals(e.byteOffset(PathElement.groupElement("max_length")), NativeBlockTable.ENTRY_MAX_LENGTH_OFFSET);
        assertEquals(e.byteOffset(PathElement.groupElement("host")), NativeBlockTable.ENTRY_HOST_OFFSET);
        assertEquals(e.byteOffset(PathElement.groupElement("flags")), NativeBlockTable.ENTRY_FLAGS_OFFSET);
    }

    @Test
    void cReadersTranslateThroughThePublishedBlockTable() {
        final long EFAULT = -14, ERANGE = -34;
        var table = list.nativeTable();
        assertEquals(EFAULT, CReaders.translate(table.root(), 0, 8), "empty list: nothing to translate");
        RamBlock a = list.add(RamBlockSpec.of("a", 2 * MiB));
        RamBlock r = list.add(RamBlockSpec.resizeable("r", MiB, 4 * MiB));
        assertEquals(list.version(), table.version(), "C sees the same version");
        assertEquals(a.hostAddress() + 4096, CReaders.translate(table.root(), 4096, 8));
        assertEquals(r.hostAddress() + 100, CReaders.translate(table.root(), r.offset() + 100, 8));
        assertEquals(ERANGE, CReaders.translate(table.root(), r.offset() + MiB - 4, 8), "past the used length");
        assertEquals(EFAULT, CReaders.translate(table.root(), r.offset() + 4 * MiB, 1), "past the last block");
        list.resize(r, 2 * MiB);
        assertEquals(r.hostAddress() + MiB, CReaders.translate(table.root(), r.offset() + MiB, 8), "resize republishes the used length");
        list.free(a);
        assertEquals(EFAULT, CReaders.translate(table.root(), 4096, 8), "a freed block is gone for C readers at once");
        assertEquals(list.version(), table.version());
    }

}
