/* Guest RAM mappings the way QEMU makes them: lazily committed, 2 MiB aligned, optionally shared. */
#include "guestmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

GM_API int64_t gm_host_page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (int64_t)ps : -EINVAL;
}

static int check_size(uint64_t size)
{
    uint64_t ps = (uint64_t)gm_host_page_size();
    if (size == 0 || (size & (ps - 1)) != 0) {
        return -EINVAL;
    }
    if (size > (UINT64_MAX >> 2)) {
        return -ENOMEM;
    }
    return 0;
}

static void apply_hints(void *addr, uint64_t size, uint32_t flags)
{
    /* Hints only: a kernel without THP or DONTFORK keeps working, as QEMU's qemu_madvise does. */
#ifdef MADV_HUGEPAGE
    if (flags & GM_MAP_HUGEPAGE) {
        (void)madvise(addr, size, MADV_HUGEPAGE);
    }
#endif
#ifdef MADV_DONTFORK
    if (flags & GM_MAP_DONTFORK) {
        (void)madvise(addr, size, MADV_DONTFORK);
    }
#endif
}

/* Reserves size + GM_RAM_ALIGN of address space with no access, so that an aligned
 * window of size bytes exists inside it; returns the aligned start, trims the rest. */
static void *reserve_aligned(uint64_t size)
{
    uint64_t total = size + GM_RAM_ALIGN;
    uint8_t *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        return NULL;
    }
    uintptr_t start = ((uintptr_t)base + GM_RAM_ALIGN - 1) & ~(uintptr_t)(GM_RAM_ALIGN - 1);
    uint64_t head = start - (uintptr_t)base;
    uint64_t tail = total - head - size;
    if (head) {
        munmap(base, head);
    }
    if (tail) {
        munmap((uint8_t *)start + size, tail);
    }
    return (void *)start;
}

static int fill_out(gm_mapping *out, void *addr, uint64_t size, int fd, uint32_t kind, uint32_t flags)
{
    memset(out, 0, sizeof *out);
    out->addr = (uint64_t)(uintptr_t)addr;
    out->size = size;
    out->fd = fd;
    out->kind = kind;
    out->flags = flags;
    return 0;
}

GM_API int32_t gm_map_anonymous(uint64_t size, uint32_t flags, gm_mapping *out)
{
    int rc;
    if (out == NULL || (flags & ~GM_MAP_ALL) || (flags & (GM_MAP_SHARED | GM_MAP_READONLY))) {
        return -EINVAL;
    }
    if ((rc = check_size(size)) < 0) {
        return rc;
    }
    void *where = reserve_aligned(size);
    if (where == NULL) {
        return -errno;
    }
    int mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | ((flags & GM_MAP_NORESERVE) ? MAP_NORESERVE : 0);
    void *addr = mmap(where, size, PROT_READ | PROT_WRITE, mflags, -1, 0);
    if (addr == MAP_FAILED) {
        rc = -errno;
        munmap(where, size);
        return rc;
    }
    apply_hints(addr, size, flags);
    return fill_out(out, addr, size, -1, GM_KIND_ANONYMOUS, flags);
}

GM_API int32_t gm_map_memfd(const char *name, uint64_t size, uint32_t flags, gm_mapping *out)
{
    int rc;
    if (out == NULL || name == NULL || name[0] == '\0' || (flags & ~GM_MAP_ALL) || (flags & GM_MAP_READONLY)) {
        return -EINVAL;
    }
    if ((rc = check_size(size)) < 0) {
        return rc;
    }
#ifdef SYS_memfd_create
    int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
#else
    int fd = -1;
    errno = ENOSYS;
#endif
    if (fd < 0) {
        return -errno;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    void *where = reserve_aligned(size);
    if (where == NULL) {
        rc = -errno;
        close(fd);
        return rc;
    }
    int mflags = MAP_SHARED | MAP_FIXED | ((flags & GM_MAP_NORESERVE) ? MAP_NORESERVE : 0);
    void *addr = mmap(where, size, PROT_READ | PROT_WRITE, mflags, fd, 0);
    if (addr == MAP_FAILED) {
        rc = -errno;
        munmap(where, size);
        close(fd);
        return rc;
    }
    apply_hints(addr, size, flags & ~GM_MAP_SHARED);
    return fill_out(out, addr, size, fd, GM_KIND_MEMFD, flags | GM_MAP_SHARED);
}

GM_API int32_t gm_map_file(const char *path, uint64_t offset, uint64_t size, uint32_t flags, gm_mapping *out)
{
    int rc;
    struct stat st;
    if (out == NULL || path == NULL || path[0] == '\0' || (flags & ~GM_MAP_ALL)) {
        return -EINVAL;
    }
    if ((rc = check_size(size)) < 0) {
        return rc;
    }
    if (offset & ((uint64_t)gm_host_page_size() - 1)) {
        return -EINVAL;
    }
    int ro = (flags & GM_MAP_READONLY) != 0;
    int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < offset + size) {
        close(fd); /* mapping past EOF would SIGBUS on access: refuse it here */
        return -ERANGE;
    }
    int prot = PROT_READ | (ro ? 0 : PROT_WRITE);
    int mflags = ((flags & GM_MAP_SHARED) ? MAP_SHARED : MAP_PRIVATE) | ((flags & GM_MAP_NORESERVE) ? MAP_NORESERVE : 0);
    void *addr = mmap(NULL, size, prot, mflags, fd, (off_t)offset);
    if (addr == MAP_FAILED) {
        rc = -errno;
        close(fd);
        return rc;
    }
    apply_hints(addr, size, flags & GM_MAP_DONTFORK);
    return fill_out(out, addr, size, fd, GM_KIND_FILE, flags);
}

GM_API int32_t gm_unmap(gm_mapping *m)
{
    if (m == NULL || m->addr == 0 || m->size == 0) {
        return -EINVAL;
    }
    int rc = 0;
    if (munmap((void *)(uintptr_t)m->addr, m->size) < 0) {
        rc = -errno;
    }
    if (m->fd >= 0 && close(m->fd) < 0 && rc == 0) {
        rc = -errno;
    }
    memset(m, 0, sizeof *m);
    m->fd = -1;
    return rc;
}

GM_API int32_t gm_madvise(uint64_t addr, uint64_t len, int32_t advice)
{
    int a;
    switch (advice) {
#ifdef MADV_HUGEPAGE
    case GM_ADVICE_HUGEPAGE: a = MADV_HUGEPAGE; break;
#endif
#ifdef MADV_DONTFORK
    case GM_ADVICE_DONTFORK: a = MADV_DONTFORK; break;
#endif
    case GM_ADVICE_DONTNEED: a = MADV_DONTNEED; break;
    case GM_ADVICE_WILLNEED: a = MADV_WILLNEED; break;
    default: return -EINVAL;
    }
    if (addr == 0 || (addr & ((uint64_t)gm_host_page_size() - 1)) || len == 0) {
        return -EINVAL;
    }
    return madvise((void *)(uintptr_t)addr, len, a) < 0 ? -errno : 0;
}
