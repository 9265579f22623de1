package org.guestmem.dirty;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The shared layout of dirty bitmaps, for Java and C alike.
 *
 * <pre>
 * one client's bitmap = chunks[0], chunks[1], ...      (a chunk never moves once allocated)
 * chunk  = CHUNK_PAGES bits = CHUNK_PAGES / 64 words of uint64_t, 8-byte aligned
 * page p = bit (p % CHUNK_PAGES) of chunk (p / CHUNK_PAGES)
 * bit n  = word n >> 6, bit n & 63 (least significant bit first, like QEMU's and KVM's bitmaps)
 *
 *  word 0                                word 1
 * +--------------------------------+   +--------------------------------+
 * | bit 63 ...................bit 0|   | bit 127 ................. bit 64|  ...
 * +--------------------------------+   +--------------------------------+
 * </pre>
 *
 * Every word is accessed atomically: setters OR bits in ({@code getAndBitwiseOr}, C
 * {@code __atomic_fetch_or}) or store all-ones into a full word; consumers take a word with
 * {@code getAndSet(0)} ({@code __atomic_exchange_n}) or clear bits with {@code getAndBitwiseAnd}. A bit set
 * concurrently with a take is either in the taken value or still set afterwards: never lost.
 */
public final class DirtyBitmapDescriptor {
    /** Pages per chunk: QEMU's DIRTY_MEMORY_BLOCK_SIZE (256 KiB of bitmap covering 8 GiB of 4 KiB pages). */
    public static final long CHUNK_PAGES = 256L * 1024 * 8;
    public static final int BITS_PER_WORD = 64;
    public static final long WORD_BYTES = 8;
    /** Atomic access to a word: coordinates (segment, byte offset). */
    public static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private DirtyBitmapDescriptor() {}

    /** Bytes of one chunk of {@code chunkPages} bits. */
    public static long chunkBytes(long chunkPages) {
        return chunkPages / BITS_PER_WORD * WORD_BYTES;
    }
}
