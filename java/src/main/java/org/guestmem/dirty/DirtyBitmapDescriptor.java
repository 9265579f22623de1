package org.guestmem.dirty;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The shared layout of the dirty bitmaps and the protocol steps on it, for Java and C alike. Every offset,
 * size and step name used by {@link DirtyBitmap}, {@link DirtyMemory} and the C twin lives here.
 *
 * <h2>Bitmap words</h2>
 * <pre>
 * bitmap = array of uint64_t words, 8-byte aligned
 * bit n  = word n &gt;&gt; 6, bit n &amp; 63 (least significant first, like QEMU's and KVM's bitmaps)
 *
 *  word 0                                word 1
 * +--------------------------------+   +--------------------------------+
 * | bit 63 ................... bit 0|   | bit 127 ................. bit 64|  ...
 * +--------------------------------+   +--------------------------------+
 * </pre>
 *
 * <h2>Chunks and the chunk tables of one {@link DirtyMemory}</h2>
 * <pre>
 * page p of client c = bit (p &amp; (chunk_pages-1)) of chunk (p &gt;&gt; log2(chunk_pages)) of table[c]
 *
 * root (ROOT_BYTES)            table of one client (tableBytes(n))           chunk (chunkBytes(chunk_pages))
 * +0  uint64 table[VGA]  --+   +0  uint64 chunk_count n                       +--------+--------+----
 * +8  uint64 table[CODE]   +-&gt; +8  uint64 chunk_pages (power of two &gt;= 64)   | word 0 | word 1 | ...
 * +16 uint64 table[MIGR.]      +16 uint64 page_shift  (log2 of page size)     +--------+--------+----
 *                              +24 uint64 chunk[0]  ------------------------&gt;  ^
 *                              +32 uint64 chunk[1]                             (never moves, never freed
 *                              ...  n entries                                   before DirtyMemory.close)
 * </pre>
 * The C side of these steps is guestmem.h's {@code gm_dirty_set_range}, {@code gm_dirty_mark_page} and
 * {@code gm_dirty_test} (structs {@code gm_dirty_root}, {@code gm_dirty_table}; native/src/dirty.c).
 * A root entry of 0 means the DirtyMemory is closed. Tables are immutable once published: growth builds a
 * bigger one and republishes it (QEMU's {@code DirtyMemoryBlocks}).
 *
 * <h2>Steps</h2>
 * Word protocol (any thread, any language; a bit set concurrently with a take is either in the taken value
 * or still set afterwards, never lost):
 * <ul>
 * <li><b>DS-1</b> set bits of a partial word: {@code getAndBitwiseOr} (C {@code __atomic_fetch_or}, seq_cst).
 *     Its release half orders the setter's earlier writes to guest RAM before the bit; pairs with DT-2.</li>
 * <li><b>DS-2</b> set whole words: store all-ones, each store ordered after the setter's earlier writes by a
 *     release: C a release store per word ({@code __atomic_store_n(..., RELEASE)}, a plain {@code mov} on
 *     x86, and what ThreadSanitizer understands); Java one {@code VarHandle.releaseFence()} before a run of
 *     plain stores (a release store per word keeps the segment checks in the loop and costs ~7x). Storing
 *     all-ones equals OR-ing them, whatever a concurrent take does, and each byte is written once, so a bit
 *     is never lost nor taken twice; the release pairs with DT-2. (QEMU stores ~0 plainly and ends with
 *     {@code smp_mb}; the release is the part migration needs.)</li>
 * <li>No "already set, skip the RMW" shortcut on the set side: a setter that only <em>loads</em> the word
 *     has no release for its guest-RAM writes, and a taker could take the old bit and read stale RAM
 *     (store buffering; the jcstress test {@code DirtySetVsTake} shows the broken variant failing).</li>
 * <li><b>DT-1</b> take/clear, skip: a load used as a hint; a zero word is skipped without an atomic (a bit
 *     set after the load stays set for the next take). C: relaxed loads; Java: one
 *     {@code VarHandle.acquireFence()} per call, then plain loads (opaque loads cost ~10x in a scan, and
 *     the fence keeps the loads from being hoisted out of a caller's loop). The same scan answers "is any
 *     page of the range dirty" ({@code DirtyMemory.isDirty}, and the clean fast path of a snapshot).</li>
 * <li><b>DT-2</b> take/clear: {@code getAndSet(0)} for whole words, {@code getAndBitwiseAnd(~mask)} for
 *     partial ones (C {@code __atomic_exchange_n} / {@code __atomic_fetch_and}, seq_cst). Its acquire half
 *     pairs with DS-1/DS-2: whoever takes a bit sees the guest-RAM writes made before the bit was set.</li>
 * <li><b>DT-3</b> pure reads of bit values (get, count, find): {@code getOpaque}; each word's value is one
 *     it had at some moment.</li>
 * </ul>
 * Growth (the updater, serialised by the caller's mutex) and readers:
 * <ul>
 * <li><b>DG-1</b> allocate zeroed chunks for the new range; copy the old chunk references and addresses
 *     into a new, bigger Java table and new native tables (plain writes, not yet visible).</li>
 * <li><b>DG-2</b> release-store each client's new native table address into the root; pairs with C's DR-1.</li>
 * <li><b>DG-3</b> release-store the new Java table; pairs with Java's DR-1.</li>
 * <li><b>DG-4</b> {@code callRcu}: free the old native tables after a grace period (a C reader inside a
 *     read section may still index them). The chunks they point to stay: chunks never move.</li>
 * <li><b>DR-1</b> inside an RCU read section: acquire load of the table (Java: the published table; C: the
 *     root entry of the client).</li>
 * <li><b>DR-2</b> index the chunk and apply DS-/DT- steps to its words; leave the section.</li>
 * </ul>
 */
public final class DirtyBitmapDescriptor {
    /** Pages per chunk by default: QEMU's DIRTY_MEMORY_BLOCK_SIZE (256 KiB of bitmap, 8 GiB of 4 KiB pages). */
    public static final long CHUNK_PAGES = 256L * 1024 * 8;
    /** Smallest chunk (one word), for tests that cross chunk boundaries often. */
    public static final long MIN_CHUNK_PAGES = 64;
    public static final int BITS_PER_WORD = 64;
    public static final long WORD_BYTES = 8;
    /** Atomic access to a word of a bitmap segment: coordinates (segment, byte offset). */
    public static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    /** Root: one uint64 table address per client, in {@link DirtyClient} order. */
    public static final long ROOT_BYTES = 3 * WORD_BYTES;
    public static final long TABLE_CHUNK_COUNT_OFFSET = 0;
    public static final long TABLE_CHUNK_PAGES_OFFSET = 8;
    public static final long TABLE_PAGE_SHIFT_OFFSET = 16;
    public static final long TABLE_CHUNKS_OFFSET = 24;

    private DirtyBitmapDescriptor() {}

    /** Offset in the root of {@code client}'s table address. */
    public static long rootOffset(DirtyClient client) {
        return client.ordinal() * WORD_BYTES;
    }

    /** Bytes of a table of {@code chunks} chunk addresses. */
    public static long tableBytes(long chunks) {
        return TABLE_CHUNKS_OFFSET + chunks * WORD_BYTES;
    }

    /** Offset in a table of chunk {@code index}'s address. */
    public static long tableChunkOffset(long index) {
        return TABLE_CHUNKS_OFFSET + index * WORD_BYTES;
    }

    /** Words needed for {@code bits} bits. */
    public static long words(long bits) {
        return (bits + BITS_PER_WORD - 1) >>> 6;
    }

    /** Bytes of one chunk of {@code chunkPages} bits. */
    public static long chunkBytes(long chunkPages) {
        return words(chunkPages) * WORD_BYTES;
    }
}
