package org.guestmem.dirty;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.guestmem.host.HostMapping;
import org.guestmem.host.HostMemory;
import org.guestmem.rcu.Rcu;

/**
 * The published generation of a {@link DirtyMemory}'s chunk tables and the updater side that replaces it:
 * growth (DG-1..DG-4) and close. Readers call {@link #current()} (DR-1) inside a read section of {@code rcu}.
 * Updates are serialised by this object's monitor (and in practice RamList's mutex).
 */
final class ChunkTables {
    private static final int CLIENTS = DirtyClient.values().length;
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(ChunkTables.class, "current", ChunkTable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Rcu rcu;
    private final long chunkPages;
    private final int pageShift;
    /**
     * The current generation. Written by grow() (DG-3) and close() with a release store under this object's
     * monitor; read by every reader with an acquire load inside a read section (DR-1, {@link #current()}).
     */
    @SuppressWarnings("unused")
    private ChunkTable current;
    /**
     * The native root (one table address per client). Written by grow() (DG-2) and close() with release
     * stores under this object's monitor; read by C readers with acquire loads (their DR-1). Freed by close().
     */
    private final MemorySegment root;
    private final Arena rootArena;
    /** Chunk memory, one mapping per growth; grow() and close() only, under this object's monitor. */
    private final List<HostMapping> mappings = new ArrayList<>();

    ChunkTables(Rcu rcu, long chunkPages, int pageShift) {
        this.rcu = rcu;
        this.chunkPages = chunkPages;
        this.pageShift = pageShift;
        this.rootArena = Arena.ofShared();
        this.root = rootArena.allocate(DirtyBitmapDescriptor.ROOT_BYTES, DirtyBitmapDescriptor.WORD_BYTES);
        publish(ChunkTable.empty(chunkPages, pageShift));
    }

    /** DR-1: the current generation; callers that index its chunks are inside a read section. */
    ChunkTable current() {
        return (ChunkTable) CURRENT.getAcquire(this);   // pairs with the release of DG-3 in publish()
    }

    MemorySegment root() {
        return root;
    }

    /** Grows every client to {@code chunks} chunks (no-op if already there); throws IllegalStateException when closed. */
    synchronized void grow(int chunks) {
        ChunkTable cur = current();
        if (cur.closed) {
            throw DirtyMemory.closedException();
        }
        if (chunks <= cur.chunkCount()) {
            return;
        }
        long bytes = (long) (chunks - cur.chunkCount()) * CLIENTS * DirtyBitmapDescriptor.chunkBytes(chunkPages);
        long host = HostMemory.hostPageSize();
        HostMapping fresh = HostMemory.anonymous((bytes + host - 1) / host * host);    // DG-1: zero on first touch
        mappings.add(fresh);
        publish(cur.grown(chunks, fresh.segment(), chunkPages, pageShift));             // DG-1, then DG-2, DG-3
        rcu.callRcu(cur::freeNative);  // DG-4: C readers may still index the old native tables until a grace period
    }

    private void publish(ChunkTable next) {
        for (int c = 0; c < CLIENTS; c++) {
            // DG-2: release; pairs with the acquire load of the root entry by C readers (their DR-1).
            DirtyBitmapDescriptor.WORD.setRelease(root, c * DirtyBitmapDescriptor.WORD_BYTES, next.nativeAddress(c));
        }
        CURRENT.setRelease(this, next);   // DG-3: release; pairs with the acquire in current() (DR-1)
    }

    /** See {@link DirtyMemory#close()}. */
    synchronized void close() {
        ChunkTable cur = current();
        if (cur.closed) {
            return;
        }
        publish(ChunkTable.closedSentinel());   // DG-2 (root entries 0), DG-3: new readers see "closed"
        try {
            rcu.synchronize();                  // every reader that may hold a chunk or a native table is done
        } catch (IllegalStateException e) {
            throw new IllegalStateException("DirtyMemory closed, but its chunks stay mapped: " + e.getMessage(), e);
        }
        cur.freeNative();
        mappings.forEach(HostMapping::close);
        mappings.clear();
        rootArena.close();
    }
}
