package org.guestmem.dirty;

import org.guestmem.os.AddressSpace;
import static org.guestmem.dirty.DirtyBitmapDescriptor.WORD;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * An off-heap bitmap of 64-bit words that any number of threads (and C code, through {@link #segment()}) set
 * and take at once without losing a bit. Layout and steps (DS-, DT-): {@link DirtyBitmapDescriptor}. A
 * {@link DirtyMemory} keeps one per chunk per client.
 *
 * <p>Ordering: a set ({@code set}) releases the caller's earlier writes; a take ({@code clear},
 * {@code takeInto}) acquires them: whoever takes a bit sees what was written to guest RAM before it was set.
 * Reads ({@code get}, {@code count}, {@code next*}) are relaxed.
 *
 * <p>Ranges are bit indices {@code [from, to)} with {@code 0 <= from <= to <= bits()}; anything else throws
 * IllegalArgumentException naming the values. An empty range is a no-op.
 */
public final class DirtyBitmap {
    /**
     * Every byte of the address space, global scope: a constant, so C2 keeps no check on an access through it.
     * Only the {@code *Rcu} methods use it, for bitmaps of a {@link DirtyMemory}, whose callers hold a read
     * section of its domain: the words cannot be freed before the section ends (they are unmapped after a
     * grace period), and the caller has checked the bit range, so the segment's liveness and bounds checks,
     * which cost more than the atomics on a shared-arena segment, are redundant there.
     */
    private static final MemorySegment ALL = AddressSpace.ALL;

    /** A run of all-ones words (read-only after its initialisation), the source of setRangeRcu's DS-2 copies. */
    private static final long ONES_BYTES = 4096;
    private static final MemorySegment ONES = Arena.global().allocate(ONES_BYTES, 64).fill((byte) -1);

    private final MemorySegment words;   // the shared words; every access is one of DS-1/DS-2/DT-1/DT-2/DT-3
    private final long bits;
    private final long address;          // words.address(), for the *Rcu methods

    /** Trusted: {@code words} holds at least {@code words(bits)} 8-byte aligned words. */
    DirtyBitmap(MemorySegment words, long bits) {
        this.words = words;
        this.bits = bits;
        this.address = words.address();
    }

    /** A zeroed bitmap of {@code bits} bits whose words live in {@code arena}. */
    public static DirtyBitmap allocate(Arena arena, long bits) {
        Objects.requireNonNull(arena, "arena");
        if (bits <= 0 || bits > Long.MAX_VALUE - 64) {
            throw new IllegalArgumentException("bitmap size " + bits + " bits must be positive");
        }
        long bytes = DirtyBitmapDescriptor.words(bits) * DirtyBitmapDescriptor.WORD_BYTES;
        return new DirtyBitmap(arena.allocate(bytes, DirtyBitmapDescriptor.WORD_BYTES), bits);
    }

    /** A bitmap over existing words (for example memory shared with C code); they must be 8-byte aligned. */
    public static DirtyBitmap wrap(MemorySegment words, long bits) {
        Objects.requireNonNull(words, "words");
        if (bits <= 0 || bits > Long.MAX_VALUE - 64) {
            throw new IllegalArgumentException("bitmap size " + bits + " bits must be positive");
        }
        long need = DirtyBitmapDescriptor.words(bits) * DirtyBitmapDescriptor.WORD_BYTES;
        if (words.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + words.byteSize() + " bytes is too small for " + bits
                    + " bits (needs " + need + ")");
        }
        if (!words.isNative() || words.address() % DirtyBitmapDescriptor.WORD_BYTES != 0) {
            throw new IllegalArgumentException("bitmap words must be native and 8-byte aligned, got " + words);
        }
        return new DirtyBitmap(words, bits);
    }

    /** The words (layout: {@link DirtyBitmapDescriptor}), for C code that uses the same DS-/DT- steps. */
    public MemorySegment segment() {
        return words;
    }

    public long bits() {
        return bits;
    }

    public boolean get(long bit) {
        checkRange(bit, bit + 1);
        return ((long) WORD.getOpaque(words, (bit >>> 6) << 3) & 1L << bit) != 0;  // DT-3
    }

    public void set(long bit) {
        checkRange(bit, bit + 1);
        setBit0(bit);
    }

    /** Sets bits {@code [from, to)}: partial words OR-ed (DS-1), whole words stored (DS-2). */
    public void set(long from, long to) {
        checkRange(from, to);
        if (from < to) {
            setRange0(from, to);
        }
    }

    /** Clears bits {@code [from, to)}; returns how many of them were set (QEMU's test-and-clear). */
    public long clear(long from, long to) {
        return takeInto(from, to, null, 0);
    }

    /**
     * Takes bits {@code [from, to)}: clears them and ORs those that were set into {@code dest} (bit {@code from}
     * lands on bit {@code destBit}; {@code dest} may be null). Clean words cost one load. Returns the bits taken.
     */
    public long takeInto(long from, long to, long[] dest, long destBit) {
        checkRange(from, to);
        if (dest != null && (destBit < 0 || destBit + (to - from) > (long) dest.length << 6)) {
            throw new IllegalArgumentException("destination of " + dest.length + " words cannot hold " + (to - from)
                    + " bits at bit " + destBit);
        }
        if (from >= to) {
            return 0;
        }
        TakenWords.Dense out = dest == null ? null : new TakenWords.Dense(dest);
        if (out != null) {
            out.origin = destBit - from;
        }
        return take0(from, to, out);
    }

    /** Number of bits set in {@code [from, to)}. */
    public long count(long from, long to) {
        checkRange(from, to);
        return from < to ? count0(from, to) : 0;
    }

    /** First set bit in {@code [from, to)}, or {@code to} if none (QEMU's find_next_bit). */
    public long nextSetBit(long from, long to) {
        checkRange(from, to);
        return from < to ? next0(from, to, 0) : to;
    }

    /** First clear bit in {@code [from, to)}, or {@code to} if none (QEMU's find_next_zero_bit). */
    public long nextClearBit(long from, long to) {
        checkRange(from, to);
        return from < to ? next0(from, to, -1L) : to;
    }

    // ------------------------------------------------ unchecked: callers have validated 0 <= from < to <= bits

    void setBit0(long bit) {
        long unused = (long) WORD.getAndBitwiseOr(words, (bit >>> 6) << 3, 1L << bit);  // DS-1; pairs with DT-2
    }

    void setRange0(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;   // shifts use the low 6 bits: from & 63, 64 - (to & 63)
        if (w == last) {
            setMasked(w, firstMask & lastMask);
            return;
        }
        long runFrom = w, runTo = last + 1;                       // the whole words: [runFrom, runTo)
        if (firstMask != -1L) {
            long unused = (long) WORD.getAndBitwiseOr(words, w << 3, firstMask);     // DS-1; pairs with DT-2
            runFrom = w + 1;
        }
        if (lastMask != -1L) {
            long unused = (long) WORD.getAndBitwiseOr(words, last << 3, lastMask);   // DS-1; pairs with DT-2
            runTo = last;
        }
        setWholeWords(runFrom, runTo);
    }

    private void setMasked(long w, long mask) {
        if (mask == -1L) {
            setWholeWords(w, w + 1);
        } else {
            long unused = (long) WORD.getAndBitwiseOr(words, w << 3, mask);  // DS-1; pairs with DT-2
        }
    }

    /**
     * DS-2, Java form: one release fence, then plain stores of all-ones by {@code fill}. The fence gives the
     * order DS-2 needs (the caller's earlier writes before every store, so a DT-2 that takes a bit sees them).
     * A release store per word costs ~7x here (its barrier keeps the segment checks inside the loop), and a
     * hand-written plain loop is only fast when the JIT's profile saw long runs; {@code fill} is an intrinsic
     * whatever the profile. It writes every byte once, with all ones: a concurrent take sees each bit either
     * still clear (and it is set afterwards) or set (and takes it); none is lost or taken twice.
     */
    private void setWholeWords(long from, long to) {
        if (from < to) {
            VarHandle.releaseFence();                                          // DS-2; pairs with DT-2
            words.asSlice(from << 3, (to - from) << 3).fill((byte) -1);       // DS-2: plain stores after the fence
        }
    }

    // ------------------------------------------------ the same inside a read section of a DirtyMemory's domain:
    // words that only a grace period frees, ranges the caller checked; accessed through ALL (see there).

    /** {@link #setBit0} for a DirtyMemory caller inside its read section. */
    void setBitRcu(long bit) {
        long unused = (long) WORD.getAndBitwiseOr(ALL, address + ((bit >>> 6) << 3), 1L << bit);  // DS-1; pairs with DT-2
    }

    /** {@link #setRange0} for a DirtyMemory caller inside its read section. */
    void setRangeRcu(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        long a = address;
        if (w == last) {
            long m = firstMask & lastMask;
            if (m == -1L) {
                VarHandle.releaseFence();                                      // DS-2; pairs with DT-2
                ALL.set(ValueLayout.JAVA_LONG, a + (w << 3), -1L);             // DS-2: a plain store after the fence
            } else {
                long unused = (long) WORD.getAndBitwiseOr(ALL, a + (w << 3), m);    // DS-1; pairs with DT-2
            }
            return;
        }
        long runFrom = w, runTo = last + 1;
        if (firstMask != -1L) {
            long unused = (long) WORD.getAndBitwiseOr(ALL, a + (w << 3), firstMask);     // DS-1; pairs with DT-2
            runFrom = w + 1;
        }
        if (lastMask != -1L) {
            long unused = (long) WORD.getAndBitwiseOr(ALL, a + (last << 3), lastMask);   // DS-1; pairs with DT-2
            runTo = last;
        }
        if (runFrom < runTo) {
            VarHandle.releaseFence();                                          // DS-2; pairs with DT-2
            long n = (runTo - runFrom) << 3;
            long dst = a + (runFrom << 3);
            // DS-2: plain stores of all-ones after the fence, as setWholeWords, but copied from a constant run
            // of ones (the copy intrinsic runs at memset speed; fill is ~2.5x slower for long runs here).
            for (long done = 0; done < n; done += ONES_BYTES) {
                MemorySegment.copy(ONES, 0, ALL, dst + done, Math.min(ONES_BYTES, n - done));
            }
        }
    }

    /** {@link #take0} for a DirtyMemory caller inside its read section. */
    long takeRcu(long from, long to, TakenWords out) {
        long w = from >>> 6, last = (to - 1) >>> 6, n = 0;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        long a = address;
        VarHandle.acquireFence();                                              // DT-1, as in take0
        for (long i = w; i <= last; i++) {
            long m = (i == w ? firstMask : -1L) & (i == last ? lastMask : -1L);
            long off = a + (i << 3);
            if ((ALL.get(ValueLayout.JAVA_LONG, off) & m) == 0) {              // DT-1: clean, skip without an atomic
                continue;
            }
            long taken = m == -1L
                    ? (long) WORD.getAndSet(ALL, off, 0L)                      // DT-2; pairs with DS-1/DS-2
                    : (long) WORD.getAndBitwiseAnd(ALL, off, ~m) & m;          // DT-2; pairs with DS-1/DS-2
            n += Long.bitCount(taken);
            if (out != null && taken != 0) {
                out.taken(i, taken);
            }
        }
        return n;
    }

    long take0(long from, long to, TakenWords out) {
        long w = from >>> 6, last = (to - 1) >>> 6, n = 0;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        // DT-1, Java form: an acquire fence, then plain loads as hints. The fence keeps every load below inside
        // this call (none is hoisted out of a caller's loop); a plain scan runs ~10x faster than opaque loads,
        // whose barriers keep the segment checks in the loop. A hint only decides whether to skip: a word
        // set before this call began reads non-zero (a racing take can only have taken its bits), and a bit
        // set during the scan is either taken by DT-2 or left set for the next take.
        VarHandle.acquireFence();
        for (long i = w; i <= last; i++) {
            long m = (i == w ? firstMask : -1L) & (i == last ? lastMask : -1L);
            long off = i << 3;
            if ((words.get(ValueLayout.JAVA_LONG, off) & m) == 0) {   // DT-1: clean, skip without an atomic
                continue;
            }
            long taken = m == -1L
                    ? (long) WORD.getAndSet(words, off, 0L)                   // DT-2; pairs with DS-1/DS-2
                    : (long) WORD.getAndBitwiseAnd(words, off, ~m) & m;       // DT-2; pairs with DS-1/DS-2
            n += Long.bitCount(taken);
            if (out != null && taken != 0) {
                out.taken(i, taken);
            }
        }
        return n;
    }

    /**
     * DT-1 as a question: true if any bit of [from, to) looked set. The same acquire fence and plain hint loads
     * as {@link #take0}: a bit set before this call began is seen (only a take can have cleared it since).
     */
    boolean anyHint0(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        VarHandle.acquireFence();                                  // DT-1: the loads below stay in this call
        for (long i = w; i <= last; i++) {
            long m = (i == w ? firstMask : -1L) & (i == last ? lastMask : -1L);
            if ((words.get(ValueLayout.JAVA_LONG, i << 3) & m) != 0) {   // DT-1: plain hint load
                return true;
            }
        }
        return false;
    }

    long count0(long from, long to) {
        long w = from >>> 6, last = (to - 1) >>> 6, n = 0;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        for (long i = w; i <= last; i++) {
            long m = (i == w ? firstMask : -1L) & (i == last ? lastMask : -1L);
            n += Long.bitCount((long) WORD.getOpaque(words, i << 3) & m);   // DT-3
        }
        return n;
    }

    /** First bit in [from, to) that differs from {@code clean} (0: find set, -1: find clear), or {@code to}. */
    long next0(long from, long to, long clean) {
        long w = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        for (long i = w; i <= last; i++) {
            long m = (i == w ? firstMask : -1L) & (i == last ? lastMask : -1L);
            long v = ((long) WORD.getOpaque(words, i << 3) ^ clean) & m;    // DT-3
            if (v != 0) {
                return (i << 6) + Long.numberOfTrailingZeros(v);
            }
        }
        return to;
    }

    private void checkRange(long from, long to) {
        if (from < 0 || to < from || to > bits) {
            throw new IllegalArgumentException("bit range [" + from + ", " + to + ") is outside the bitmap of " + bits
                    + " bits (0 <= from <= to <= size)");
        }
    }

    @Override
    public String toString() {
        return "DirtyBitmap[" + bits + " bits at 0x" + Long.toHexString(words.address()) + "]";
    }
}
