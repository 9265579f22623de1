package org.guestmem.dirty;

import static org.guestmem.dirty.DirtyBitmapDescriptor.TABLE_CHUNK_COUNT_OFFSET;
import static org.guestmem.dirty.DirtyBitmapDescriptor.TABLE_CHUNK_PAGES_OFFSET;
import static org.guestmem.dirty.DirtyBitmapDescriptor.TABLE_PAGE_SHIFT_OFFSET;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One generation of a {@link DirtyMemory}'s chunk tables (QEMU's {@code DirtyMemoryBlocks}, one per client):
 * the Java table that Java readers index and the native tables (layout: {@link DirtyBitmapDescriptor}) that
 * C readers index. Immutable once published (DG-2/DG-3); {@link #grown} builds the next generation (DG-1),
 * carrying every existing chunk over unchanged.
 */
final class ChunkTable {
    private static final int CLIENTS = DirtyClient.values().length;

    /** [client][chunk]; never written after publication. */
    final DirtyBitmap[][] chunks;
    /** Pages covered: chunk count times pages per chunk (0 when closed). */
    final long pages;
    /** The sentinel published by {@link DirtyMemory#close()}. */
    final boolean closed;
    /** Owns {@link #nativeTables}; closed after a grace period once this generation is replaced (DG-4). */
    private final Arena nativeArena;
    private final MemorySegment[] nativeTables;

    private ChunkTable(DirtyBitmap[][] chunks, long pages, boolean closed, Arena nativeArena, MemorySegment[] nativeTables) {
        this.chunks = chunks;
        this.pages = pages;
        this.closed = closed;
        this.nativeArena = nativeArena;
        this.nativeTables = nativeTables;
    }

    /** The first generation: no chunks. */
    static ChunkTable empty(long chunkPages, int pageShift) {
        return build(new DirtyBitmap[CLIENTS][0], chunkPages, pageShift);
    }

    /** What a closed DirtyMemory publishes: covers nothing, has no native tables. */
    static ChunkTable closedSentinel() {
        return new ChunkTable(new DirtyBitmap[CLIENTS][0], 0, true, null, null);
    }

    int chunkCount() {
        return chunks[0].length;
    }

    /**
     * DG-1: the next generation with {@code count} chunks per client; the new ones are carved out of
     * {@code fresh} (zeroed, 8-byte aligned, {@code (count - chunkCount()) * CLIENTS} chunks long).
     */
    ChunkTable grown(int count, MemorySegment fresh, long chunkPages, int pageShift) {
        long chunkBytes = DirtyBitmapDescriptor.chunkBytes(chunkPages);
        DirtyBitmap[][] next = new DirtyBitmap[CLIENTS][];
        long off = 0;
        for (int c = 0; c < CLIENTS; c++) {
            next[c] = Arrays.copyOf(chunks[c], count);          // chunks never move: old references carry over
            for (int i = chunks[c].length; i < count; i++) {
                next[c][i] = new DirtyBitmap(fresh.asSlice(off, chunkBytes), chunkPages);
                off += chunkBytes;
            }
        }
        return build(next, chunkPages, pageShift);
    }

    private static ChunkTable build(DirtyBitmap[][] chunks, long chunkPages, int pageShift) {
        Arena arena = Arena.ofShared();
        MemorySegment[] tables = new MemorySegment[CLIENTS];
        int count = chunks[0].length;
        for (int c = 0; c < CLIENTS; c++) {
            MemorySegment t = arena.allocate(DirtyBitmapDescriptor.tableBytes(count), DirtyBitmapDescriptor.WORD_BYTES);
            // Plain writes: the table becomes visible to C through the release store of DG-2.
            t.set(ValueLayout.JAVA_LONG, TABLE_CHUNK_COUNT_OFFSET, count);
            t.set(ValueLayout.JAVA_LONG, TABLE_CHUNK_PAGES_OFFSET, chunkPages);
            t.set(ValueLayout.JAVA_LONG, TABLE_PAGE_SHIFT_OFFSET, pageShift);
            for (int i = 0; i < count; i++) {
                t.set(ValueLayout.JAVA_LONG, DirtyBitmapDescriptor.tableChunkOffset(i), chunks[c][i].segment().address());
            }
            tables[c] = t;
        }
        return new ChunkTable(chunks, (long) count * chunkPages, false, arena, tables);
    }

    /** Address of {@code client}'s native table (0 when closed), the value DG-2 stores into the root. */
    long nativeAddress(int client) {
        return closed ? 0 : nativeTables[client].address();
    }

    /** DG-4: frees the native tables; only once no C reader can hold them (after a grace period). */
    void freeNative() {
        if (nativeArena != null) {
            nativeArena.close();
        }
    }
}
