package org.guestmem.nativeshim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;
import org.guestmem.bindings.gm_block_entry;
import org.guestmem.bindings.gm_block_table;
import org.guestmem.bindings.gm_ram_root;
import org.guestmem.bindings.guestmem_h;

/**
 * The RamList's blocks as C sees them (guestmem.h's {@code gm_ram_root} / {@code gm_block_table}): a
 * root that never moves and an immutable table, replaced copy-on-write by the updater under the list
 * mutex. C readers translate RAM addresses with {@code gm_ram_translate} inside an RCU read section.
 *
 * <pre>
 * gm_ram_root (16 bytes)            gm_block_table (16 bytes + count * 32)
 * +0  table   ---- release -------> +0  version
 * +8  version                       +8  count | reserved
 *                                   +16 entries[count]: offset, used_length, max_length, host, flags
 * </pre>
 * Shared words: {@code root.table} is written by the updater with release (W-1-1 / W-2-1), read by C
 * with acquire (gm_ram_translate); {@code root.version} is written with release after it (W-1-2 /
 * W-2-2). Table contents are written before the table is published and never change after.
 */
public final class NativeBlockTable implements AutoCloseable {
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    /** Size of {@code gm_ram_root} and byte offsets of its words, for litmus tests that race the same words. */
    public static final long ROOT_SIZE = gm_ram_root.sizeof();
    public static final long ROOT_TABLE_OFFSET = gm_ram_root.table$offset();
    public static final long ROOT_VERSION_OFFSET = gm_ram_root.version$offset();

    /** One block as C sees it; {@code flags} are QEMU's RAM_* values. */
    public record Entry(long offset, long usedLength, long maxLength, long host, int flags) {}

    private final Arena rootArena = Arena.ofShared();
    private final MemorySegment root;
    private Arena current; // the arena of the published table; updater-only (under the list mutex)

    public NativeBlockTable() {
        NativeShim.ensureLoaded();
        root = gm_ram_root.allocate(rootArena);
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
        long size = gm_block_table.sizeof() + entries.size() * gm_block_entry.sizeof();
        MemorySegment t = arena.allocate(size, 8);
        gm_block_table.version(t, version);
        gm_block_table.count(t, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            MemorySegment s = t.asSlice(gm_block_table.sizeof() + i * gm_block_entry.sizeof(), gm_block_entry.sizeof());
            gm_block_entry.offset(s, e.offset());
            gm_block_entry.used_length(s, e.usedLength());
            gm_block_entry.max_length(s, e.maxLength());
            gm_block_entry.host(s, e.host());
            gm_block_entry.flags(s, e.flags());
        }
        // W-1-1 / W-2-1 for C readers: release; pairs with the acquire load in gm_ram_translate.
        WORD.setRelease(root, gm_ram_root.table$offset(), t.address());
        Arena old = current;
        current = arena;
        return old == null ? () -> {} : old::close;
    }

    /** W-1-2 / W-2-2 for C readers: release store of the version after the table. */
    public void publishVersion(long version) {
        WORD.setRelease(root, gm_ram_root.version$offset(), version);
    }

    /** Acquire load of the version C readers see. */
    public long version() {
        return (long) WORD.getAcquire(root, gm_ram_root.version$offset());
    }

    /**
     * Calls {@code gm_ram_translate} on this table (what a C reader does): the host address of
     * {@code [ramAddr, ramAddr + length)}, or a negative errno (-EFAULT no block, -ERANGE past used length).
     */
    public long translate(long ramAddr, long length) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.JAVA_LONG);
            int rc = guestmem_h.gm_ram_translate(root, ramAddr, length, out);
            return rc < 0 ? rc : out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Frees the current table and the root; call after every C reader is gone (after a grace period). */
    @Override
    public void close() {
        WORD.setRelease(root, gm_ram_root.table$offset(), 0L);
        if (current != null) {
            current.close();
            current = null;
        }
        rootArena.close();
    }
}
