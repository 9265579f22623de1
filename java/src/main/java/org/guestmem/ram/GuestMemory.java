package org.guestmem.ram;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import org.apache.commons.lang3.Validate;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * What device models and tools touch: read and write guest RAM at a RAM address, with dirty marking on
 * write. Every call enters its own RCU read section (nesting inside the caller's, if any), so a block
 * being freed concurrently is either still fully usable or not found; never half-reclaimed.
 *
 * <p>Values are little-endian (the guest's order on x86). Accesses may cross block boundaries only where
 * the blocks are contiguous in the RAM-address space; the used length of each block bounds what is valid.
 */
public final class GuestMemory {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    /**
     * Every byte of the address space, global scope: a constant, so C2 keeps no check on an access through it.
     * The scalar accessors reach guest RAM through it at {@link #host}'s address: inside the read section a
     * block's memory cannot be unmapped (RamList frees it after a grace period) and {@link #block} has checked
     * the range against the used length, so the block segment's liveness and bounds checks (a shared arena's
     * state load per access) are redundant there.
     */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

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

    public int readInt(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(INT_LE, host(addr, 4));
        }
    }

    public void writeInt(long addr, int v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(INT_LE, host(addr, 4), v);
            dirty.setDirtyRange(s, addr, 4, writeClients);
        }
    }

    public long readLong(long addr) {
        try (ReadSection s = rcu.read()) {
            return ALL.get(LONG_LE, host(addr, 8));
        }
    }

    public void writeLong(long addr, long v) {
        try (ReadSection s = rcu.read()) {
            ALL.set(LONG_LE, host(addr, 8), v);
            dirty.setDirtyRange(s, addr, 8, writeClients);
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

    private interface Chunk {
        void apply(RamBlock block, long offsetInBlock, long done, long length);
    }

    /**
     * Splits {@code [addr, addr + length)} at block boundaries. The whole range is resolved first, so a
     * range that runs into a hole or past a used length fails before any byte is touched.
     */
    private void forEachChunk(long addr, long length, Chunk op) {
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
