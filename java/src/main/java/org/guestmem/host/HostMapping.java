package org.guestmem.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.apache.commons.lang3.Validate;
import org.guestmem.os.Errno;
import org.guestmem.os.Libc;

/**
 * One mapping made by {@link HostMemory}: a {@link MemorySegment} whose lifetime is a shared arena.
 * {@link #close()} closes the arena; its cleanup unmaps the memory and closes the descriptor. After
 * that every access through {@link #segment()} or a slice of it throws {@link IllegalStateException}.
 *
 * <p>Closing a shared arena costs tens of microseconds (a thread handshake) and fails while another
 * thread is inside a downcall that holds the segment: close only after readers are done (RamList
 * closes blocks in an RCU callback, after a grace period).
 */
public final class HostMapping implements AutoCloseable {
    /** What backs the memory. */
    public enum Kind { ANONYMOUS, MEMFD, FILE }

    private final Arena arena;
    private final MemorySegment segment;
    private final int fd;
    private final Kind kind;

    private HostMapping(Arena arena, MemorySegment segment, int fd, Kind kind) {
        this.arena = arena;
        this.segment = segment;
        this.fd = fd;
        this.kind = kind;
    }

    static HostMapping wrap(long addr, long size, int fd, Kind kind) {
        Arena arena = Arena.ofShared();
        // SAFETY: [addr, addr+size) was just mapped by HostMemory and is unmapped only by the cleanup,
        // which runs once, after the arena is closed and no thread can reach the segment any more.
        MemorySegment seg = MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> unmap(addr, size, fd));
        return new HostMapping(arena, seg, fd, kind);
    }

    private static void unmap(long addr, long size, int fd) {
        int rc = Libc.munmap(addr, size);
        if (rc < 0) {
            // A cleanup action must not throw; a failing munmap of our own mapping means a bug.
            System.err.println("guestmem: munmap of 0x" + Long.toHexString(addr) + " (" + size + " bytes) failed: " + Errno.name(rc));
        }
        if (fd >= 0 && (rc = Libc.close(fd)) < 0) {
            System.err.println("guestmem: close of descriptor " + fd + " failed: " + Errno.name(rc));
        }
    }

    /** The mapped bytes; throws {@link IllegalStateException} on access once closed. */
    public MemorySegment segment() {
        return segment;
    }

    /** Host virtual address of byte 0. */
    public long address() {
        return segment.address();
    }

    public long size() {
        return segment.byteSize();
    }

    /** The memfd or file descriptor (valid until {@link #close()}), or -1 for anonymous memory. */
    public int fd() {
        return fd;
    }

    public Kind kind() {
        return kind;
    }

    /** The arena that owns the segment, for slices that must share its lifetime. */
    public Arena arena() {
        return arena;
    }

    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /**
     * Gives pages back to the kernel ({@code MADV_DONTNEED}): anonymous private pages read as zero
     * afterwards, memfd and shared file pages are re-read from their backing.
     */
    public void discard(long offset, long length) {
        long ps = HostMemory.hostPageSize();
        Validate.isTrue(offset >= 0 && length > 0 && offset + length <= size() && offset + length > 0,
                "range [%d, +%d) is outside the mapping of %d bytes", offset, length, size());
        Validate.isTrue(offset % ps == 0 && length % ps == 0, "range [%d, +%d) is not page aligned (page size %d)", offset, length, ps);
        Validate.validState(isAlive(), "mapping at 0x%x is closed", address());
        int rc = Libc.madvise(address() + offset, length, Libc.MADV_DONTNEED);
        if (rc < 0) {
            throw new IllegalStateException("madvise(DONTNEED) on [" + offset + ", +" + length + ") failed: " + Errno.name(rc));
        }
    }

    /** Closes the arena (unmapping the memory); a second close throws {@link IllegalStateException}. */
    @Override
    public void close() {
        Validate.validState(isAlive(), "mapping at 0x%x (%d bytes) is already closed", address(), size());
        arena.close();
    }

    @Override
    public String toString() {
        return "HostMapping[" + kind + ", 0x" + Long.toHexString(address()) + ", " + size() + " bytes" + (fd >= 0 ? ", fd " + fd : "") + "]";
    }
}
