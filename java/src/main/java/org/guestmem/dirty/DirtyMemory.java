package org.guestmem.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.commons.lang3.Validate;
import org.guestmem.nativeshim.HostMapping;
import org.guestmem.nativeshim.HostMemory;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * Dirty-page tracking for the RAM-address space (QEMU's {@code ram_list.dirty_memory}): one bitmap per
 * {@link DirtyClient}, one bit per target page, in off-heap chunks that C code can set too
 * ({@link DirtyBitmapDescriptor}). The bitmaps grow under RCU when RAM is added and never shrink: a
 * grown array of chunk references is published with a release store, chunks never move, and readers
 * (every method here) look the array up inside a read section.
 *
 * <p>Shared state: {@code chunks} is written by {@link #grow} (callers serialise it: RamList holds its
 * mutex) with a release store and read with an acquire load (pairs with it); the chunk words follow
 * {@link DirtyBitmapDescriptor}'s per-word atomic rules.
 */
public final class DirtyMemory implements AutoCloseable {
    private static final VarHandle CHUNKS;

    static {
        try {
            CHUNKS = MethodHandles.lookup().findVarHandle(DirtyMemory.class, "chunks", DirtyBitmap[][].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Rcu rcu;
    private final long pageSize;
    private final int pageShift;
    private final long chunkPages;
    private final List<HostMapping> mappings = new ArrayList<>(); // grow() and close() only
    /** [client][chunk]; release-published by grow(), acquire-read by everyone (inside a read section). */
    @SuppressWarnings("unused")
    private DirtyBitmap[][] chunks = new DirtyBitmap[DirtyClient.values().length][0];
    private boolean closed; // grow() and close() only

    /** Tracks pages of {@code pageSize} bytes (a power of two, at least 1 KiB). */
    public DirtyMemory(Rcu rcu, long pageSize) {
        this(rcu, pageSize, DirtyBitmapDescriptor.CHUNK_PAGES);
    }

    DirtyMemory(Rcu rcu, long pageSize, long chunkPages) {
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        Validate.isTrue(pageSize >= 1024 && Long.bitCount(pageSize) == 1, "page size %d must be a power of two >= 1024", pageSize);
        Validate.isTrue(chunkPages >= 64 && Long.bitCount(chunkPages) == 1, "chunk of %d pages must be a power of two >= 64", chunkPages);
        this.pageSize = pageSize;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.chunkPages = chunkPages;
    }

    public long pageSize() {
        return pageSize;
    }

    /** Bytes of RAM currently covered. */
    public long coveredBytes() {
        return (long) current()[0].length * chunkPages << pageShift;
    }

    /**
     * Makes the bitmaps cover {@code [0, ramEnd)}; never shrinks. Callers serialise calls (RamList does
     * so under its mutex). New chunks are lazily committed zero memory.
     */
    public synchronized void grow(long ramEnd) {
        Validate.validState(!closed, "DirtyMemory is closed");
        Validate.isTrue(ramEnd >= 0, "RAM end %d is negative", ramEnd);
        DirtyBitmap[][] cur = current();
        long needPages = (ramEnd + pageSize - 1) >>> pageShift;
        int need = (int) ((needPages + chunkPages - 1) / chunkPages);
        if (need <= cur[0].length) {
            return;
        }
        DirtyBitmap[][] next = new DirtyBitmap[cur.length][];
        long bytes = Math.max(DirtyBitmapDescriptor.chunkBytes(chunkPages), HostMemory.hostPageSize());
        for (int c = 0; c < cur.length; c++) {
            next[c] = Arrays.copyOf(cur[c], need);          // chunks never move: old references carry over
            for (int i = cur[c].length; i < need; i++) {
                HostMapping m = HostMemory.anonymous(bytes);
                mappings.add(m);
                next[c][i] = new DirtyBitmap(m.segment(), chunkPages);
            }
        }
        CHUNKS.setRelease(this, next);                      // publish; pairs with the acquire in current()
        // The old array needs no grace period: it is garbage-collected once no reader holds it.
    }

    private DirtyBitmap[][] current() {
        return (DirtyBitmap[][]) CHUNKS.getAcquire(this);
    }

    /** Marks {@code [ramAddr, ramAddr + length)} dirty for every client in {@code clientMask}. */
    public void setDirtyRange(long ramAddr, long length, int clientMask) {
        Validate.isTrue((clientMask & ~DirtyClient.ALL) == 0, "dirty client mask 0x%x has unknown bits (known: 0x%x)", clientMask, DirtyClient.ALL);
        if (length == 0) {
            checkRange(ramAddr, 0);
            return;
        }
        try (ReadSection s = rcu.read()) {
            DirtyBitmap[][] all = current();
            long first = checkRange(ramAddr, length), end = (ramAddr + length - 1 >>> pageShift) + 1;
            if (end > (long) all[0].length * chunkPages) {
                throw pastEnd(ramAddr, length, all);
            }
            if (end - first == 1) {                           // the common case: one page
                int chunk = (int) (first / chunkPages);
                long bit = first % chunkPages;
                for (int c = 0; c < all.length; c++) {
                    if ((clientMask & 1 << c) != 0) {
                        all[c][chunk].set(bit);
                    }
                }
                return;
            }
            for (int c = 0; c < all.length; c++) {
                if ((clientMask & 1 << c) != 0) {
                    forChunks(all[c], first, end, (b, from, to, done) -> {
                        b.set(from, to);
                        return 0;
                    });
                }
            }
        }
    }

    /** True if any page of the range is dirty for {@code client}. */
    public boolean isDirty(long ramAddr, long length, DirtyClient client) {
        return scan(ramAddr, length, client, (b, from, to, done) -> b.any(from, to) ? 1 : 0, true) != 0;
    }

    /** Clears the range for {@code client}; true if any page in it was dirty (QEMU's test_and_clear). */
    public boolean testAndClear(long ramAddr, long length, DirtyClient client) {
        return scan(ramAddr, length, client, (b, from, to, done) -> b.take(from, to, null, 0), false) != 0;
    }

    /** Takes and clears the client's dirty bits of the range at once; clean words cost one load each. */
    public DirtySnapshot snapshotAndClear(long ramAddr, long length, DirtyClient client) {
        Validate.isTrue(length >= 0, "length %d is negative", length);
        long first = checkRange(ramAddr, Math.max(length, 1));
        long pages = length == 0 ? 0 : (ramAddr + length - 1 >>> pageShift) + 1 - first;
        long[] dest = new long[(int) ((pages + 63) >>> 6)];
        long n = length == 0 ? 0 : takeInto(ramAddr, length, client, dest);
        return new DirtySnapshot(first << pageShift, pages, pageSize, dest, n);
    }

    /**
     * Takes the client's dirty bits of the range and ORs them into {@code dest} (bit 0 = first page of the
     * range), QEMU's physical_memory_sync_dirty_bitmap. Returns how many pages were taken.
     */
    public long takeInto(long ramAddr, long length, DirtyClient client, long[] dest) {
        return scan(ramAddr, length, client, (b, from, to, done) -> b.take(from, to, dest, done), false);
    }

    /** Dirty pages of {@code client} over everything covered. */
    public long dirtyPages(DirtyClient client) {
        return dirtyPages(0, coveredBytes(), client);
    }

    /** Dirty pages of {@code client} in the range. */
    public long dirtyPages(long ramAddr, long length, DirtyClient client) {
        if (length == 0) {
            return 0;
        }
        return scan(ramAddr, length, client, (b, from, to, done) -> b.count(from, to), true);
    }

    /** The chunks of {@code client}'s bitmap (layout: {@link DirtyBitmapDescriptor}), for C code. */
    public List<DirtyBitmap> chunks(DirtyClient client) {
        return List.of(current()[client.ordinal()]);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        CHUNKS.setRelease(this, new DirtyBitmap[DirtyClient.values().length][0]);
        rcu.synchronize();                                   // no reader can still hold a chunk
        mappings.forEach(HostMapping::close);
        mappings.clear();
    }

    // ------------------------------------------------------------------------------------ internals

    private interface ChunkOp {
        long apply(DirtyBitmap chunk, long from, long to, long done);
    }

    private long scan(long ramAddr, long length, DirtyClient client, ChunkOp op, boolean sum) {
        Objects.requireNonNull(client, "client");
        Validate.isTrue(length >= 0, "length %d is negative", length);
        if (length == 0) {
            checkRange(ramAddr, 0);
            return 0;
        }
        try (ReadSection s = rcu.read()) {
            DirtyBitmap[][] all = current();
            long first = checkRange(ramAddr, length), end = (ramAddr + length - 1 >>> pageShift) + 1;
            if (end > (long) all[0].length * chunkPages) {
                throw pastEnd(ramAddr, length, all);
            }
            return forChunks(all[client.ordinal()], first, end, op);
        }
    }

    /** Applies op to each chunk's part of pages [first, end); sums the results. */
    private long forChunks(DirtyBitmap[] chunks, long first, long end, ChunkOp op) {
        long total = 0;
        for (long p = first; p < end;) {
            int chunk = (int) (p / chunkPages);
            long base = (long) chunk * chunkPages;
            long to = Math.min(end, base + chunkPages);
            total += op.apply(chunks[chunk], p - base, to - base, p - first);
            p = to;
        }
        return total;
    }

    private long checkRange(long ramAddr, long length) {
        Validate.isTrue(ramAddr >= 0, "RAM address %d is negative", ramAddr);
        Validate.isTrue(length >= 0 && ramAddr + length >= ramAddr, "range [0x%x, +%d) overflows", ramAddr, length);
        return ramAddr >>> pageShift;
    }

    private IllegalArgumentException pastEnd(long ramAddr, long length, DirtyBitmap[][] all) {
        return new IllegalArgumentException(String.format("range [0x%x, +%d) reaches past the tracked RAM (0x%x bytes)",
                ramAddr, length, (long) all[0].length * chunkPages << pageShift));
    }
}
