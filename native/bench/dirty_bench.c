/*
 * C twin of bench/.../DirtySetRangeBench and DirtySnapshotBench: dirty tracking over 1 GiB of guest RAM in
 * 4 KiB pages, with the same layout (DirtyBitmapDescriptor: a root of one table address per client, a table
 * {chunk_count, chunk_pages, page_shift, chunk[]}, chunks of 64-bit words, bit n = word n >> 6, bit n & 63)
 * and the same steps (DS-1 fetch_or, DS-2 release store of ~0, DT-1 relaxed load, DT-2 exchange/fetch_and,
 * DR-1 acquire load of the table inside a read section). The read section mirrors the FENCE flavor of the
 * Java RCU (RL-1..RL-3, RU-1..RU-3 of RcuReaderTableDescriptor), with a thread-local nesting depth.
 *
 *   dirty_bench            quick run (0.3 s per case), one JSON object per line
 *   dirty_bench --full     2 s per case
 *   dirty_bench --check    QEMU's test-bitmap cases and a model check of these functions (TAP); exit 1 on failure
 *
 * Output: {"bench":"dirty","op":"set_dirty_range","pages":N,"section":"nested|outermost","ns_per_op":X,"best_ns_per_op":B}
 *         {"bench":"dirty","op":"snapshot_and_clear","dirty_percent":P,"ns_per_op":X,"best_ns_per_op":B}
 * X is the mean over the run, B the best ~10 ms window (set) or the best single call (snapshot).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLIENTS 3
#define CLIENTS_ALL 0x7u
#define CHUNK_PAGES (256ull * 1024 * 8) /* QEMU's DIRTY_MEMORY_BLOCK_SIZE */
#define TABLE_CHUNKS 3                  /* uint64 index of chunk[0] in a table */

/* ------------------------------------------------------------------ the read section (FENCE flavor) */

static uint64_t gp_ctr = 1;       /* the writer's grace-period counter; never advanced here */
static uint64_t reader_ctr;       /* this reader's slot CTR */
static uint64_t reader_waiting;   /* this reader's slot WAITING */
static __thread int depth;

static inline void rcu_read_lock(void)
{
    if (depth++ == 0) {
        uint64_t gp = __atomic_load_n(&gp_ctr, __ATOMIC_RELAXED);   /* RL-1 */
        __atomic_store_n(&reader_ctr, gp, __ATOMIC_RELAXED);        /* RL-2 */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);                    /* RL-3: pairs with GP-1 */
    }
}

static inline void rcu_read_unlock(void)
{
    if (--depth == 0) {
        __atomic_store_n(&reader_ctr, 0, __ATOMIC_RELEASE);         /* RU-1 */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);                    /* RU-2 */
        if (__atomic_load_n(&reader_waiting, __ATOMIC_ACQUIRE)) {   /* RU-3 */
            __atomic_store_n(&reader_waiting, 0, __ATOMIC_RELAXED);
        }
    }
}

/* ------------------------------------------------------------------ bitmap words (DS-, DT- steps) */

static inline void set_masked(uint64_t *w, uint64_t mask)
{
    if (mask == ~0ull) {
        __atomic_store_n(w, ~0ull, __ATOMIC_RELEASE);               /* DS-2; pairs with DT-2 */
    } else {
        __atomic_fetch_or(w, mask, __ATOMIC_SEQ_CST);               /* DS-1; pairs with DT-2 */
    }
}

/* Sets bits [from, to) of a chunk, from < to. */
static void bitmap_set_range(uint64_t *words, uint64_t from, uint64_t to)
{
    uint64_t w = from >> 6, last = (to - 1) >> 6;
    uint64_t first_mask = ~0ull << (from & 63), last_mask = ~0ull >> ((64 - (to & 63)) & 63);
    if (w == last) {
        set_masked(&words[w], first_mask & last_mask);
        return;
    }
    set_masked(&words[w], first_mask);
    for (uint64_t i = w + 1; i < last; i++) {
        __atomic_store_n(&words[i], ~0ull, __ATOMIC_RELEASE);       /* DS-2 */
    }
    set_masked(&words[last], last_mask);
}

static inline void or_into(uint64_t *dest, int64_t pos, uint64_t v)
{
    if (pos < 0) {
        dest[0] |= v >> -pos;
        return;
    }
    uint64_t d = (uint64_t)pos >> 6;
    unsigned sh = (unsigned)pos & 63;
    dest[d] |= v << sh;
    if (sh != 0 && (v >> (64 - sh)) != 0) {
        dest[d + 1] |= v >> (64 - sh);
    }
}

/* Takes bits [from, to) of a chunk into dest (bit from lands on dest bit dest_bit; dest may be NULL). */
static uint64_t bitmap_take(uint64_t *words, uint64_t from, uint64_t to, uint64_t *dest, int64_t dest_bit)
{
    uint64_t w = from >> 6, last = (to - 1) >> 6, n = 0;
    uint64_t first_mask = ~0ull << (from & 63), last_mask = ~0ull >> ((64 - (to & 63)) & 63);
    int64_t base = dest_bit - (int64_t)from;
    for (uint64_t i = w; i <= last; i++) {
        uint64_t m = (i == w ? first_mask : ~0ull) & (i == last ? last_mask : ~0ull);
        if ((__atomic_load_n(&words[i], __ATOMIC_RELAXED) & m) == 0) {  /* DT-1 */
            continue;
        }
        uint64_t taken = m == ~0ull ? __atomic_exchange_n(&words[i], 0, __ATOMIC_SEQ_CST)  /* DT-2 */
                                    : __atomic_fetch_and(&words[i], ~m, __ATOMIC_SEQ_CST) & m;
        n += (uint64_t)__builtin_popcountll(taken);
        if (dest && taken) {
            or_into(dest, base + (int64_t)(i << 6), taken);
        }
    }
    return n;
}

/* First bit in [from, to) that differs from clean (0: set bit, ~0: clear bit), or to. */
static uint64_t bitmap_find(const uint64_t *words, uint64_t from, uint64_t to, uint64_t clean)
{
    if (from >= to) {
        return to;
    }
    uint64_t w = from >> 6, last = (to - 1) >> 6;
    uint64_t first_mask = ~0ull << (from & 63), last_mask = ~0ull >> ((64 - (to & 63)) & 63);
    for (uint64_t i = w; i <= last; i++) {
        uint64_t m = (i == w ? first_mask : ~0ull) & (i == last ? last_mask : ~0ull);
        uint64_t v = (__atomic_load_n(&words[i], __ATOMIC_RELAXED) ^ clean) & m;   /* DT-3 */
        if (v) {
            return (i << 6) + (uint64_t)__builtin_ctzll(v);
        }
    }
    return to;
}

/* ------------------------------------------------------------------ DirtyMemory over the shared layout */

struct dirty_memory {
    uint64_t root[CLIENTS];   /* table addresses; release-stored by growth (DG-2), acquire-loaded (DR-1) */
    unsigned page_shift;
};

static void dirty_init(struct dirty_memory *dm, unsigned page_shift, uint64_t ram)
{
    uint64_t pages = (ram + (1ull << page_shift) - 1) >> page_shift;
    uint64_t chunks = (pages + CHUNK_PAGES - 1) / CHUNK_PAGES;
    dm->page_shift = page_shift;
    for (int c = 0; c < CLIENTS; c++) {
        uint64_t *table = calloc(TABLE_CHUNKS + chunks, sizeof *table);
        table[0] = chunks;
        table[1] = CHUNK_PAGES;
        table[2] = page_shift;
        for (uint64_t i = 0; i < chunks; i++) {
            uint64_t *chunk = aligned_alloc(4096, CHUNK_PAGES / 8);
            memset(chunk, 0, CHUNK_PAGES / 8);
            table[TABLE_CHUNKS + i] = (uint64_t)(uintptr_t)chunk;
        }
        __atomic_store_n(&dm->root[c], (uint64_t)(uintptr_t)table, __ATOMIC_RELEASE);   /* DG-2 */
    }
}

static inline uint64_t *chunk_of(const uint64_t *table, uint64_t chunk)
{
    return (uint64_t *)(uintptr_t)table[TABLE_CHUNKS + chunk];
}

/* Returns 0, or -1 for bad input (the Java twin throws). */
static int set_dirty_range(struct dirty_memory *dm, uint64_t addr, uint64_t len, unsigned mask)
{
    if (mask & ~CLIENTS_ALL || addr + len < addr) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    uint64_t first = addr >> dm->page_shift, last = (addr + len - 1) >> dm->page_shift;
    int rc = 0;
    rcu_read_lock();
    for (int c = 0; c < CLIENTS; c++) {
        if (!(mask & 1u << c)) {
            continue;
        }
        const uint64_t *table = (const uint64_t *)(uintptr_t)__atomic_load_n(&dm->root[c], __ATOMIC_ACQUIRE);  /* DR-1 */
        if (last >= table[0] * CHUNK_PAGES) {
            rc = -1;
            break;
        }
        if (first == last) {   /* one page: a guest store */
            uint64_t bit = first % CHUNK_PAGES;
            __atomic_fetch_or(&chunk_of(table, first / CHUNK_PAGES)[bit >> 6], 1ull << (bit & 63), __ATOMIC_SEQ_CST);  /* DS-1 */
            continue;
        }
        for (uint64_t p = first, end = last + 1; p < end;) {
            uint64_t chunk = p / CHUNK_PAGES, base = chunk * CHUNK_PAGES, to = end < base + CHUNK_PAGES ? end : base + CHUNK_PAGES;
            bitmap_set_range(chunk_of(table, chunk), p - base, to - base);
            p = to;
        }
    }
    rcu_read_unlock();
    return rc;
}

struct snapshot {
    uint64_t start, pages, count;
    uint64_t *words;
};

static int snapshot_and_clear(struct dirty_memory *dm, uint64_t addr, uint64_t len, int client, struct snapshot *s)
{
    if (addr + len < addr || client < 0 || client >= CLIENTS) {
        return -1;
    }
    uint64_t first = addr >> dm->page_shift;
    s->start = first << dm->page_shift;
    s->pages = len == 0 ? 0 : ((addr + len - 1) >> dm->page_shift) - first + 1;
    s->words = NULL;   /* NULL: no page was dirty */
    s->count = 0;
    if (len == 0) {
        return 0;
    }
    uint64_t end = first + s->pages;
    int rc = 0;
    rcu_read_lock();
    const uint64_t *table = (const uint64_t *)(uintptr_t)__atomic_load_n(&dm->root[client], __ATOMIC_ACQUIRE);  /* DR-1 */
    if (end > table[0] * CHUNK_PAGES) {
        rc = -1;
    } else {
        int any = 0;   /* DT-1 as a question first: a clean range allocates nothing */
        for (uint64_t p = first; p < end && !any;) {
            uint64_t chunk = p / CHUNK_PAGES, base = chunk * CHUNK_PAGES, to = end < base + CHUNK_PAGES ? end : base + CHUNK_PAGES;
            any = bitmap_find(chunk_of(table, chunk), p - base, to - base, 0) < to - base;
            p = to;
        }
        if (any) {
            s->words = calloc((s->pages + 63) / 64 + 1, sizeof(uint64_t));
        }
        for (uint64_t p = first; p < end && any;) {
            uint64_t chunk = p / CHUNK_PAGES, base = chunk * CHUNK_PAGES, to = end < base + CHUNK_PAGES ? end : base + CHUNK_PAGES;
            s->count += bitmap_take(chunk_of(table, chunk), p - base, to - base, s->words, (int64_t)(p - first));
            p = to;
        }
    }
    rcu_read_unlock();
    return rc;
}

/* ------------------------------------------------------------------ --check: QEMU's test-bitmap cases (TAP) */

static int tests, failures;

static void ok(int cond, const char *what, long a)
{
    tests++;
    failures += !cond;
    printf("%s %d - %s (%ld)\n", cond ? "ok" : "not ok", tests, what, a);
}

static int check(void)
{
    enum { SIZE = 1024, L = 64 };
    uint64_t map[SIZE / 64];
    for (int off = 0; off <= L; off++) {
        memset(map, 0, sizeof map);
        bitmap_set_range(map, L + off, L + off + 1);
        ok(bitmap_find(map, 0, 2 * L, 0) == (uint64_t)(L + off), "first set bit", off);
        ok(bitmap_find(map, L + off, 3 * L, ~0ull) == (uint64_t)(L + off + 1), "next zero bit", off);
    }
    bitmap_set_range(map, L, 3 * L);
    ok(map[1] == ~0ull && map[2] == ~0ull, "words 1 and 2 all ones", 0);
    ok(bitmap_find(map, 0, L, 0) == L, "nothing below L", 0);
    ok(bitmap_find(map, L, 3 * L, ~0ull) == 3 * L, "no zero in [L, 3L)", 0);
    for (int off = 0; off <= L; off++) {
        memset(map, 0, sizeof map);
        bitmap_set_range(map, L - off, 3 * L);
        ok(map[1] == ~0ull && map[2] == ~0ull, "words 1 and 2 all ones", off);
        ok(bitmap_find(map, 0, 3 * L, 0) == (uint64_t)(L - off), "first set bit", off);
        ok(bitmap_find(map, L - off, 3 * L, ~0ull) == 3 * L, "next zero bit", off);
    }
    for (int off = 0; off <= L; off++) {
        memset(map, 0, sizeof map);
        bitmap_set_range(map, L, 3 * L + off);
        ok(map[1] == ~0ull && map[2] == ~0ull, "words 1 and 2 all ones", off);
        ok(bitmap_find(map, 0, 3 * L + off, 0) == L, "first set bit", off);
        ok(bitmap_find(map, L, 3 * L + off, ~0ull) == (uint64_t)(3 * L + off), "next zero bit", off);
    }
    /* bitmap_copy_with_src_offset: bits 100..244 taken from bit 40 land at 60..204 */
    memset(map, 0, sizeof map);
    bitmap_set_range(map, 100, 245);
    uint64_t dest[SIZE / 64] = {0};
    ok(bitmap_take(map, 40, 290, dest, 0) == 145, "take counts", 0);
    ok(bitmap_find(dest, 0, SIZE, 0) == 60 && bitmap_find(dest, 60, SIZE, ~0ull) == 205, "take shifts", 0);
    ok(bitmap_find(map, 0, SIZE, 0) == SIZE, "take clears", 0);
    /* model check against one byte per bit */
    unsigned char model[SIZE];
    memset(model, 0, sizeof model);
    memset(map, 0, sizeof map);
    uint64_t x = 20260213;
    long bad_ops = 0;
    for (int op = 0; op < 20000; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t from = (x >> 33) % SIZE, to = from + 1 + (x >> 13) % (SIZE - from);
        if ((x >> 7) % 2 == 0) {
            bitmap_set_range(map, from, to);
            memset(model + from, 1, to - from);
        } else {
            uint64_t want = 0, taken[SIZE / 64 + 1] = {0};
            for (uint64_t b = from; b < to; b++) {
                want += model[b];
            }
            int good = bitmap_take(map, from, to, taken, 3) == want;
            for (uint64_t b = from; b < to; b++) {
                good &= ((taken[(b - from + 3) >> 6] >> ((b - from + 3) & 63)) & 1) == model[b];
            }
            bad_ops += !good;
            memset(model + from, 0, to - from);
        }
    }
    ok(bad_ops == 0, "20000 random sets and takes agree with the model (bad ops)", bad_ops);
    /* DirtyMemory-level bad input */
    struct dirty_memory dm;
    dirty_init(&dm, 12, 1ull << 20);
    ok(set_dirty_range(&dm, 0, 4096, 0x8) == -1, "unknown client bit refused", 0);
    ok(set_dirty_range(&dm, CHUNK_PAGES << 12, 4096, 1) == -1, "past the tracked RAM refused", 0);
    ok(set_dirty_range(&dm, UINT64_MAX - 10, 100, 1) == -1, "overflow refused", 0);
    printf("1..%d\n", tests);
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ timing */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define PAGE 4096ull
#define RAM (1ull << 30)
#define PAGES (RAM / PAGE)

/* Mean and best (lowest) time per call over windows of about 10 ms: the best window is what a loaded machine
 * disturbed least; JMH's per-iteration scores give the Java side's equivalent. */
struct timing {
    double mean, best;
};

static struct timing bench_set(struct dirty_memory *dm, uint64_t pages, int nested, double seconds)
{
    static uint64_t addrs[4096];
    uint64_t x = 42;
    for (int k = 0; k < 4096; k++) {   /* the Java twin's sequence */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        addrs[k] = ((x >> 33) % (PAGES - pages)) * PAGE;
    }
    if (nested) {
        rcu_read_lock();
    }
    uint64_t iters = 0;
    struct timing t = {0, 1e18};
    double start = now_ns(), end;
    do {
        double w0 = now_ns();
        for (int k = 0; k < 1 << 12; k++) {
            set_dirty_range(dm, addrs[(iters + k) & 4095], pages * PAGE, CLIENTS_ALL);
        }
        iters += 1 << 12;
        end = now_ns();
        if ((end - w0) / (1 << 12) < t.best) {
            t.best = (end - w0) / (1 << 12);
        }
    } while (end - start < seconds * 1e9);
    if (nested) {
        rcu_read_unlock();
    }
    t.mean = (end - start) / iters;
    return t;
}

static struct timing bench_snapshot(struct dirty_memory *dm, int percent, double seconds)
{
    uint64_t *pattern = calloc(PAGES / 64, sizeof *pattern);
    uint64_t x = 7;
    for (uint64_t p = 0; p < PAGES; p++) {   /* the Java twin's generator and threshold */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if ((x >> 33) % 100 < (uint64_t)percent) {
            pattern[p >> 6] |= 1ull << (p & 63);
        }
    }
    const uint64_t *table = (const uint64_t *)(uintptr_t)dm->root[2];
    uint64_t *chunk = chunk_of(table, 0);
    double timed = 0, best = 1e18, deadline = now_ns() + seconds * 1e9;
    uint64_t iters = 0, sink = 0;
    do {
        if (percent) {
            memcpy(chunk, pattern, PAGES / 8);   /* outside the timing, as JMH's Level.Invocation setup */
        }
        struct snapshot s;
        double t0 = now_ns();
        snapshot_and_clear(dm, 0, RAM, 2, &s);
        double t1 = now_ns();
        timed += t1 - t0;
        best = t1 - t0 < best ? t1 - t0 : best;
        sink += s.count;
        free(s.words);
        iters++;
    } while (now_ns() < deadline);
    free(pattern);
    if (percent && sink / iters < PAGES * (uint64_t)percent / 100 * 9 / 10) {
        fprintf(stderr, "snapshot took too few pages: %llu\n", (unsigned long long)(sink / iters));
        exit(1);
    }
    struct timing t = {timed / iters, best};
    return t;
}

int main(int argc, char **argv)
{
    double seconds = 0.3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--check")) {
            return check();
        }
        if (!strcmp(argv[i], "--full")) {
            seconds = 2.0;
        }
    }
    struct dirty_memory dm;
    dirty_init(&dm, 12, RAM);
    const uint64_t sizes[] = {1, 64, 4096};
    for (int s = 0; s < 3; s++) {
        for (int nested = 1; nested >= 0; nested--) {
            struct timing t = bench_set(&dm, sizes[s], nested, seconds);
            printf("{\"bench\":\"dirty\",\"op\":\"set_dirty_range\",\"pages\":%llu,\"section\":\"%s\",\"ns_per_op\":%.3f,\"best_ns_per_op\":%.3f}\n",
                   (unsigned long long)sizes[s], nested ? "nested" : "outermost", t.mean, t.best);
            fflush(stdout);
        }
    }
    for (int c = 0; c < CLIENTS; c++) {   /* start the snapshots from clean bitmaps */
        memset(chunk_of((const uint64_t *)(uintptr_t)dm.root[c], 0), 0, PAGES / 8);
    }
    const int percents[] = {0, 10};
    for (int p = 0; p < 2; p++) {
        struct timing t = bench_snapshot(&dm, percents[p], seconds);
        printf("{\"bench\":\"dirty\",\"op\":\"snapshot_and_clear\",\"dirty_percent\":%d,\"ns_per_op\":%.1f,\"best_ns_per_op\":%.1f}\n",
               percents[p], t.mean, t.best);
        fflush(stdout);
    }
    return 0;
}
