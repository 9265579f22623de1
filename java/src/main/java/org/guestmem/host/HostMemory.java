package org.guestmem.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.lang3.Validate;
import org.guestmem.os.Errno;
import org.guestmem.os.Libc;

/**
 * Guest RAM the way QEMU allocates it: {@code mmap} with lazy commit, 2 MiB alignment, {@code madvise}
 * hints, optionally shared through a memfd or backed by a file. The calls are FFM downcalls into libc
 * (no shim library is needed); they need native access ({@code --enable-native-access=org.guestmem} on
 * the module path, {@code =ALL-UNNAMED} on the class path). Unlike
 * {@code Arena.allocate}, which zero-fills and so commits every page, mapping 1 GiB costs no memory
 * until pages are touched.
 *
 * <p>Each mapping's lifetime is its own shared {@link java.lang.foreign.Arena}: {@link HostMapping#close()} closes the
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

    /** Alignment of anonymous and memfd mappings (QEMU's for guest RAM, so the kernel can back it with huge pages). */
    public static final long RAM_ALIGN = 2L * 1024 * 1024;

    private static final long PAGE_SIZE = Libc.pageSize();

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
        Set<Option> opts = copy(options);
        String what = "anonymous mapping of " + size + " bytes";
        long where = reserveAligned(size, what);
        long addr = Libc.mmap(where, size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_FIXED | noreserve(opts), -1, 0);
        if (addr < 0) {
            Libc.munmap(where, size);
            throw failure((int) addr, what);
        }
        hints(addr, size, opts);
        return HostMapping.wrap(addr, size, -1, HostMapping.Kind.ANONYMOUS);
    }

    /**
     * Shared RAM in a memfd: {@link HostMapping#fd()} can be handed to C code or another process,
     * which maps the same pages.
     */
    public static HostMapping memfd(String name, long size, Set<Option> options) {
        Validate.notBlank(name, "memfd name must not be blank");
        Validate.isTrue(name.length() <= 249, "memfd name '%s' is longer than 249 characters", name);
        checkSize(size);
        Set<Option> opts = copy(options);
        String what = "memfd '" + name + "' of " + size + " bytes";
        int fd = Libc.memfdCreate(name, Libc.MFD_CLOEXEC);
        if (fd < 0) {
            throw failure(fd, what);
        }
        int rc = Libc.ftruncate(fd, size);
        if (rc < 0) {
            Libc.close(fd);
            throw failure(rc, what);
        }
        long where;
        try {
            where = reserveAligned(size, what);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        long addr = Libc.mmap(where, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_FIXED | noreserve(opts), fd, 0);
        if (addr < 0) {
            Libc.munmap(where, size);
            Libc.close(fd);
            throw failure((int) addr, what);
        }
        hints(addr, size, opts);
        return HostMapping.wrap(addr, size, fd, HostMapping.Kind.MEMFD);
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
        String what = "file " + path + " [" + offset + ", +" + size + ")";
        int fd = Libc.open(path.toAbsolutePath().toString(), (readOnly ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw failure(fd, what);
        }
        int prot = Libc.PROT_READ | (readOnly ? 0 : Libc.PROT_WRITE);
        long addr = Libc.mmap(0, size, prot, shared ? Libc.MAP_SHARED : Libc.MAP_PRIVATE, fd, offset);
        if (addr < 0) {
            Libc.close(fd);
            throw failure((int) addr, what);
        }
        Libc.madvise(addr, size, Libc.MADV_DONTFORK);   // a hint, as for anonymous RAM; failure changes nothing
        return HostMapping.wrap(addr, size, fd, HostMapping.Kind.FILE);
    }

    /**
     * Reserves {@code size + RAM_ALIGN} bytes of address space with no access, keeps the
     * {@link #RAM_ALIGN}-aligned window of {@code size} bytes inside it and gives the rest back.
     * The caller maps over the window with {@code MAP_FIXED}.
     */
    private static long reserveAligned(long size, String what) {
        if (size > Long.MAX_VALUE / 4) {
            throw failure(-Errno.ENOMEM, what);
        }
        long total = size + RAM_ALIGN;
        long base = Libc.mmap(0, total, Libc.PROT_NONE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0);
        if (base < 0) {
            throw failure((int) base, what);
        }
        long start = (base + RAM_ALIGN - 1) & -RAM_ALIGN;
        long head = start - base;
        long tail = total - head - size;
        if (head > 0) {
            Libc.munmap(base, head);
        }
        if (tail > 0) {
            Libc.munmap(start + size, tail);
        }
        return start;
    }

    /** Hints only: a kernel without THP or DONTFORK keeps working, as QEMU's qemu_madvise does. */
    private static void hints(long addr, long size, Set<Option> options) {
        if (options.contains(Option.HUGEPAGE)) {
            Libc.madvise(addr, size, Libc.MADV_HUGEPAGE);
        }
        if (options.contains(Option.DONTFORK)) {
            Libc.madvise(addr, size, Libc.MADV_DONTFORK);
        }
    }

    private static int noreserve(Set<Option> options) {
        return options.contains(Option.NORESERVE) ? Libc.MAP_NORESERVE : 0;
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

    private static Set<Option> copy(Set<Option> options) {
        Validate.notNull(options, "options must not be null");
        return options.isEmpty() ? EnumSet.noneOf(Option.class) : EnumSet.copyOf(options);
    }
}
