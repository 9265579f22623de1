/*
 * C twin of bench/.../GuestMemoryBench: what GuestMemory.writeLong / readLong do, written as a C device
 * model would: inside a liburcu memb read section (when liburcu is installed, to match the Java
 * MEMBARRIER flavor), gm_ram_translate through a block table in the library's layout, the 8-byte access,
 * and for the write the dirty mark of the page for each of the three dirty clients (an atomic OR per
 * client bitmap, as DirtyMemory's one-page case and QEMU's bitmap_set_atomic do). One section per call.
 * Same block size and address pattern as the Java benchmark: 8-byte accesses 64 bytes apart walking a
 * 256 KiB window of a 64 MiB block (a quarter of a 1 MiB L2: a window the size of L2 made both sides swing
 * up to 1.8x between runs with where the pages landed physically).
 */
#ifdef GM_GUEST_URCU
#define _LGPL_SOURCE
#define RCU_MEMBARRIER
#include <urcu.h>
#define GM_READ_LOCK() rcu_read_lock()
#define GM_READ_UNLOCK() rcu_read_unlock()
#define GM_IMPL "c-twin+liburcu-memb"
#else
#define GM_READ_LOCK() ((void)0)
#define GM_READ_UNLOCK() ((void)0)
#define GM_IMPL "c-twin"
#endif

#include "bench_common.h"
#include "guestmem.h"

#include <sys/mman.h>

#define BLOCK_BYTES (64ULL << 20)
#define WINDOW_MASK ((1ULL << 18) - 1)
#define PAGE_SHIFT 12
#define CLIENTS 3
#define BATCH 1024

static gm_ram_root root;
static uint64_t *bitmaps[CLIENTS];
static volatile uint64_t sink;

/* GuestMemory.writeLong: section, translate, store, dirty mark of every client. */
static inline void write_long(uint64_t addr, uint64_t v)
{
    GM_READ_LOCK();
    uint64_t host;
    if (gm_ram_translate(&root, addr, 8, &host) != 0) {
        abort();
    }
    memcpy((void *)(uintptr_t)host, &v, 8);    /* little-endian, unaligned allowed: as the Java layout */
    uint64_t page = addr >> PAGE_SHIFT;
    for (int c = 0; c < CLIENTS; c++) {
        __atomic_fetch_or(&bitmaps[c][page >> 6], 1ULL << (page & 63), __ATOMIC_SEQ_CST);
    }
    GM_READ_UNLOCK();
}

/* GuestMemory.readLong: section, translate, load. */
static inline uint64_t read_long(uint64_t addr)
{
    GM_READ_LOCK();
    uint64_t host, v;
    if (gm_ram_translate(&root, addr, 8, &host) != 0) {
        abort();
    }
    memcpy(&v, (const void *)(uintptr_t)host, 8);
    GM_READ_UNLOCK();
    return v;
}

struct state {
    uint64_t i;
};

static void write_body(void *p)
{
    struct state *s = p;
    for (int k = 0; k < BATCH; k++) {
        uint64_t addr = (s->i++ << 6) & WINDOW_MASK;
        write_long(addr, s->i);
    }
}

static void read_body(void *p)
{
    struct state *s = p;
    uint64_t acc = 0;
    for (int k = 0; k < BATCH; k++) {
        uint64_t addr = (s->i++ << 6) & WINDOW_MASK;
        acc += read_long(addr);
    }
    sink += acc;
}

int main(int argc, char **argv)
{
    gm_parse_args(argc, argv);
    void *mem = mmap(NULL, BLOCK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(mem, 0, WINDOW_MASK + 1);     /* the window is touched, as the Java block is after warm-up */
    struct {
        gm_block_table h;
        gm_block_entry e[1];
    } *table = aligned_alloc(64, 64);
    memset(table, 0, 64);
    table->h.version = 1;
    table->h.count = 1;
    table->e[0].offset = 0;
    table->e[0].used_length = BLOCK_BYTES;
    table->e[0].max_length = BLOCK_BYTES;
    table->e[0].host = (uint64_t)(uintptr_t)mem;
    __atomic_store_n(&root.table, (uint64_t)(uintptr_t)table, __ATOMIC_RELEASE);
    for (int c = 0; c < CLIENTS; c++) {
        size_t words = (BLOCK_BYTES >> PAGE_SHIFT) / 64;
        bitmaps[c] = aligned_alloc(64, words * 8);
        memset(bitmaps[c], 0, words * 8);
    }
#ifdef GM_GUEST_URCU
    rcu_register_thread();
#endif
    struct state s = { 0 };
    gm_emit("guest_memory", "write_long", GM_IMPL, 1, 0, gm_measure(write_body, &s, BATCH));
    s.i = 0;
    gm_emit("guest_memory", "read_long", GM_IMPL, 1, 0, gm_measure(read_body, &s, BATCH));
#ifdef GM_GUEST_URCU
    rcu_unregister_thread();
#endif
    return 0;
}
