package org.guestmem.nativeshim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.lang3.Validate;
import org.guestmem.bindings.gm_mapping;
import org.guestmem.bindings.guestmem_h;

/**
 * Guest RAM the way QEMU allocates it, through the C shim: {@code mmap} with lazy commit, 2 MiB
 * alignment, {@code madvise} hints, optionally shared through a memfd or backed by a file. Unlike
 * {@code Arena.allocate}, which zero-fills and so commits every page, mapping 1 GiB costs no memory
 * until pages are touched.
 *
 * <p>Each mapping's lifetime is its own shared {@link Arena}: {@link HostMapping#close()} closes the
 * arena and the cleanup action unmaps, so any access through a segment of a closed mapping throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 */
public final class HostMemory {
    /** Mapping options; the defaults of {@link #anonymous(long)} are QEMU's for anonymous RAM. */
    public enum Option {
        /** {@code MAP_NORESERVE}: no swap reservation. */
        NORESERVE,
        /** {@code MADV_HUGEPAGE} after mapping (a hint). */
        HUGEPAGE,
        /** {@code MADV_DONTFORK} after mapping, so a forked child does not share or copy guest RAM. */
        DONTFORK
    }

    /** QEMU's defaults for anonymous guest RAM. */
    public static final Set<Option> DEFAULT_OPTIONS = EnumSet.of(Option.NORESERVE, Option.HUGEPAGE, Option.DONTFORK);

    private static final long PAGE_SIZE;

    static {
        NativeShim.ensureLoaded();
        PAGE_SIZE = guestmem_h.gm_host_page_size();
    }

    private HostMemory() {}

    /** The host page size; every mapping size and file offset must be a multiple of it. */
    public static long hostPageSize() {
        return PAGE_SIZE;
    }

    /** Anonymous private RAM with {@link #DEFAULT_OPTIONS}. */
    public static HostMapping anonymous(long size) {
        return anonymous(size, DEFAULT_OPTIONS);
    }

    /** Anonymous private RAM, 2 MiB aligned, zero on first touch. */
    public static HostMapping anonymous(long size, Set<Option> options) {
        checkSize(size);
        int flags = flags(options);
        return map(size, out -> guestmem_h.gm_map_anonymous(size, flags, out), "anonymous mapping of " + size + " bytes");
    }

    /**
     * Shared RAM in a memfd: {@link HostMapping#fd()} can be handed to C code or another process,
     * which maps the same pages.
     */
    public static HostMapping memfd(String name, long size, Set<Option> options) {
        Validate.notBlank(name, "memfd name must not be blank");
        Validate.isTrue(name.length() <= 249, "memfd name '%s' is longer than 249 characters", name);
        checkSize(size);
        int flags = flags(options);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cname = tmp.allocateFrom(name);
            return map(size, out -> guestmem_h.gm_map_memfd(cname, size, flags, out), "memfd '" + name + "' of " + size + " bytes");
        }
    }

    /**
     * Maps {@code size} bytes of an existing file starting at {@code offset}. {@code shared} makes
     * writes reach the file ({@code MAP_SHARED}); otherwise they stay private to this mapping.
     */
    public static HostMapping file(Path path, long offset, long size, boolean shared, boolean readOnly) {
        Validate.notNull(path, "path must not be null");
        checkSize(size);
        Validate.isTrue(offset >= 0, "file offset %d is negative", offset);
        Validate.isTrue(offset % PAGE_SIZE == 0, "file offset %d is not a multiple of the host page size %d", offset, PAGE_SIZE);
        Validate.isTrue(Files.exists(path), "file %s does not exist", path);
        Validate.isTrue(!Files.isDirectory(path), "file %s is a directory", path);
        try {
            long length = Files.size(path);
            Validate.isTrue(offset + size <= length, "file %s is %d bytes long; offset %d + size %d reaches past its end", path, length, offset, size);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the size of file " + path + ": " + e.getMessage(), e);
        }
        int flags = (shared ? guestmem_h.GM_MAP_SHARED() : 0) | (readOnly ? guestmem_h.GM_MAP_READONLY() : 0);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cpath = tmp.allocateFrom(path.toAbsolutePath().toString());
            return map(size, out -> guestmem_h.gm_map_file(cpath, offset, size, flags, out), "file " + path + " [" + offset + ", +" + size + ")");
        }
    }

    private interface MapCall {
        int map(MemorySegment out);
    }

    private static HostMapping map(long size, MapCall call, String what) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = gm_mapping.allocate(tmp);
            int rc = call.map(out);
            if (rc < 0) {
                throw failure(rc, what);
            }
            return HostMapping.wrap(gm_mapping.addr(out), gm_mapping.size(out), gm_mapping.fd(out), gm_mapping.kind(out), gm_mapping.flags(out));
        }
    }

    private static RuntimeException failure(int rc, String what) {
        String msg = "cannot create " + what + ": " + Errno.name(rc);
        return switch (-rc) {
            case Errno.ENOSYS -> new UnsupportedOperationException(msg + ": the kernel lacks this call");
            case Errno.ENOMEM -> new IllegalStateException(msg + ": out of memory or address space");
            case Errno.EACCES, Errno.EPERM -> new IllegalArgumentException(msg + ": permission denied");
            default -> new IllegalArgumentException(msg);
        };
    }

    private static void checkSize(long size) {
        Validate.isTrue(size > 0, "size %d must be positive", size);
        Validate.isTrue(size % PAGE_SIZE == 0, "size %d is not a multiple of the host page size %d", size, PAGE_SIZE);
    }

    private static int flags(Set<Option> options) {
        Validate.notNull(options, "options must not be null");
        int f = 0;
        for (Option o : options) {
            f |= switch (o) {
                case NORESERVE -> guestmem_h.GM_MAP_NORESERVE();
                case HUGEPAGE -> guestmem_h.GM_MAP_HUGEPAGE();
                case DONTFORK -> guestmem_h.GM_MAP_DONTFORK();
            };
        }
        return f;
    }
}
