/*
 * Dirty marking from C (gm_dirty_set_range, gm_dirty_test, gm_ram_write, gm_writers_*), in C only so that
 * ThreadSanitizer watches all of it.
 *
 * Part 1: the bit layout and the errors, on a hand-built root (DirtyBitmapDescriptor's layout).
 * Part 2: a live migration in miniature. C writer threads (gm_writers_start) join an RCU domain, write
 * guest RAM and mark what they write, while this thread plays the Java side: it migrates (takes the
 * migration client's words, DT-2, and copies each taken page to a destination buffer), hot-plugs blocks
 * and grows the bitmaps (a bigger chunk table release-published into the root, DG-2, the old one freed
 * after a grace period, DG-4), and at each switch-over parks the writers, takes the rest and compares
 * destination with source byte for byte. The fixed run must lose nothing. The broken run (writers that
 * do not mark) must lose bytes, which shows the comparison bites.
 */
#include "guestmem.h"
#include "tap.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE_SHIFT 12
#define PAGE (1u << PAGE_SHIFT)
#define CHUNK_PAGES 64u                 /* small chunks: growth and chunk crossings happen often */
#define BLOCK_SIZE (32u * PAGE)         /* two blocks per chunk */
#define MAX_BLOCKS 12
#define MAX_CHUNKS ((MAX_BLOCKS * BLOCK_SIZE / PAGE + CHUNK_PAGES - 1) / CHUNK_PAGES)
#define SLOTS 8
#define CHUNK_BYTES ((CHUNK_PAGES / 8 + 63) / 64 * 64)   /* a multiple of the alignment, for aligned_alloc */

/* ------------------------------------------------------------------ the bitmaps, as Java builds them */

static uint64_t *chunk_mem[GM_DIRTY_CLIENTS][MAX_CHUNKS];   /* chunks never move */
static uint64_t nchunks;
static gm_dirty_root droot;

static gm_dirty_table *new_table(int client, uint64_t count)
{
    gm_dirty_table *t = calloc(1, sizeof *t + count * sizeof(uint64_t));
    t->chunk_count = count;
    t->chunk_pages = CHUNK_PAGES;
    t->page_shift = PAGE_SHIFT;
    uint64_t *addr = (uint64_t *)(t + 1);
    for (uint64_t i = 0; i < count; i++) {
        addr[i] = (uint64_t)(uintptr_t)chunk_mem[client][i];
    }
    return t;
}

/* DG-1, DG-2: new chunks and bigger tables, release-published; returns the old tables for DG-4. */
static void grow_to(uint64_t count, gm_dirty_table *old[GM_DIRTY_CLIENTS])
{
    for (int c = 0; c < GM_DIRTY_CLIENTS; c++) {
        for (uint64_t i = nchunks; i < count; i++) {
            chunk_mem[c][i] = aligned_alloc(64, CHUNK_BYTES);
            memset(chunk_mem[c][i], 0, CHUNK_BYTES);
        }
        gm_dirty_table *t = new_table(c, count);
        /* DG-2: release; pairs with the acquire of the root entry in gm_dirty_* (DR-1). */
        old[c] = (gm_dirty_table *)(uintptr_t)__atomic_exchange_n(&droot.table[c], (uint64_t)(uintptr_t)t, __ATOMIC_RELEASE);
    }
    nchunks = count;
}

static void free_bitmaps(void)
{
    for (int c = 0; c < GM_DIRTY_CLIENTS; c++) {
        free((void *)(uintptr_t)droot.table[c]);
        droot.table[c] = 0;
        for (uint64_t i = 0; i < nchunks; i++) {
            free(chunk_mem[c][i]);
        }
    }
    nchunks = 0;
}

static uint64_t word_of(int client, uint64_t page)
{
    return __atomic_load_n(&chunk_mem[client][page / CHUNK_PAGES][(page % CHUNK_PAGES) / 64], __ATOMIC_RELAXED);
}

static int bit_of(int client, uint64_t page)
{
    return (int)(word_of(client, page) >> (page % 64) & 1);
}

/* ------------------------------------------------------------------ part 1: layout and errors */

static void layout_and_errors(void)
{
    gm_dirty_table *old[GM_DIRTY_CLIENTS];
    grow_to(2, old);
    for (int c = 0; c < GM_DIRTY_CLIENTS; c++) {
        free(old[c]);
    }
    ok(gm_dirty_set_range(&droot, 5 * PAGE + 17, 1, GM_DIRTY_MASK_MIGRATION) == 0 && bit_of(GM_DIRTY_MIGRATION, 5)
       && word_of(GM_DIRTY_MIGRATION, 0) == 1u << 5 && word_of(GM_DIRTY_VGA, 0) == 0,
       "one byte marks bit 5 of word 0 of chunk 0, for the migration client only");
    ok(gm_dirty_test(&droot, 5 * PAGE, PAGE, GM_DIRTY_MIGRATION) == 1 && gm_dirty_test(&droot, 6 * PAGE, 10 * PAGE, GM_DIRTY_MIGRATION) == 0
       && gm_dirty_test(&droot, 5 * PAGE, 1, GM_DIRTY_VGA) == 0, "gm_dirty_test sees that bit and no other");
    ok(gm_dirty_set_range(&droot, 10 * PAGE + 7, 3 * PAGE, GM_DIRTY_MASK_MIGRATION) == 0
       && word_of(GM_DIRTY_MIGRATION, 0) == ((1ULL << 5) | (0xfULL << 10)) && word_of(GM_DIRTY_VGA, 0) == 0,
       "pages 10..13 in one word (one RMW): bits 10..13 added to bit 5, migration only");
    ok(gm_dirty_set_range(&droot, 20 * PAGE, 2 * PAGE, GM_DIRTY_MASK_VGA | GM_DIRTY_MASK_CODE) == 0
       && word_of(GM_DIRTY_VGA, 0) == 0x3ULL << 20 && word_of(GM_DIRTY_CODE, 0) == 0x3ULL << 20
       && word_of(GM_DIRTY_MIGRATION, 0) == ((1ULL << 5) | (0xfULL << 10)),
       "pages 20..21 for two clients: bits 20..21 of each, the third client untouched");
    /* pages 60..70: the end of chunk 0 (bits 60..63 of its word 0) and the start of chunk 1 (bits 0..6) */
    ok(gm_dirty_set_range(&droot, 60 * PAGE + 100, 10 * PAGE, GM_DIRTY_MASK_NOCODE) == 0, "a range across two chunks");
    int all = 1;
    for (uint64_t p = 60; p <= 70; p++) {
        all &= bit_of(GM_DIRTY_VGA, p) & bit_of(GM_DIRTY_MIGRATION, p) & !bit_of(GM_DIRTY_CODE, p);
    }
    ok(all && !bit_of(GM_DIRTY_VGA, 59) && !bit_of(GM_DIRTY_VGA, 71) && chunk_mem[GM_DIRTY_VGA][1][0] == 0x7f,
       "pages 60..70 of VGA and MIGRATION, not CODE, nothing outside (chunk 1 word 0 = 0x7f)");
    ok(gm_dirty_set_range(&droot, 0, 128 * PAGE, GM_DIRTY_MASK_CODE) == 0 && word_of(GM_DIRTY_CODE, 0) == ~0ULL
       && word_of(GM_DIRTY_CODE, 64) == ~0ULL, "whole words: all of both chunks");
    ok(gm_dirty_mark_page(&droot, 90 * PAGE + 5, GM_DIRTY_MASK_VGA | GM_DIRTY_MASK_MIGRATION) == 0 && bit_of(GM_DIRTY_VGA, 90)
       && bit_of(GM_DIRTY_MIGRATION, 90) && !bit_of(GM_DIRTY_VGA, 89) && !bit_of(GM_DIRTY_VGA, 91)
       && gm_dirty_mark_page(&droot, 128 * PAGE, GM_DIRTY_MASK_VGA) == -ERANGE && gm_dirty_mark_page(&droot, 0, 0x8) == -EINVAL
       && gm_dirty_mark_page(NULL, 0, 1) == -EINVAL, "gm_dirty_mark_page (inline): page 90 of VGA and MIGRATION; its errors are the library's");
    ok(gm_dirty_set_range(&droot, 0, 0, GM_DIRTY_MASK_ALL) == 0 && gm_dirty_test(&droot, 0, 0, GM_DIRTY_CODE) == 0,
       "an empty range marks nothing and is clean");
    ok(gm_dirty_set_range(&droot, 127 * PAGE, PAGE + 1, GM_DIRTY_MASK_VGA) == -ERANGE
       && gm_dirty_set_range(&droot, 128 * PAGE, 1, GM_DIRTY_MASK_VGA | GM_DIRTY_MASK_CODE) == -ERANGE
       && gm_dirty_test(&droot, 128 * PAGE, 1, GM_DIRTY_VGA) == -ERANGE, "-ERANGE past the covered RAM");
    ok(gm_dirty_set_range(&droot, 0, 1, 0x8) == -EINVAL && gm_dirty_set_range(NULL, 0, 1, 1) == -EINVAL
       && gm_dirty_set_range(&droot, ~0ULL - 4, 8, 1) == -EINVAL && gm_dirty_test(&droot, 0, 1, 3) == -EINVAL
       && gm_dirty_test(&droot, 0, 1, -1) == -EINVAL, "-EINVAL: unknown mask bit, NULL root, overflow, unknown client");

    /* gm_ram_write: one block at RAM offset 100 pages (chunk 1, clean so far) */
#define BLK (100u * PAGE)
    uint8_t *host = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct { gm_block_table h; gm_block_entry e[1]; } t = {{1, 1, 0}, {{BLK, 8 * PAGE, 8 * PAGE, (uint64_t)(uintptr_t)host, GM_RAM_MIGRATABLE, 0}}};
    gm_ram_root ram = {(uint64_t)(uintptr_t)&t, 1};
    const char msg[] = "written from C";
    ok(gm_ram_write(&ram, &droot, BLK + 3 * PAGE - 4, msg, sizeof msg, GM_DIRTY_MASK_MIGRATION) == 0
       && memcmp(host + 3 * PAGE - 4, msg, sizeof msg) == 0 && bit_of(GM_DIRTY_MIGRATION, 102) && bit_of(GM_DIRTY_MIGRATION, 103)
       && !bit_of(GM_DIRTY_MIGRATION, 101) && !bit_of(GM_DIRTY_MIGRATION, 104),
       "gm_ram_write copies across a page boundary and marks both pages");
    ok(gm_ram_write(&ram, &droot, BLK + 8 * PAGE - 2, msg, 4, GM_DIRTY_MASK_MIGRATION) == -ERANGE
       && gm_ram_write(&ram, &droot, 0, msg, 4, GM_DIRTY_MASK_MIGRATION) == -EFAULT
       && gm_ram_write(&ram, &droot, BLK, msg, 4, 0x10) == -EINVAL
       && gm_ram_write(&ram, NULL, BLK, msg, 4, GM_DIRTY_MASK_VGA) == -EINVAL,
       "gm_ram_write refuses a range past the block, an address no block holds, a bad mask, a NULL dirty root");
    ok(gm_ram_write(&ram, NULL, BLK + 5 * PAGE, msg, 4, 0) == 0 && memcmp(host + 5 * PAGE, msg, 4) == 0
       && !bit_of(GM_DIRTY_MIGRATION, 105),
       "mask 0 writes without marking");
    munmap(host, 8 * PAGE);

    gm_dirty_root closed = {{0, 0, 0}};
    ok(gm_dirty_set_range(&closed, 0, 1, GM_DIRTY_MASK_VGA) == -ESHUTDOWN && gm_dirty_test(&closed, 0, 1, 0) == -ESHUTDOWN
       && gm_dirty_set_range(&closed, 0, 1, GM_DIRTY_MASK_ALL) == -ESHUTDOWN,
       "-ESHUTDOWN once the DirtyMemory is closed (root entries 0)");
    free_bitmaps();
}

/* ------------------------------------------------------------------ part 2: migration with C writers */

struct table_mem {
    gm_rcu_table_header h;
    gm_rcu_slot slots[SLOTS];
};

static struct table_mem *domain;
static gm_ram_root root;
static uint8_t *live[MAX_BLOCKS];   /* block i at RAM offset i * BLOCK_SIZE; never freed while writers run */
static int nlive;
static uint8_t *dest;               /* the destination's RAM, MAX_BLOCKS * BLOCK_SIZE */

#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wtsan"  /* the fences order store->load, which TSan does not model anyway */
#endif
/* The Java writer's synchronize (GP-1..GP-5 of RcuReaderTableDescriptor), for FENCE and QSBR. */
static void synchronize(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);                                        /* GP-1 */
    uint64_t gp = __atomic_load_n(&domain->h.gp_ctr, __ATOMIC_RELAXED) + GM_RCU_GP_STEP;
    __atomic_store_n(&domain->h.gp_ctr, gp, __ATOMIC_RELEASE);                      /* GP-2 */
    uint64_t limit = __atomic_load_n(&domain->h.slot_limit, __ATOMIC_SEQ_CST);
    for (;;) {
        int pending = 0;
        for (uint64_t i = 0; i < limit; i++) {                                      /* GP-3 */
            if (__atomic_load_n(&domain->slots[i].owner, __ATOMIC_ACQUIRE) == 0) {
                continue;
            }
            uint64_t c = __atomic_load_n(&domain->slots[i].ctr, __ATOMIC_ACQUIRE);
            if (c != 0 && c != gp) {
                pending++;
                __atomic_store_n(&domain->slots[i].waiting, 1, __ATOMIC_RELEASE);  /* GP-4 */
            }
        }
        if (!pending) {
            return;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);                                    /* GP-5 */
        sched_yield();
    }
}

/* Publishes a block table of the live blocks (W-1-1, W-1-2) and frees the old one after a grace period. */
static void publish_blocks(void)
{
    gm_block_table *t = calloc(1, sizeof *t + MAX_BLOCKS * sizeof(gm_block_entry));
    gm_block_entry *e = (gm_block_entry *)(t + 1);
    for (int i = 0; i < nlive; i++) {
        e[i] = (gm_block_entry){(uint64_t)i * BLOCK_SIZE, BLOCK_SIZE, BLOCK_SIZE, (uint64_t)(uintptr_t)live[i], GM_RAM_MIGRATABLE, 0};
    }
    t->count = (uint32_t)nlive;
    t->version = root.version + 1;
    void *old = (void *)(uintptr_t)__atomic_exchange_n(&root.table, (uint64_t)(uintptr_t)t, __ATOMIC_RELEASE);
    __atomic_store_n(&root.version, t->version, __ATOMIC_RELEASE);
    synchronize();
    free(old);
}

/* RamList.add: grow the bitmaps (DG-1..DG-4), mark the new block dirty, then publish it. */
static void hotplug(void)
{
    uint64_t pages = (uint64_t)(nlive + 1) * BLOCK_SIZE / PAGE;
    uint64_t need = (pages + CHUNK_PAGES - 1) / CHUNK_PAGES;
    if (need > nchunks) {
        gm_dirty_table *old[GM_DIRTY_CLIENTS];
        grow_to(need, old);
        synchronize();                                                              /* DG-4 */
        for (int c = 0; c < GM_DIRTY_CLIENTS; c++) {
            free(old[c]);
        }
    }
    live[nlive] = mmap(NULL, BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gm_dirty_set_range(&droot, (uint64_t)nlive * BLOCK_SIZE, BLOCK_SIZE, GM_DIRTY_MASK_ALL);
    nlive++;
    publish_blocks();
}

/* One pass of the saver: takes every dirty word of the migration client (DT-1, DT-2) and copies the pages. */
static uint64_t migrate_pass(void)
{
    uint64_t sent = 0;
    uint64_t ram_pages = (uint64_t)nlive * BLOCK_SIZE / PAGE;
    for (uint64_t w = 0; w * 64 < ram_pages; w++) {
        uint64_t *word = &chunk_mem[GM_DIRTY_MIGRATION][w * 64 / CHUNK_PAGES][(w * 64 % CHUNK_PAGES) / 64];
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0) {                          /* DT-1 */
            continue;
        }
        /* DT-2: seq_cst exchange; its acquire half pairs with the writers' DS-1: the page reads below see
         * every write made before its bit was set. */
        uint64_t taken = __atomic_exchange_n(word, 0, __ATOMIC_SEQ_CST);
        while (taken != 0) {
            uint64_t page = w * 64 + (uint64_t)__builtin_ctzll(taken);
            taken &= taken - 1;
            if (page >= ram_pages) {
                continue;
            }
            const uint64_t *src = (const uint64_t *)(live[page * PAGE / BLOCK_SIZE] + page * PAGE % BLOCK_SIZE);
            uint64_t *dst = (uint64_t *)(dest + page * PAGE);
            for (unsigned i = 0; i < PAGE / 8; i++) {
                dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);   /* guest RAM is written concurrently */
            }
            sent++;
        }
    }
    return sent;
}

struct run_result {
    uint64_t lost_bytes;      /* summed over every migration */
    uint64_t migrations, passes, hotplugs, sent;
    gm_writer_stats stats;
};

static void run(int flavor, uint32_t mask, uint32_t flags, double seconds_per_migration, int migrations, struct run_result *res)
{
    memset(res, 0, sizeof *res);
    domain = aligned_alloc(64, sizeof *domain);
    memset(domain, 0, sizeof *domain);
    domain->h.gp_ctr = GM_RCU_GP_INITIAL;
    domain->h.slot_count = SLOTS;
    domain->h.flavor = (uint64_t)flavor;
    __atomic_store_n(&domain->h.magic, GM_RCU_MAGIC, __ATOMIC_RELEASE);
    dest = calloc(MAX_BLOCKS, BLOCK_SIZE);
    nlive = 0;
    hotplug();
    hotplug();
    gm_writer_config cfg = {(uint64_t)(uintptr_t)domain, (uint64_t)(uintptr_t)&root, (uint64_t)(uintptr_t)&droot,
                            (uint64_t)(MAX_BLOCKS + 1) * BLOCK_SIZE, 3, 17, mask, flags, 0};
    uint64_t h;
    if (gm_writers_start(&cfg, &h) != 0) {
        ok(0, "gm_writers_start");
        return;
    }
    for (int m = 0; m < migrations; m++) {
        /* Setup: the whole RAM is dirty for migration (QEMU's bulk stage), the destination starts over. */
        gm_dirty_set_range(&droot, 0, (uint64_t)nlive * BLOCK_SIZE, GM_DIRTY_MASK_MIGRATION);
        memset(dest, 0, (size_t)MAX_BLOCKS * BLOCK_SIZE);
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int64_t w0 = gm_writers_written(h);
        for (;;) {
            res->sent += migrate_pass();
            res->passes++;
            if (nlive < MAX_BLOCKS && res->passes % 4 == 0) {
                hotplug();                      /* hot-plug and bitmap growth while the writers write */
                res->hotplugs++;
                /* a block added during the migration joins it (in RamList it would restart the pass) */
                gm_dirty_set_range(&droot, (uint64_t)(nlive - 1) * BLOCK_SIZE, BLOCK_SIZE, GM_DIRTY_MASK_MIGRATION);
            }
            clock_gettime(CLOCK_MONOTONIC, &now);
            double t = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
            /* Long enough, and the writers wrote much after the first pass (a loaded machine waits longer, up to 20 s). */
            if (t >= 20.0 || (t >= seconds_per_migration && res->passes >= 3 && gm_writers_written(h) - w0 > 20000)) {
                break;
            }
            sched_yield();
        }
        gm_writers_pause(h);                    /* stop the device: every write made so far is marked */
        res->sent += migrate_pass();            /* stop and copy */
        for (int i = 0; i < nlive; i++) {
            const uint8_t *s = live[i], *d = dest + (size_t)i * BLOCK_SIZE;
            for (unsigned b = 0; b < BLOCK_SIZE; b++) {
                res->lost_bytes += s[b] != d[b];
            }
        }
        res->migrations++;
        gm_writers_resume(h);
    }
    gm_writers_stop(h, &res->stats);
    for (int i = 0; i < nlive; i++) {
        munmap(live[i], BLOCK_SIZE);
    }
    free((void *)(uintptr_t)root.table);
    root.table = 0;
    free_bitmaps();
    free(dest);
    free(domain);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    layout_and_errors();

    int flavors[] = {GM_RCU_FLAVOR_FENCE, GM_RCU_FLAVOR_QSBR};
    const char *names[] = {"FENCE", "QSBR"};
    struct run_result r;
    for (int f = 0; f < 2; f++) {
        for (uint32_t flags = 0; flags <= GM_WRITERS_RAM_WRITE; flags++) {
#if defined(__SANITIZE_THREAD__)
            if (flags & GM_WRITERS_RAM_WRITE) {
                continue;   /* gm_ram_write copies with memcpy, which races with the pass's page reads by design */
            }
#endif
            run(flavors[f], GM_DIRTY_MASK_MIGRATION, flags, seconds, 3, &r);
            ok(r.lost_bytes == 0 && r.migrations == 3 && r.stats.written > 20000 && r.stats.marked == r.stats.written
               && r.stats.errors == 0 && r.hotplugs > 0,
               "%s%s: 3 migrations, %llu lost bytes; writers %llu written, %llu marked, %llu misses, %llu errors; "
               "%llu passes, %llu pages sent, %llu hot-plugs", names[f], flags ? " (gm_ram_write)" : "",
               (unsigned long long)r.lost_bytes, (unsigned long long)r.stats.written, (unsigned long long)r.stats.marked,
               (unsigned long long)r.stats.misses, (unsigned long long)r.stats.errors, (unsigned long long)r.passes,
               (unsigned long long)r.sent, (unsigned long long)r.hotplugs);
        }
    }
    run(GM_RCU_FLAVOR_FENCE, 0, 0, seconds, 3, &r);
    ok(r.lost_bytes > 0 && r.stats.marked == 0,
       "broken (writers do not mark): %llu lost bytes detected over 3 migrations (%llu writes)",
       (unsigned long long)r.lost_bytes, (unsigned long long)r.stats.written);
    return tap_done();
}
