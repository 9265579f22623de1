package org.guestmem.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * The few libc calls the library makes itself, as FFM downcalls found through
 * {@link Linker#defaultLookup()}: no shim library is loaded for them. Each call returns what the C
 * function returns, or {@code -errno} when it failed; errno is read through
 * {@link Linker.Option#captureCallState(String...)}, because the JVM may clobber the thread's errno
 * between the call and any later read.
 *
 * <p>Pointers and {@code size_t} / {@code off_t} travel as {@code long} (LP64 on both supported
 * architectures); strings as segments. {@code memfd_create} and {@code membarrier} go through the
 * variadic {@code syscall(long, ...)} where libc has no wrapper; the numbers differ per architecture
 * ({@link #SYS_MEMBARRIER}, {@link #SYS_MEMFD_CREATE}).
 *
 * <p>Every downcall is a restricted method: the handles are made on first use of this class, and a JVM
 * that refuses native access gets {@link NativeAccess#denied(IllegalCallerException)}'s message with the
 * flag that fixes it.
 */
public final class Libc {
    // <sys/mman.h>, <fcntl.h>, <linux/memfd.h>: the same values on x86_64 and aarch64 Linux.
    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int MADV_WILLNEED = 3, MADV_DONTNEED = 4, MADV_DONTFORK = 10, MADV_HUGEPAGE = 14;
    public static final int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;
    public static final int MFD_CLOEXEC = 1;

    /** The machine, as the kernel's syscall table knows it. */
    public static final String ARCH = arch(System.getProperty("os.arch", ""));
    /** {@code __NR_membarrier}: 324 on x86_64 (asm/unistd_64.h), 283 on aarch64 (asm-generic/unistd.h). */
    public static final long SYS_MEMBARRIER = ARCH.equals("x86_64") ? 324 : ARCH.equals("aarch64") ? 283 : -1;
    /** {@code __NR_memfd_create}: 319 on x86_64, 279 on aarch64. */
    public static final long SYS_MEMFD_CREATE = ARCH.equals("x86_64") ? 319 : ARCH.equals("aarch64") ? 279 : -1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final MethodHandle MMAP, MUNMAP, MADVISE, OPEN, CLOSE, FTRUNCATE, SYSCALL3, GETPAGESIZE;
    /** {@code memfd_create(3)} where libc has it (glibc 2.27+), else empty and {@link #memfdCreate} uses syscall. */
    private static final Optional<MethodHandle> MEMFD_CREATE;

    static {
        NativeAccess.warnIfDisabled(Libc.class.getModule());
        try {
            MMAP = errnoHandle("mmap", FunctionDescriptor.of(L, L, L, I, I, I, L));
            MUNMAP = errnoHandle("munmap", FunctionDescriptor.of(I, L, L));
            MADVISE = errnoHandle("madvise", FunctionDescriptor.of(I, L, L, I));
            // open(const char *, int, ...): the mode is the one variadic argument (an int is already promoted).
            OPEN = errnoHandle("open", FunctionDescriptor.of(I, ValueLayout.ADDRESS, I, I), Linker.Option.firstVariadicArg(2));
            CLOSE = errnoHandle("close", FunctionDescriptor.of(I, I));
            FTRUNCATE = errnoHandle("ftruncate", FunctionDescriptor.of(I, I, L));
            // syscall(long number, ...): every argument after the number is variadic, passed as a long.
            SYSCALL3 = errnoHandle("syscall", FunctionDescriptor.of(L, L, L, L, L), Linker.Option.firstVariadicArg(1));
            GETPAGESIZE = LINKER.downcallHandle(find("getpagesize"), FunctionDescriptor.of(I));
            MEMFD_CREATE = LIBC.find("memfd_create").map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(I, ValueLayout.ADDRESS, I), ERRNO_OPTION));
        } catch (IllegalCallerException e) {
            throw NativeAccess.denied(e);
        }
    }

    private Libc() {}

    /** The host page size ({@code getpagesize()}). */
    public static long pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw unexpected("getpagesize", t);
        }
    }

    /** {@code mmap}: the address, or {@code -errno}. A mapping's address is never negative in user space on these ABIs. */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            long r = (long) MMAP.invokeExact(state, addr, length, prot, flags, fd, offset);
            return r == -1 ? -errno(state) : r;   // MAP_FAILED is (void *) -1, not 0
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
    }

    /** {@code munmap}: 0 or {@code -errno}. */
    public static int munmap(long addr, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) MUNMAP.invokeExact(state, addr, length);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw unexpected("munmap", t);
        }
    }

    /** {@code madvise}: 0 or {@code -errno}. */
    public static int madvise(long addr, long length, int advice) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) MADVISE.invokeExact(state, addr, length, advice);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw unexpected("madvise", t);
        }
    }

    /** {@code open(path, flags, 0)}: the descriptor or {@code -errno}. */
    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) OPEN.invokeExact(state, a.allocateFrom(path), flags, 0);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
    }

    /** {@code close}: 0 or {@code -errno}. */
    public static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(state, fd);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    /** {@code ftruncate}: 0 or {@code -errno}. */
    public static int ftruncate(int fd, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) FTRUNCATE.invokeExact(state, fd, length);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw unexpected("ftruncate", t);
        }
    }

    /** {@code memfd_create(name, flags)}: the descriptor or {@code -errno}; the libc wrapper if present, else the syscall. */
    public static int memfdCreate(String name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment cname = a.allocateFrom(name);
            if (MEMFD_CREATE.isPresent()) {
                int r = (int) MEMFD_CREATE.get().invokeExact(state, cname, flags);
                return r < 0 ? -errno(state) : r;
            }
            if (SYS_MEMFD_CREATE < 0) {
                return -Errno.ENOSYS;
            }
            long r = (long) SYSCALL3.invokeExact(state, SYS_MEMFD_CREATE, cname.address(), (long) flags, 0L);
            return r < 0 ? -errno(state) : (int) r;
        } catch (Throwable t) {
            throw unexpected("memfd_create", t);
        }
    }

    /**
     * {@code membarrier(cmd, flags, 0)} through {@code syscall} (glibc has no wrapper): the kernel's
     * non-negative result or {@code -errno}; {@code -ENOSYS} on an architecture this class has no number for.
     */
    public static int membarrier(int cmd, int flags) {
        if (SYS_MEMBARRIER < 0) {
            return -Errno.ENOSYS;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            long r = (long) SYSCALL3.invokeExact(state, SYS_MEMBARRIER, (long) cmd, (long) flags, 0L);
            return r < 0 ? -errno(state) : (int) r;
        } catch (Throwable t) {
            throw unexpected("membarrier", t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MethodHandle errnoHandle(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(find(name), fd, options);
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
                "libc has no '" + name + "' (guestmem needs a Linux libc on x86_64 or aarch64; os.arch is " + ARCH + ")"));
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall to " + call + " failed: " + t, t);
    }

    static String arch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch;
        };
    }
}
