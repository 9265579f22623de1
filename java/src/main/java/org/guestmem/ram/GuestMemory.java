package org.guestmem.ram;

import org.guestmem.os.AddressSpace;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.apache.commons.lang3.Validate;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * What device models and tools touch: read and write guest RAM at a RAM address, with dirty marking on
 * write. Every call enters its own RCU read section (nesting inside the caller's, if any), so a block
 * being freed concurrently is either still fully usable or not found; never half-reclaimed. An address in
 * no block throws {@link IllegalArgumentException}; an access through a block already reclaimed (only
 * possible through a {@link #view}) throws {@link IllegalStateException}.
 *
 * <h2>Byte order</h2>
 * Guest memory is little-endian (x86 and virtio). {@link #readInt}, {@link #readLong} and their writes are
 * little-endian; the {@code …LE} accessors say so in their names and add 16-bit words. The ordered
 * accessors below use the host's native order, which is little-endian on the hosts guestmem supports
 * (x86_64, aarch64), so they read and write the same bytes; on a big-endian host they throw
 * {@link UnsupportedOperationException} rather than store a value the guest would read byte-swapped.
 *
 * <h2>Ordered accessors</h2>
 * Loads and stores of aligned 32- and 64-bit guest words, for memory shared with vCPU threads, C peers
 * mapping the same memfd, or other Java threads (virtio ring indices, flags, counters). The names say the
 * ordering in {@code VarHandle} words, as in {@code org.guestmem.rcu}; the C column is the C11 access of
 * the other side that they are designed to meet:
 * <table>
 * <caption>Ordered accessors and their partners</caption>
 * <tr><th>Java</th><th>C11</th><th>pairs with</th></tr>
 * <tr><td>{@code read…Opaque} / {@code write…Opaque}</td><td>{@code memory_order_relaxed}</td>
 *     <td>nothing: atomic (no tearing), coherent per word, no ordering with other addresses</td></tr>
 * <tr><td>{@code read…Acquire}</td><td>{@code memory_order_acquire}</td>
 *     <td>a {@code write…Release} (or a C {@code atomic_store_explicit(p, v, memory_order_release)}) of the
 *     same word: what the writer did before its release is visible after the acquire that reads its value</td></tr>
 * <tr><td>{@code write…Release}</td><td>{@code memory_order_release}</td>
 *     <td>a {@code read…Acquire} (or a C {@code memory_order_acquire} load) of the same word</td></tr>
 * <tr><td>{@code read…Volatile} / {@code write…Volatile}</td><td>{@code memory_order_seq_cst}</td>
 *     <td>each other and every seq_cst access (C {@code atomic_load}/{@code atomic_store} with their default
 *     order): one total order, store-load ordering included; a volatile load also acquires what a release
 *     or volatile store published, a volatile store also releases</td></tr>
 * <tr><td>{@code compareAndSet…}, {@code compareAndExchange…}, {@code getAndAdd…}</td>
 *     <td>{@code atomic_compare_exchange_strong}, {@code atomic_fetch_add} (seq_cst)</td>
 *     <td>every access above; read-modify-writes of one word are totally ordered</td></tr>
 * </table>
 * These accessors implement no step of ORDERING.md: the protocol they take part in is the caller's (a
 * device model's ring, say), and the caller's comments name its steps. Their address must be a multiple of
 * the word size ({@link IllegalArgumentException} naming the address otherwise) and the word must lie in
 * the used part of one block. Plain accessors ({@link #readInt}, {@link #read}, …) are not atomic and
 * order nothing: a plain read racing a store may see a torn or stale value.
 *
 * <h2>Ranges</h2>
 * Scalar and ordered accesses never cross a block's end: such an access throws
 * {@link IllegalArgumentException} naming the address, length and block. Bulk transfers ({@link #read},
 * {@link #write}, {@link #fill}, {@link #readTo}, {@link #writeFrom}) may cross block boundaries where
 * the blocks are contiguous in the RAM-address space. Every access resolves its whole range before it
 * touches a byte, so a range that runs into a hole or past a used length fails with nothing read or
 * written. Every write marks the bytes it stored dirty for this facade's clients, after storing them.
 *
 * <h2>Channel transfers</h2>
 * {@link #readTo} and {@link #writeFrom} move bytes between guest memory and a channel through direct
 * {@link ByteBuffer} views of the block ({@link MemorySegment#asByteBuffer()}): no heap copy on this side
 * (a {@link FileChannel}, socket or pipe reads and writes guest memory in place). The whole transfer runs
 * inside one read section, so a slow channel delays the reclamation of freed blocks until it returns.
 * Channels must be blocking: a non-blocking {@link SelectableChannel} is refused.
 */
public final class GuestMemory {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Aligned native-order words; coordinates (MemorySegment, long offset). Checks alignment of the host address too. */
    private static final VarHandle INT_WORD = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG_WORD = ValueLayout.JAVA_LONG.varHandle();
    /** The ordered accessors store native order, which equals the guest's little-endian order only here. */
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /** Largest piece handed to one channel call: a ByteBuffer holds at most 2^31 - 1 bytes. */
    private static final long MAX_IO = 1L << 30;
    /**
     * Every byte of the address space, global scope: a constant, so C2 keeps no check on an access through it.
     * The scalar accessors reach guest RAM through it at {@link #host}'s address: inside the read section a
     * block's memory cannot be unmapped (RamList frees it after a grace period) and {@link #block} has checked
     * the range against the used length, so the block segment's liveness and bounds checks (a shared arena's
     * state load per access) are redundant there.
     */
    private static final MemorySegment ALL = AddressSpace.ALL;

    private final RamList list;
    private final Rcu rcu;
    private final DirtyMemory dirty;
    private final int writeClients;

    /** Writes mark every dirty client (VGA, CODE, MIGRATION). */
    public GuestMemory(RamList list) {
        this(list, DirtyClient.ALL);
    }

    /** Writes mark the clients in {@code writeClients} (a mask of {@link DirtyClient#mask()} bits). */
    public GuestMemory(RamList list, int writeClients) {
        this.list = Objects.requireNonNull(list, "list");
        Validate.isTrue((writeClients & ~DirtyClient.ALL) == 0, "dirty client mask 0x%x has unknown bits (known: 0x%x)", writeClients, DirtyClient.ALL);
        this.rcu = list.rcu();
        this.dirty = list.dirtyMemory();
        this.writeClients = writeClients;
    }

    public RamList ramList() {
        return list;
    }

    public byte readByte(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(ValueLayout.JAVA_BYTE, host(addr, 1));
        }
    }

    public void writeByte(long addr, byte v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(ValueLayout.JAVA_BYTE, host(addr, 1), v);
            dirty.setDirtyRange(s, addr, 1, writeClients);
        }
    }

    /** The little-endian 32-bit value at {@code addr} (any alignment, inside one block); same as {@link #readIntLE}. */
    public int readInt(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(INT_LE, host(addr, 4));
        }
    }

    /** Stores {@code v} little-endian at {@code addr} (any alignment, inside one block); marks it dirty. */
    public void writeInt(long addr, int v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(INT_LE, host(addr, 4), v);
            dirty.setDirtyRange(s, addr, 4, writeClients);
        }
    }

    /** The little-endian 64-bit value at {@code addr} (any alignment, inside one block); same as {@link #readLongLE}. */
    public long readLong(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(LONG_LE, host(addr, 8));
        }
    }

    /** Stores {@code v} little-endian at {@code addr} (any alignment, inside one block); marks it dirty. */
    public void writeLong(long addr, long v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(LONG_LE, host(addr, 8), v);
            dirty.setDirtyRange(s, addr, 8, writeClients);
        }
    }

    /** The little-endian 16-bit value at {@code addr} (any alignment, inside one block). Plain, not atomic. */
    public short readShortLE(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(SHORT_LE, host(addr, 2));
        }
    }

    /** Stores {@code v} little-endian at {@code addr} (any alignment, inside one block); marks it dirty. Plain. */
    public void writeShortLE(long addr, short v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(SHORT_LE, host(addr, 2), v);
            dirty.setDirtyRange(s, addr, 2, writeClients);
        }
    }

    /** {@link #readInt} under the name that says its byte order. */
    public int readIntLE(long addr) {
        return readInt(addr);
    }

    /** {@link #writeInt} under the name that says its byte order. */
    public void writeIntLE(long addr, int v) {
        writeInt(addr, v);
    }

    /** {@link #readLong} under the name that says its byte order. */
    public long readLongLE(long addr) {
        return readLong(addr);
    }

    /** {@link #writeLong} under the name that says its byte order. */
    public void writeLongLE(long addr, long v) {
        writeLong(addr, v);
    }

    // ---- ordered accessors of aligned words (see the class comment for the pairing table) ----
    // Each resolves the host address with wordHost(), which checks alignment and the range before any access
    // (then the access goes through the constant segment, as readLong does), and marks dirty after a store,
    // in the same read section (a migration that clears the mark and then copies the page sees the new value
    // or the mark).

    /** Relaxed load (C {@code memory_order_relaxed}) of the aligned int at {@code addr}; pairs with no store in particular. */
    public int readIntOpaque(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            return (int) INT_WORD.getOpaque(ALL, h);
        }
    }

    /** Relaxed load (C {@code memory_order_relaxed}) of the aligned long at {@code addr}. */
    public long readLongOpaque(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            return (long) LONG_WORD.getOpaque(ALL, h);
        }
    }

    /**
     * Acquire load (C {@code memory_order_acquire}) of the aligned int at {@code addr}.
     *
     * @see #writeIntRelease the store it pairs with (or a C release store of the same word)
     */
    public int readIntAcquire(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            return (int) INT_WORD.getAcquire(ALL, h);
        }
    }

    /**
     * Acquire load (C {@code memory_order_acquire}) of the aligned long at {@code addr}.
     *
     * @see #writeLongRelease the store it pairs with (or a C release store of the same word)
     */
    public long readLongAcquire(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            return (long) LONG_WORD.getAcquire(ALL, h);
        }
    }

    /** Sequentially consistent load (C {@code atomic_load}, seq_cst) of the aligned int at {@code addr}; pairs with {@link #writeIntVolatile}. */
    public int readIntVolatile(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            return (int) INT_WORD.getVolatile(ALL, h);
        }
    }

    /** Sequentially consistent load (C {@code atomic_load}, seq_cst) of the aligned long at {@code addr}; pairs with {@link #writeLongVolatile}. */
    public long readLongVolatile(long addr) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            return (long) LONG_WORD.getVolatile(ALL, h);
        }
    }

    /** Relaxed store (C {@code memory_order_relaxed}) of the aligned int at {@code addr}; marks it dirty. */
    public void writeIntOpaque(long addr, int v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            INT_WORD.setOpaque(ALL, h, v);
            dirty.setDirtyRange(s, addr, 4, writeClients);
        }
    }

    /** Relaxed store (C {@code memory_order_relaxed}) of the aligned long at {@code addr}; marks it dirty. */
    public void writeLongOpaque(long addr, long v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            LONG_WORD.setOpaque(ALL, h, v);
            dirty.setDirtyRange(s, addr, 8, writeClients);
        }
    }

    /**
     * Release store (C {@code memory_order_release}) of the aligned int at {@code addr}: every write of
     * this thread before it is visible to a thread whose acquire load reads {@code v}. Marks it dirty.
     *
     * @see #readIntAcquire the load it pairs with (or a C acquire load of the same word)
     */
    public void writeIntRelease(long addr, int v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            INT_WORD.setRelease(ALL, h, v);
            dirty.setDirtyRange(s, addr, 4, writeClients);
        }
    }

    /**
     * Release store (C {@code memory_order_release}) of the aligned long at {@code addr}; marks it dirty.
     *
     * @see #readLongAcquire the load it pairs with (or a C acquire load of the same word)
     */
    public void writeLongRelease(long addr, long v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            LONG_WORD.setRelease(ALL, h, v);
            dirty.setDirtyRange(s, addr, 8, writeClients);
        }
    }

    /** Sequentially consistent store (C {@code atomic_store}, seq_cst) of the aligned int at {@code addr}; pairs with {@link #readIntVolatile}. Marks it dirty. */
    public void writeIntVolatile(long addr, int v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            INT_WORD.setVolatile(ALL, h, v);
            dirty.setDirtyRange(s, addr, 4, writeClients);
        }
    }

    /** Sequentially consistent store (C {@code atomic_store}, seq_cst) of the aligned long at {@code addr}; pairs with {@link #readLongVolatile}. Marks it dirty. */
    public void writeLongVolatile(long addr, long v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            LONG_WORD.setVolatile(ALL, h, v);
            dirty.setDirtyRange(s, addr, 8, writeClients);
        }
    }

    /**
     * Atomically sets the aligned int at {@code addr} to {@code v} if it holds {@code expected} (C
     * {@code atomic_compare_exchange_strong}, seq_cst; never fails spuriously). Marks the word dirty only
     * when it stored.
     *
     * @return whether it stored
     */
    public boolean compareAndSetInt(long addr, int expected, int v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            boolean stored = INT_WORD.compareAndSet(ALL, h, expected, v);
            if (stored) {
                dirty.setDirtyRange(s, addr, 4, writeClients);
            }
            return stored;
        }
    }

    /** {@link #compareAndSetInt} for the aligned long at {@code addr}. */
    public boolean compareAndSetLong(long addr, long expected, long v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            boolean stored = LONG_WORD.compareAndSet(ALL, h, expected, v);
            if (stored) {
                dirty.setDirtyRange(s, addr, 8, writeClients);
            }
            return stored;
        }
    }

    /**
     * {@link #compareAndSetInt} that returns the value it found (the witness; equal to {@code expected}
     * exactly when it stored), as C's {@code atomic_compare_exchange_strong} leaves it in {@code *expected}.
     */
    public int compareAndExchangeInt(long addr, int expected, int v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            int witness = (int) INT_WORD.compareAndExchange(ALL, h, expected, v);
            if (witness == expected) {
                dirty.setDirtyRange(s, addr, 4, writeClients);
            }
            return witness;
        }
    }

    /** {@link #compareAndExchangeInt} for the aligned long at {@code addr}. */
    public long compareAndExchangeLong(long addr, long expected, long v) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            long witness = (long) LONG_WORD.compareAndExchange(ALL, h, expected, v);
            if (witness == expected) {
                dirty.setDirtyRange(s, addr, 8, writeClients);
            }
            return witness;
        }
    }

    /**
     * Atomically adds {@code delta} to the aligned int at {@code addr} (C {@code atomic_fetch_add},
     * seq_cst; wraps on overflow) and returns the value before. Marks the word dirty.
     */
    public int getAndAddInt(long addr, int delta) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 4);
            int before = (int) INT_WORD.getAndAdd(ALL, h, delta);
            dirty.setDirtyRange(s, addr, 4, writeClients);
            return before;
        }
    }

    /** {@link #getAndAddInt} for the aligned long at {@code addr}. */
    public long getAndAddLong(long addr, long delta) {
        try (ReadSection s = rcu.read()) {
            long h = wordHost(addr, 8);
            long before = (long) LONG_WORD.getAndAdd(ALL, h, delta);
            dirty.setDirtyRange(s, addr, 8, writeClients);
            return before;
        }
    }

    /** Copies {@code length} bytes of guest RAM at {@code addr} into {@code dst} at {@code dstOffset}. */
    public void read(long addr, MemorySegment dst, long dstOffset, long length) {
        checkRange(dst, dstOffset, length);
        try (ReadSection s = rcu.read()) {
            forEachChunk(addr, length, (b, in, done, n) -> MemorySegment.copy(b.segment(), in, dst, dstOffset + done, n));
        }
    }

    /** Copies {@code length} bytes from {@code src} at {@code srcOffset} into guest RAM at {@code addr}; marks them dirty. */
    public void write(long addr, MemorySegment src, long srcOffset, long length) {
        checkRange(src, srcOffset, length);
        try (ReadSection s = rcu.read()) {
            forEachChunk(addr, length, (b, in, done, n) -> {
                MemorySegment.copy(src, srcOffset + done, b.segment(), in, n);
                dirty.setDirtyRange(s, addr + done, n, writeClients);
            });
        }
    }

    public void read(long addr, byte[] dst) {
        read(addr, MemorySegment.ofArray(dst), 0, dst.length);
    }

    public void write(long addr, byte[] src) {
        write(addr, MemorySegment.ofArray(src), 0, src.length);
    }

    /** Fills {@code length} bytes at {@code addr} with {@code value}; marks them dirty. */
    public void fill(long addr, long length, byte value) {
        Validate.isTrue(length >= 0, "length %d is negative", length);
        try (ReadSection s = rcu.read()) {
            forEachChunk(addr, length, (b, in, done, n) -> {
                b.segment().asSlice(in, n).fill(value);
                dirty.setDirtyRange(s, addr + done, n, writeClients);
            });
        }
    }

    /**
     * Writes the {@code length} bytes of guest RAM at {@code addr} to {@code ch} (at the channel's
     * position, advancing it), straight from guest memory. The range is checked whole first: a range
     * that runs into a hole or past a used length throws {@link IllegalArgumentException} with nothing
     * written to the channel. It may cross contiguous blocks.
     *
     * @param ch a blocking channel (a non-blocking {@link SelectableChannel} is refused)
     * @return {@code length}: a blocking channel takes every byte or throws
     * @throws IOException from the channel; the bytes before the failure may have been written
     */
    public long readTo(long addr, long length, WritableByteChannel ch) throws IOException {
        checkChannel(ch, length);
        return transferOut(addr, length, ch, -1);
    }

    /**
     * {@link #readTo(long, long, WritableByteChannel)} into a file at {@code position}, with
     * {@link FileChannel#write(ByteBuffer, long)}: the channel's own position does not move, and the file
     * grows if {@code position + length} is past its end.
     */
    public long readTo(long addr, long length, FileChannel ch, long position) throws IOException {
        checkChannel(ch, length);
        Validate.isTrue(position >= 0 && position + length >= 0, "file range [%d, +%d) is negative or overflows", position, length);
        return transferOut(addr, length, ch, position);
    }

    /**
     * Reads up to {@code length} bytes from {@code ch} (at the channel's position, advancing it) straight
     * into guest RAM at {@code addr}, until {@code length} bytes are stored or the channel reaches end of
     * stream. The range is checked whole first: a range that runs into a hole or past a used length throws
     * {@link IllegalArgumentException} with nothing read from the channel and nothing stored. It may cross
     * contiguous blocks. Bytes stored are marked dirty as they arrive; bytes past a short count keep their
     * old contents.
     *
     * @param ch a blocking channel (a non-blocking {@link SelectableChannel} is refused)
     * @return the number of bytes stored: {@code length}, or fewer exactly when the channel reached end of
     *     stream first (0 if it was already there). {@link #writeFullyFrom} turns a short count into an error.
     * @throws IOException from the channel; the bytes stored before the failure stay stored and dirty
     */
    public long writeFrom(long addr, long length, ReadableByteChannel ch) throws IOException {
        checkChannel(ch, length);
        return transferIn(addr, length, ch, -1);
    }

    /**
     * {@link #writeFrom(long, long, ReadableByteChannel)} from a file at {@code position}, with
     * {@link FileChannel#read(ByteBuffer, long)}: the channel's own position does not move; the count is
     * short exactly when the file ends before {@code position + length}.
     */
    public long writeFrom(long addr, long length, FileChannel ch, long position) throws IOException {
        checkChannel(ch, length);
        Validate.isTrue(position >= 0 && position + length >= 0, "file range [%d, +%d) is negative or overflows", position, length);
        return transferIn(addr, length, ch, position);
    }

    /**
     * {@link #writeFrom(long, long, ReadableByteChannel)} that needs every byte.
     *
     * @throws EOFException naming the range and the count when the channel ends first (the bytes that did
     *     arrive stay stored and dirty)
     */
    public void writeFullyFrom(long addr, long length, ReadableByteChannel ch) throws IOException {
        long got = writeFrom(addr, length, ch);
        if (got < length) {
            throw new EOFException(String.format("end of stream after %d of %d bytes for RAM [0x%x, +%d)", got, length, addr, length));
        }
    }

    private long transferOut(long addr, long length, WritableByteChannel ch, long position) throws IOException {
        try (ReadSection s = rcu.read()) {
            forEachChunk(addr, length, (b, in, done, n) -> {
                for (long piece = 0; piece < n; piece += MAX_IO) {
                    ByteBuffer bb = b.segment().asSlice(in + piece, Math.min(MAX_IO, n - piece)).asByteBuffer();
                    while (bb.hasRemaining()) {
                        if (position < 0) {
                            ch.write(bb);
                        } else {
                            ((FileChannel) ch).write(bb, position + done + piece + bb.position());
                        }
                    }
                }
            });
        }
        return length;
    }

    /** Counts what {@link #transferIn} stored across chunks; confined to the calling thread. */
    private static final class Progress {
        long stored;
        boolean endOfStream;
    }

    private long transferIn(long addr, long length, ReadableByteChannel ch, long position) throws IOException {
        Progress p = new Progress();
        try (ReadSection s = rcu.read()) {
            forEachChunk(addr, length, (b, in, done, n) -> {
                for (long piece = 0; piece < n && !p.endOfStream; piece += MAX_IO) {
                    ByteBuffer bb = b.segment().asSlice(in + piece, Math.min(MAX_IO, n - piece)).asByteBuffer();
                    while (bb.hasRemaining()) {
                        long at = done + piece + bb.position();
                        int r = position < 0 ? ch.read(bb) : ((FileChannel) ch).read(bb, position + at);
                        if (r < 0) {
                            p.endOfStream = true;
                            break;
                        }
                        if (r > 0) {
                            dirty.setDirtyRange(s, addr + at, r, writeClients);   // after the bytes are stored, as write() does
                            p.stored += r;
                        }
                    }
                }
            });
        }
        return p.stored;
    }

    private static void checkChannel(java.nio.channels.Channel ch, long length) {
        Objects.requireNonNull(ch, "channel");
        Validate.isTrue(length >= 0, "length %d is negative", length);
        if (ch instanceof SelectableChannel sc && !sc.isBlocking()) {
            throw new IllegalArgumentException("channel " + ch + " is in non-blocking mode; guest memory transfers need a blocking channel");
        }
    }

    private interface Chunk<X extends Exception> {
        void apply(RamBlock block, long offsetInBlock, long done, long length) throws X;
    }

    /**
     * Splits {@code [addr, addr + length)} at block boundaries. The whole range is resolved first, so a
     * range that runs into a hole or past a used length fails before any byte is touched.
     */
    private <X extends Exception> void forEachChunk(long addr, long length, Chunk<X> op) throws X {
        for (int pass = 0; pass < 2; pass++) {
            long done = 0;
            while (done < length) {
                RamBlock b = block(addr + done, 1);
                long in = addr + done - b.offset();
                long n = Math.min(length - done, b.usedLength() - in);
                if (pass == 1) {
                    op.apply(b, in, done, n);
                }
                done += n;
            }
        }
    }

    /**
     * A zero-copy view of {@code [addr, addr + length)}, which must lie inside one block's used part.
     * The view lives as long as the block: after the block is freed and reclaimed, access throws
     * {@link IllegalStateException}. Writes through the view are not dirty-tracked: call
     * {@link #markDirty} for them.
     */
    public MemorySegment view(long addr, long length) {
        Validate.isTrue(length > 0, "length %d must be positive", length);
        try (ReadSection s = rcu.read()) {
            RamBlock b = block(addr, length);
            return b.segment().asSlice(addr - b.offset(), length);
        }
    }

    /** Marks {@code [addr, addr + length)} dirty for this facade's clients (after writes through a view). */
    public void markDirty(long addr, long length) {
        try (ReadSection s = rcu.read()) {
            block(addr, length);
            dirty.setDirtyRange(s, addr, length, writeClients);
        }
    }

    /**
     * Host address of the aligned {@code size}-byte word at {@code addr} inside its block's used part, for the
     * ordered accessors (valid until the caller's section ends); throws naming the address and the rule otherwise.
     */
    private long wordHost(long addr, int size) {
        if (!NATIVE_LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("ordered guest-memory accessors store the host's native byte order, and this host is "
                    + ByteOrder.nativeOrder() + " while guest memory is little-endian");
        }
        if ((addr & (size - 1)) != 0) {
            throw new IllegalArgumentException(String.format("RAM address 0x%x is not aligned for an ordered %d-byte access (it must be a multiple of %d)",
                    addr, size, size));
        }
        return host(addr, size);
    }

    /** Host address of {@code [addr, addr + len)} (checked as {@link #block}); valid until the caller's section ends. */
    private long host(long addr, long len) {
        RamBlock b = block(addr, len);
        return b.hostAddress() + (addr - b.offset());
    }

    /** The block holding {@code [addr, addr + len)} inside its used part; throws naming the address otherwise. */
    private RamBlock block(long addr, long len) {
        Validate.isTrue(addr >= 0, "RAM address %d is negative", addr);
        RamBlock b = list.lookup(addr);
        long in = addr - b.offset();
        long used = b.usedLength();
        if (in + len > used || in + len < 0) {
            throw new IllegalArgumentException(String.format("RAM range [0x%x, +%d) reaches past the used length %d of block '%s' (at 0x%x)",
                    addr, len, used, b.name(), b.offset()));
        }
        return b;
    }

    private static void checkRange(MemorySegment seg, long off, long length) {
        Objects.requireNonNull(seg, "segment");
        Validate.isTrue(length >= 0, "length %d is negative", length);
        Validate.isTrue(off >= 0 && off + length <= seg.byteSize() && off + length >= 0,
                "buffer range [%d, +%d) is outside the buffer of %d bytes", off, length, seg.byteSize());
    }
}
