package org.guestmem.ram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The RamList's blocks as C sees them (guestmem.h's {@code gm_ram_root} / {@code gm_block_table}): a
 * root that never moves and an immutable table, replaced copy-on-write by the updater under the list
 * mutex. C readers translate RAM addresses with {@code gm_ram_translate} inside an RCU read section.
 * Java allocates and writes all of it; no native library is involved until a C peer reads it. The
 * constants below are the layout; an ABI test compares them with the C compiler's.
 *
 * <pre>
 * gm_ram_root (16 bytes)            gm_block_table (16 bytes + count * 40)
 * +0  table   ---- release -------> +0  version
 * +8  version                       +8  count (u32) | reserved (u32)
 *                                   +16 entries[count], 40 bytes each:
 *                                       +0 offset, +8 used_length, +16 max_length, +24 host, +32 flags (u32) | reserved
 * </pre>
 * Shared words: {@code root.table} is written by the updater with release (W-1-1 / W-2-1), read by C
 * with acquire (gm_ram_translate); {@code root.version} is written with release after it (W-1-2 /
 * W-2-2). Table contents are written before the table is published and never change after.
 */
public final class NativeBlockTable implements AutoCloseable {
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    /** Size of {@code gm_ram_root} and byte offsets of its words, for litmus tests that race the same words. */
    public static final long ROOT_SIZE = 16, ROOT_TABLE_OFFSET = 0, ROOT_VERSION_OFFSET = 8;
    /** {@code gm_block_table}: the header, then the entries. */
    public static final long TABLE_HEADER_SIZE = 16, TABLE_VERSION_OFFSET = 0, TABLE_COUNT_OFFSET = 8;
    /** {@code gm_block_entry}. */
    public static final long ENTRY_SIZE = 40, ENTRY_OFFSET_OFFSET = 0, ENTRY_USED_LENGTH_OFFSET = 8,
            ENTRY_MAX_LENGTH_OFFSET = 16, ENTRY_HOST_OFFSET = 24, ENTRY_FLAGS_OFFSET = 32;

    /** One block as C sees it; {@code flags} are QEMU's RAM_* values. */
    public record Entry(long offset, long usedLength, long maxLength, long host, int flags) {}

    private final Arena rootArena = Arena.ofShared();
    private final MemorySegment root;
    private Arena current; // the arena of the published table; updater-only (under the list mutex)

    public NativeBlockTable() {
        root = rootArena.allocate(ROOT_SIZE, Long.BYTES);
    }

    /** The root C code is given (its address is stable for the life of the RamList). */
    public MemorySegment root() {
        return root;
    }

    /**
     * Builds a table of {@code entries} (sorted by offset) and publishes it with a release store.
     * Returns the action that frees the table it replaced; run it after a grace period (callRcu).
     */
    public Runnable publish(long version, List<Entry> entries) {
        Arena arena = Arena.ofShared();
        long size = TABLE_HEADER_SIZE + entries.size() * ENTRY_SIZE;
        MemorySegment t = arena.allocate(size, Long.BYTES);   // zeroed: the reserved words stay 0
        t.set(ValueLayout.JAVA_LONG, TABLE_VERSION_OFFSET, version);
        t.set(ValueLayout.JAVA_INT, TABLE_COUNT_OFFSET, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long at = TABLE_HEADER_SIZE + i * ENTRY_SIZE;
            t.set(ValueLayout.JAVA_LONG, at + ENTRY_OFFSET_OFFSET, e.offset());
            t.set(ValueLayout.JAVA_LONG, at + ENTRY_USED_LENGTH_OFFSET, e.usedLength());
            t.set(ValueLayout.JAVA_LONG, at + ENTRY_MAX_LENGTH_OFFSET, e.maxLength());
            t.set(ValueLayout.JAVA_LONG, at + ENTRY_HOST_OFFSET, e.host());
            t.set(ValueLayout.JAVA_INT, at + ENTRY_FLAGS_OFFSET, e.flags());
        }
        // W-1-1 / W-2-1 for C readers: release; pairs with the acquire load in gm_ram_translate.
        WORD.setRelease(root, ROOT_TABLE_OFFSET, t.address());
        Arena old = current;
        current = arena;
        return old == null ? () -> {} : old::close;
    }

    /** W-1-2 / W-2-2 for C readers: release store of the version after the table. */
    public void publishVersion(long version) {
        WORD.setRelease(root, ROOT_VERSION_OFFSET, version);
    }

    /** Acquire load of the version C readers see. */
    public long version() {
        return (long) WORD.getAcquire(root, ROOT_VERSION_OFFSET);
    }

    /** Frees the current table and the root; call after every C reader is gone (after a grace period). */
    @Override
    public void close() {
        WORD.setRelease(root, ROOT_TABLE_OFFSET, 0L);
        if (current != null) {
            current.close();
            current = null;
        }
        rootArena.close();
    }
}
