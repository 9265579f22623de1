/* Guest RAM mappings: alignment, lazy commit, sharing through memfd, file backing, every error path. */
#include "guestmem.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2) {
            res = 0;
        }
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(void)
{
    gm_mapping m, m2;
    const uint64_t GiB = 1ull << 30, MiB = 1ull << 20;
    int64_t ps = gm_host_page_size();
    ok(ps >= 4096 && (ps & (ps - 1)) == 0, "host page size %lld is a power of two", (long long)ps);

    long before = rss_kib();
    ok(gm_map_anonymous(GiB, GM_MAP_NORESERVE | GM_MAP_HUGEPAGE | GM_MAP_DONTFORK, &m) == 0, "1 GiB anonymous NORESERVE");
    ok(m.addr % GM_RAM_ALIGN == 0, "anonymous RAM is 2 MiB aligned (0x%llx)", (unsigned long long)m.addr);
    ok(m.fd == -1 && m.kind == GM_KIND_ANONYMOUS && m.size == GiB, "anonymous mapping record");
    ok(rss_kib() - before < 8 * 1024, "mapping 1 GiB commits no memory (RSS +%ld KiB)", rss_kib() - before);
    uint8_t *p = (uint8_t *)(uintptr_t)m.addr;
    p[0] = 1; p[GiB - 1] = 2;
    ok(p[0] == 1 && p[GiB - 1] == 2 && p[GiB / 2] == 0, "first and last byte writable, untouched bytes read zero");
    ok(gm_madvise(m.addr, (uint64_t)ps, GM_ADVICE_DONTNEED) == 0 && p[0] == 0, "MADV_DONTNEED discards: byte reads zero again");
    ok(gm_madvise(m.addr, (uint64_t)ps, 99) == -EINVAL, "unknown advice gives -EINVAL");
    ok(gm_madvise(m.addr + 1, (uint64_t)ps, GM_ADVICE_WILLNEED) == -EINVAL, "unaligned madvise gives -EINVAL");
    ok(gm_unmap(&m) == 0 && m.addr == 0, "unmap clears the record");
    ok(gm_unmap(&m) == -EINVAL, "second unmap of the cleared record gives -EINVAL");

    ok(gm_map_anonymous(0, 0, &m) == -EINVAL, "size 0 gives -EINVAL");
    ok(gm_map_anonymous((uint64_t)ps + 1, 0, &m) == -EINVAL, "size not a page multiple gives -EINVAL");
    ok(gm_map_anonymous((uint64_t)ps, 0x80000000u, &m) == -EINVAL, "unknown flag gives -EINVAL");
    ok(gm_map_anonymous((uint64_t)ps, 0, NULL) == -EINVAL, "NULL out gives -EINVAL");
    ok(gm_map_anonymous(1ull << 62, GM_MAP_NORESERVE, &m) < 0, "absurd size fails with an errno, no abort");

    int rc = gm_map_memfd("gm-test", 4 * MiB, GM_MAP_NORESERVE, &m);
    ok(rc == 0 || rc == -ENOSYS, "memfd mapping (rc %d)", rc);
    if (rc == 0) {
        ok(m.fd >= 0 && m.kind == GM_KIND_MEMFD && m.addr % GM_RAM_ALIGN == 0, "memfd record: fd %d, aligned", m.fd);
        uint8_t *q = (uint8_t *)(uintptr_t)m.addr;
        memset(q + MiB, 0x5a, 4096);
        uint8_t *other = mmap(NULL, 4 * MiB, PROT_READ, MAP_SHARED, m.fd, 0);
        ok(other != MAP_FAILED && other[MiB] == 0x5a && other[MiB + 4095] == 0x5a, "a second mapping of the fd sees the bytes");
        if (other != MAP_FAILED) {
            munmap(other, 4 * MiB);
        }
        ok(gm_unmap(&m) == 0, "memfd unmap closes the fd");
    }
    ok(gm_map_memfd("", 4096, 0, &m) == -EINVAL, "empty memfd name gives -EINVAL");

    char path[] = "/tmp/gm-test-XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0 && ftruncate(fd, 2 * MiB) == 0, "scratch file of 2 MiB");
    ok(gm_map_file(path, 0, 2 * MiB, GM_MAP_SHARED, &m) == 0, "file mapping, shared");
    memcpy((uint8_t *)(uintptr_t)m.addr + 4096, "guestmem", 8);
    ok(gm_unmap(&m) == 0, "file unmap");
    char buf[8] = {0};
    ok(pread(fd, buf, 8, 4096) == 8 && memcmp(buf, "guestmem", 8) == 0, "shared file mapping wrote through to the file");
    ok(gm_map_file(path, 0, 4 * MiB, 0, &m) == -ERANGE, "mapping past EOF gives -ERANGE (no SIGBUS later)");
    ok(gm_map_file(path, 1, 4096, 0, &m) == -EINVAL, "unaligned file offset gives -EINVAL");
    ok(gm_map_file("/nonexistent/guestmem", 0, 4096, 0, &m) == -ENOENT, "missing file gives -ENOENT");
    ok(gm_map_file(path, 0, 4096, GM_MAP_READONLY, &m2) == 0 && gm_unmap(&m2) == 0, "read-only file mapping");
    close(fd);
    unlink(path);
    return tap_done();
}
