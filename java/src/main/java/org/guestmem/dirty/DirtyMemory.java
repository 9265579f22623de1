package org.guestmem.dirty;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * Dirty-page tracking for the RAM-address space (QEMU's {@code ram_list.dirty_memory}): one bitmap per
 * {@link DirtyClient}, one bit per page, in off-heap chunks that C code can set too (layout and steps:
 * {@link DirtyBitmapDescriptor}). The bitmaps grow under RCU when RAM is added and never shrink: a bigger
 * table of chunk references is published with a release store, chunks never move, and every method here
 * looks the table up inside its own RCU read section (nesting inside the caller's is fine).
 *
 * <p>Ranges are byte ranges of RAM addresses; a page is dirty-tracked as a whole, so {@code [addr, addr+len)}
 * means every page it touches. A range must not be negative, must not overflow, and must lie inside the RAM
 * covered by {@link #grow}; a client mask may only hold {@link DirtyClient#ALL}'s bits. Otherwise
 * IllegalArgumentException names the value; after {@link #close()} IllegalStateException. An empty range
 * touches nothing and is not checked against the covered RAM.
 *
 * <p>Ordering: {@link #setDirtyRange} releases the caller's earlier writes to guest RAM (DS-1/DS-2); the takes
 * ({@link #testAndClear}, {@link #snapshotAndClear}, {@link #takeInto}) acquire them (DT-2). So a migration
 * that takes a page's bit and then reads the page sees every write made before the bit was set.
 */
public final class DirtyMemory implements AutoCloseable {
    /** Chunks per client at most (32 TiB of 4 KiB pages with QEMU's chunk size); keeps tables and mappings small. */
    public static final int MAX_CHUNKS = 4096;
    private static final int CLIENTS = DirtyClient.values().length;

    private final Rcu rcu;
    private final long pageSize;
    private final int pageShift;
    private final long chunkPages;
    private final int chunkShift;
    private final long chunkMask;
    /** The published chunk tables and their updater side (DG-, DR-1); see {@link ChunkTables}. */
    private final ChunkTables tables;

    /** Tracks pages of {@code pageSize} bytes (a power of two, at least 1 KiB) in chunks of QEMU's size. */
    public DirtyMemory(Rcu rcu, long pageSize) {
        this(rcu, pageSize, DirtyBitmapDescriptor.CHUNK_PAGES);
    }

    /** As above with {@code chunkPages} pages per chunk (a power of two, at least 64); small ones are for tests. */
    public DirtyMemory(Rcu rcu, long pageSize, long chunkPages) {
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        if (pageSize < 1024 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize + " must be a power of two >= 1024");
        }
        if (chunkPages < DirtyBitmapDescriptor.MIN_CHUNK_PAGES || Long.bitCount(chunkPages) != 1 || chunkPages > 1L << 40) {
            throw new IllegalArgumentException("chunk of " + chunkPages + " pages must be a power of two in [64, 2^40]");
        }
        this.pageSize = pageSize;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.chunkPages = chunkPages;
        this.chunkShift = Long.numberOfTrailingZeros(chunkPages);
        this.chunkMask = chunkPages - 1;
        this.tables = new ChunkTables(this.rcu, chunkPages, pageShift);
    }

    public long pageSize() {
        return pageSize;
    }

    public long chunkPages() {
        return chunkPages;
    }

    /** Bytes of RAM currently covered, from 0 (a multiple of the chunk size). */
    public long coveredBytes() {
        return table().pages << pageShift;
    }

    /**
     * Makes the bitmaps cover {@code [0, ramEndBytes)}; never shrinks. Callers serialise growth (RamList calls
     * this under its mutex); new chunks are lazily committed zero memory.
     */
    public void grow(long ramEndBytes) {
        if (ramEndBytes < 0) {
            throw new IllegalArgumentException("RAM end " + ramEndBytes + " is negative");
        }
        long pages = (ramEndBytes >>> pageShift) + ((ramEndBytes & pageSize - 1) != 0 ? 1 : 0);
        long need = (pages >>> chunkShift) + ((pages & chunkMask) != 0 ? 1 : 0);
        if (need > MAX_CHUNKS) {
            throw new IllegalArgumentException(String.format("RAM end 0x%x needs %d chunks of %d pages, more than %d",
                    ramEndBytes, need, chunkPages, MAX_CHUNKS));
        }
        tables.grow((int) need);
    }

    /** DR-1: the current generation; callers that index chunks are inside a read section. */
    private ChunkTable table() {
        return tables.current();
    }

    /** Marks every page touched by {@code [ramAddr, ramAddr + length)} dirty for the clients in {@code clientMask}. */
    public void setDirtyRange(long ramAddr, long length, int clientMask) {
        checkMark(ramAddr, length, clientMask);
        if (length == 0) {
            return;
        }
        try (ReadSection s = rcu.read()) {
            mark(ramAddr, length, clientMask);
        }
    }

    /**
     * {@link #setDirtyRange(long, long, int)} for a caller that already holds {@code held}, an open read section
     * of this DirtyMemory's RCU domain on the calling thread (as GuestMemory does around a write): it skips
     * entering a nested section, whose thread-local lookup costs more than marking one page. Throws
     * IllegalStateException if {@code held} is not such a section.
     */
    public void setDirtyRange(ReadSection held, long ramAddr, long length, int clientMask) {
        if (held == null || !held.heldIn(rcu)) {
            throw new IllegalStateException("setDirtyRange(held, ...) needs a read section of " + rcu
                    + " open on " + Thread.currentThread().getName() + ", got " + held);
        }
        checkMark(ramAddr, length, clientMask);
        if (length != 0) {
            mark(ramAddr, length, clientMask);
        }
    }

    private static void checkMark(long ramAddr, long length, int clientMask) {
        // Explicit checks, not Validate: this is the hot path of every guest write (no varargs boxing).
        if ((clientMask & ~DirtyClient.ALL) != 0) {
            throw new IllegalArgumentException(String.format("dirty client mask 0x%x has unknown bits (known: 0x%x)",
                    clientMask, DirtyClient.ALL));
        }
        checkRange(ramAddr, length);
    }

    /** The marking itself; the caller is inside a read section of {@link #rcu} and {@code length > 0}. */
    private void mark(long ramAddr, long length, int clientMask) {
        long first = ramAddr >>> pageShift, last = (ramAddr + length - 1) >>> pageShift;
        ChunkTable t = table();                                                // DR-1
        if (last >= t.pages) {
            throw outside(t, ramAddr, length);
        }
        DirtyBitmap[][] all = t.chunks;                                        // DR-2
        if (first == last) {                                                   // one page: a guest store
            int chunk = (int) (first >>> chunkShift);
            long bit = first & chunkMask;
            for (int c = 0; c < CLIENTS; c++) {
                if ((clientMask & 1 << c) != 0) {
                    all[c][chunk].setBitRcu(bit);                              // DS-1
                }
            }
            return;
        }
        for (long p = first, end = last + 1; p < end;) {                       // chunk by chunk, whole words inside
            int chunk = (int) (p >>> chunkShift);
            long base = (long) chunk << chunkShift, to = Math.min(end, base + chunkPages);
            for (int c = 0; c < CLIENTS; c++) {
                if ((clientMask & 1 << c) != 0) {
                    all[c][chunk].setRangeRcu(p - base, to - base);            // DS-1/DS-2
                }
            }
            p = to;
        }
    }

    /** True if any page touched by the range is dirty for {@code client}. */
    public boolean isDirty(long ramAddr, long length, DirtyClient client) {
        return scan(ramAddr, length, client, ANY, null) != 0;
    }

    /** Clears the range for {@code client}; true if any page in it was dirty (QEMU's test_and_clear_dirty). */
    public boolean testAndClear(long ramAddr, long length, DirtyClient client) {
        return scan(ramAddr, length, client, TAKE, null) != 0;
    }

    /**
     * Takes and clears {@code client}'s bits of the range, word by word ({@code getAndSet}), skipping clean
     * words with one load; bit 0 of the snapshot is the page holding {@code ramAddr}. A range that looks clean
     * (DT-1) is answered without taking or allocating anything: pages set after that look are left for the
     * next snapshot, as pages set after a take are.
     */
    public DirtySnapshot snapshotAndClear(long ramAddr, long length, DirtyClient client) {
        checkRange(ramAddr, length);
        long first = ramAddr >>> pageShift;
        long pages = length == 0 ? 0 : ((ramAddr + length - 1) >>> pageShift) - first + 1;
        if (pages > (long) Integer.MAX_VALUE << 6) {
            throw new IllegalArgumentException("snapshot of " + pages + " pages is too large; take it in parts");
        }
        TakenWords.Sparse taken = new TakenWords.Sparse((pages >>> 6) + 2);  // only the non-zero words
        long n = scan(ramAddr, length, client, TAKE, taken);
        return new DirtySnapshot(first << pageShift, pages, pageShift, taken, n);
    }

    /**
     * Takes {@code client}'s bits of the range and ORs them into {@code dest}, bit 0 being the page holding
     * {@code ramAddr} (QEMU's per-block migration bitmap sync). Returns how many pages were taken.
     */
    public long takeInto(long ramAddr, long length, DirtyClient client, long[] dest) {
        Objects.requireNonNull(dest, "dest");
        checkRange(ramAddr, length);
        long pages = length == 0 ? 0 : ((ramAddr + length - 1) >>> pageShift) - (ramAddr >>> pageShift) + 1;
        if (pages > (long) dest.length << 6) {
            throw new IllegalArgumentException("destination of " + dest.length + " words cannot hold " + pages + " pages");
        }
        return scan(ramAddr, length, client, TAKE, new TakenWords.Dense(dest));
    }

    /** Dirty pages of {@code client} over all covered RAM. */
    public long dirtyPages(DirtyClient client) {
        Objects.requireNonNull(client, "client");
        try (ReadSection s = rcu.read()) {
            ChunkTable t = table();                                            // DR-1
            checkOpen(t);
            long n = 0;
            for (DirtyBitmap b : t.chunks[client.ordinal()]) {
                n += b.count0(0, chunkPages);
            }
            return n;
        }
    }

    /** Dirty pages of {@code client} among the pages touched by the range. */
    public long dirtyPages(long ramAddr, long length, DirtyClient client) {
        return scan(ramAddr, length, client, COUNT, null);
    }

    /** The chunks of {@code client}'s bitmap in page order (layout: {@link DirtyBitmapDescriptor}); valid until close. */
    public List<DirtyBitmap> chunks(DirtyClient client) {
        ChunkTable t = table();
        checkOpen(t);
        return List.of(t.chunks[client.ordinal()]);
    }

    /**
     * The native root for C readers (layout: {@link DirtyBitmapDescriptor}): read-only here, republished by
     * growth (DG-2). C code reads it with acquire loads inside a read section of this DirtyMemory's RCU domain.
     */
    public MemorySegment nativeRoot() {
        return tables.root().asReadOnly();
    }

    /**
     * Stops tracking: publishes a closed table, waits for a grace period, unmaps every chunk. Idempotent. Must
     * not be called inside a read section of the domain; if no grace period can be waited for, the chunks
     * stay mapped (a leak, never a crash) and IllegalStateException says why.
     */
    @Override
    public void close() {
        tables.close();
    }

    // ------------------------------------------------------------------------------------ internals

    private static final int ANY = 0, COUNT = 1, TAKE = 2;

    /** Applies {@code op} to {@code client}'s pages of the range, chunk by chunk; sums (ANY: stops at 1). */
    private long scan(long ramAddr, long length, DirtyClient client, int op, TakenWords out) {
        Objects.requireNonNull(client, "client");
        checkRange(ramAddr, length);
        if (length == 0) {
            return 0;
        }
        long first = ramAddr >>> pageShift, end = ((ramAddr + length - 1) >>> pageShift) + 1;
        try (ReadSection s = rcu.read()) {
            ChunkTable t = table();                                            // DR-1
            if (end > t.pages) {
                throw outside(t, ramAddr, length);
            }
            DirtyBitmap[] chunks = t.chunks[client.ordinal()];                 // DR-2
            long total = 0;
            for (long p = first; p < end;) {
                int chunk = (int) (p >>> chunkShift);
                long base = (long) chunk << chunkShift, to = Math.min(end, base + chunkPages);
                DirtyBitmap b = chunks[chunk];
                switch (op) {
                    case ANY -> {
                        if (b.anyHint0(p - base, to - base)) {                  // DT-1
                            return 1;
                        }
                    }
                    case COUNT -> total += b.count0(p - base, to - base);       // DT-3
                    default -> {
                        if (out != null) {
                            out.chunk(base, first);
                        }
                        total += b.takeRcu(p - base, to - base, out);           // DT-1, DT-2
                    }
                }
                p = to;
            }
            return total;
        }
    }

    private static void checkRange(long ramAddr, long length) {
        if (ramAddr < 0) {
            throw new IllegalArgumentException(String.format("RAM address %d (0x%x) is negative", ramAddr, ramAddr));
        }
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        if (ramAddr + length < 0) {
            throw new IllegalArgumentException(String.format("range [0x%x, +%d) overflows", ramAddr, length));
        }
    }

    private RuntimeException outside(ChunkTable t, long ramAddr, long length) {
        if (t.closed) {
            return closedException();
        }
        return new IllegalArgumentException(String.format("range [0x%x, +0x%x) reaches past the tracked RAM (0x%x bytes)",
                ramAddr, length, t.pages << pageShift));
    }

    private static void checkOpen(ChunkTable t) {
        if (t.closed) {
            throw closedException();
        }
    }

    static IllegalStateException closedException() {
        return new IllegalStateException("DirtyMemory is closed");
    }
}
