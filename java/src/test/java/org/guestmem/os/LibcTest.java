package org.guestmem.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The libc downcalls return what the kernel says, and errno arrives through the captured call state. */
class LibcTest {
    @Test
    void errnoIsCapturedForEachCall() {
        assertEquals(-Errno.EINVAL, Libc.munmap(1, Libc.pageSize()), "munmap of an unaligned address is EINVAL");
        assertEquals(-Errno.EBADF, Libc.close(-1), "close(-1) is EBADF");
        assertEquals(-Errno.ENOENT, Libc.open("/nonexistent-guestmem-path/x", Libc.O_RDONLY | Libc.O_CLOEXEC));
    }

    @Test
    void membarrierQueryAndMemfdWork() {
        int mask = Libc.membarrier(0, 0);
        assertTrue(mask >= 0 || mask == -Errno.ENOSYS || mask == -Errno.EPERM, "MEMBARRIER_CMD_QUERY gave " + mask);
        int fd = Libc.memfdCreate("guestmem-libc-test", Libc.MFD_CLOEXEC);
        assertTrue(fd >= 0, "memfd_create gave " + fd);
        assertEquals(0, Libc.ftruncate(fd, Libc.pageSize()));
        long addr = Libc.mmap(0, Libc.pageSize(), Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        assertTrue(addr > 0, "mmap of the memfd gave " + addr);
        assertEquals(0, Libc.munmap(addr, Libc.pageSize()));
        assertEquals(0, Libc.close(fd));
    }

    @Test
    void archNamesFollowTheKernel() {
        assertEquals("x86_64", Libc.arch("amd64"));
        assertEquals("aarch64", Libc.arch("arm64"));
        assertEquals("riscv64", Libc.arch("riscv64"));
    }
}
