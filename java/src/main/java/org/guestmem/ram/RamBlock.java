package org.guestmem.ram;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import org.guestmem.host.HostMapping;

/**
 * One block of guest RAM (QEMU's RAMBlock): a name, a place {@code [offset, offset + maxLength)} in
 * the RAM-address space, and host memory of {@code maxLength} bytes of which {@code usedLength} are
 * valid. Created by {@link RamList#add}; after {@link RamList#free} its memory is unmapped once a grace
 * period has passed, and every access through {@link #segment()} throws {@link IllegalStateException}.
 */
public final class RamBlock {
    /** QEMU's RAM_* flags that guestmem models (values as in QEMU, for reports). */
    public enum Flag {
        SHARED(0x2), RESIZEABLE(0x4), MIGRATABLE(0x10), NORESERVE(0x80);

        public final int qemuValue;

        Flag(int v) {
            qemuValue = v;
        }
    }

    private static final VarHandle USED;
    private static final VarHandle REMOVED;

    static {
        try {
            USED = MethodHandles.lookup().findVarHandle(RamBlock.class, "usedLength", long.class);
            REMOVED = MethodHandles.lookup().findVarHandle(RamBlock.class, "removed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final long offset;
    private final long maxLength;
    private final long pageSize;
    private final Set<Flag> flags;
    private final HostMapping mapping;
    private final MemorySegment segment;
    /** {@code segment.address()}, kept as a plain long: the hot path reads it with no interface call on the segment. */
    private final long hostAddress;

    /**
     * Written by {@link RamList#resize} under the list mutex (release); read by anyone (acquire).
     * Pairs: setRelease in {@link #setUsedLength} with getAcquire in {@link #usedLength()}. Resize
     * does not bump the version (QEMU neither): the block stays where it is, only its valid part moves.
     */
    @SuppressWarnings("unused")
    private long usedLength;

    /**
     * Written once by {@link RamList#free} under the mutex (W-2-1, before {@code mruBlock} is cleared and
     * before the grace period of W-2-3 starts); read by lookups on an MRU hit (opaque). A reader whose
     * read section starts after that grace period sees it (RCU's guarantee), so a stale {@code mruBlock}
     * that a racing reader stored after the clear is recognised and skipped; see RamList#lookup.
     */
    @SuppressWarnings("unused")
    private boolean removed;

    RamBlock(RamBlockSpec spec, long offset, long pageSize, HostMapping mapping) {
        this.name = spec.name();
        this.offset = offset;
        this.maxLength = spec.maxLength();
        this.pageSize = pageSize;
        this.flags = spec.flags();
        this.mapping = mapping;
        this.segment = mapping.segment();
        this.hostAddress = segment.address();
        USED.setRelease(this, spec.usedLength());
    }

    public String name() {
        return name;
    }

    /** Start of this block in the RAM-address space. */
    public long offset() {
        return offset;
    }

    /** Bytes currently valid (and migrated). */
    public long usedLength() {
        return (long) USED.getAcquire(this);
    }

    void setUsedLength(long v) {
        USED.setRelease(this, v);
    }

    /** Bytes reserved; lookups resolve the whole {@code [offset, offset + maxLength)} like QEMU. */
    public long maxLength() {
        return maxLength;
    }

    /** Page size of the backing (host page size for anonymous memory). */
    public long pageSize() {
        return pageSize;
    }

    public Set<Flag> flags() {
        return flags;
    }

    public boolean isMigratable() {
        return flags.contains(Flag.MIGRATABLE);
    }

    public boolean isResizeable() {
        return flags.contains(Flag.RESIZEABLE);
    }

    public boolean isShared() {
        return flags.contains(Flag.SHARED);
    }

    /** The host memory, {@code maxLength} bytes; throws on access after the block is reclaimed. */
    public MemorySegment segment() {
        return segment;
    }

    /** Host virtual address of byte 0. */
    public long hostAddress() {
        return hostAddress;
    }

    /** The memfd or file descriptor, or -1 for anonymous memory. */
    public int fd() {
        return mapping.fd();
    }

    /** True once {@link RamList#free} unlinked this block. */
    public boolean isRemoved() {
        return (boolean) REMOVED.getOpaque(this);
    }

    void markRemoved() {
        REMOVED.setOpaque(this, true);
    }

    /** True until the block's memory has been unmapped (a grace period after free). */
    public boolean isMapped() {
        return mapping.isAlive();
    }

    HostMapping mapping() {
        return mapping;
    }

    boolean contains(long ramAddr) {
        // One unsigned compare checks offset <= addr < offset + maxLength (QEMU's trick).
        return Long.compareUnsigned(ramAddr - offset, maxLength) < 0;
    }

    @Override
    public String toString() {
        return "RamBlock[" + name + " @0x" + Long.toHexString(offset) + ", used " + usedLength() + "/" + maxLength + (isRemoved() ? ", removed" : "") + "]";
    }
}
