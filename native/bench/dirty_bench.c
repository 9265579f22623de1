/*
 * C twin of bench/.../DirtyMemoryBench: the same bitmap algorithm as org.guestmem.dirty.DirtyBitmap and
 * DirtyMemory (per-word atomics: a load before each OR so set bits cost no atomic, whole words stored
 * with plain all-ones stores, take = exchange/AND of each non-zero word, OR-ed into a destination),
 * over chunks of DIRTY_CHUNK_PAGES pages, inside an RCU read section as QEMU does (liburcu memb when it
 * is available, to match the Java MEMBARRIER flavor):
 *   set       setDirtyRange of 1, 64 and 4096 pages at a cursor that walks 1 GiB of 4 KiB pages; the
 *             bitmap is cleared each time the cursor wraps (the Java benchmark does the same);
 *             variant "nested": inside the caller's read section (how GuestMemory calls it), variant
 *             "own_section": each call opens and closes its own read section
 *             variant "library": the same marking through libguestmem's gm_dirty_set_range (guestmem.h, what a
 *             C device model calls) on the same chunks, inside the caller's section, measured in turns
 *             with the twin's "nested" marking (variant "nested_paired"): best slice of each; for one page
 *             also the header's inline gm_dirty_mark_page (variant "library_inline")
 *   snapshot  snapshot-and-clear of 1 GiB of 4 KiB pages, clean and 10% dirty (the dirty words are
 *             restored before each call, outside the timing)
 */
#ifdef GM_DIRTY_URCU
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

#define PAGE_SHIFT 12
#define GUEST_BYTES (1ULL << 30)
#define PAGES (GUEST_BYTES >> PAGE_SHIFT)
#define DIRTY_CHUNK_PAGES (256ULL * 1024 * 8)   /* DirtyBitmapDescriptor.CHUNK_PAGES */
#define NCHUNKS ((PAGES + DIRTY_CHUNK_PAGES - 1) / DIRTY_CHUNK_PAGES)
#define CHUNK_WORDS (DIRTY_CHUNK_PAGES / 64)
#define GUEST_WORDS (PAGES / 64)

static uint64_t *chunks[NCHUNKS];

static inline uint64_t load_word(uint64_t *w)
{
    return __atomic_load_n(w, __ATOMIC_RELAXED);
}

static inline void or_word(uint64_t *w, uint64_t mask)
{
    if ((load_word(w) & mask) != mask) {
        __atomic_fetch_or(w, mask, __ATOMIC_SEQ_CST);
    }
}

/* DirtyBitmap#set(from, to) */
static void chunk_set(uint64_t *words, uint64_t from, uint64_t to)
{
    uint64_t w = from >> 6, last = (to - 1) >> 6;
    uint64_t first_mask = ~0ULL << (from & 63), last_mask = ~0ULL >> (63 - ((to - 1) & 63));
    if (w == last) {
        or_word(&words[w], first_mask & last_mask);
        return;
    }
    or_word(&words[w], first_mask);
    for (uint64_t i = w + 1; i < last; i++) {
        if (load_word(&words[i]) != ~0ULL) {
            __atomic_store_n(&words[i], ~0ULL, __ATOMIC_RELAXED);
        }
    }
    or_word(&words[last], last_mask);
}

static inline uint64_t word_mask(uint64_t i, uint64_t first, uint64_t last, uint64_t from, uint64_t to)
{
    uint64_t m = ~0ULL;
    if (i == first) {
        m &= ~0ULL << (from & 63);
    }
    if (i == last) {
        m &= ~0ULL >> (63 - ((to - 1) & 63));
    }
    return m;
}

/* DirtyBitmap#take(from, to, dest, destBit) */
static uint64_t chunk_take(uint64_t *words, uint64_t from, uint64_t to, uint64_t *dest, size_t dest_words, uint64_t dest_bit)
{
    uint64_t w = from >> 6, last = (to - 1) >> 6, n = 0;
    for (uint64_t i = w; i <= last; i++) {
        if (load_word(&words[i]) == 0) {
            continue;
        }
        uint64_t m = word_mask(i, w, last, from, to);
        uint64_t taken = m == ~0ULL ? __atomic_exchange_n(&words[i], 0, __ATOMIC_SEQ_CST)
                                    : __atomic_fetch_and(&words[i], ~m, __ATOMIC_SEQ_CST) & m;
        if (taken == 0) {
            continue;
        }
        n += (uint64_t)__builtin_popcountll(taken);
        int64_t q = (int64_t)((i << 6) + dest_bit - from);
        if (q < 0) {
            dest[0] |= taken >> -q;
        } else {
            size_t d = (size_t)(q >> 6);
            int sh = (int)(q & 63);
            dest[d] |= taken << sh;
            if (sh != 0 && d + 1 < dest_words) {
                dest[d + 1] |= taken >> (64 - sh);
            }
        }
    }
    return n;
}

/* DirtyMemory#setDirtyRange for one client: the one-page case, else chunk by chunk. */
static void set_dirty_range(uint64_t addr, uint64_t length, int own_section)
{
    if (own_section) {
        GM_READ_LOCK();
    }
    uint64_t first = addr >> PAGE_SHIFT, end = ((addr + length - 1) >> PAGE_SHIFT) + 1;
    if (end - first == 1) {
        uint64_t bit = first % DIRTY_CHUNK_PAGES;
        or_word(&chunks[first / DIRTY_CHUNK_PAGES][bit >> 6], 1ULL << (bit & 63));
    } else {
        for (uint64_t p = first; p < end;) {
            uint64_t chunk = p / DIRTY_CHUNK_PAGES, base = chunk * DIRTY_CHUNK_PAGES;
            uint64_t to = end < base + DIRTY_CHUNK_PAGES ? end : base + DIRTY_CHUNK_PAGES;
            chunk_set(chunks[chunk], p - base, to - base);
            p = to;
        }
    }
    if (own_section) {
        GM_READ_UNLOCK();
    }
}

/* DirtyMemory#snapshotAndClear: a zeroed destination (Java allocates a zeroed long[]), then take. */
static uint64_t snapshot_and_clear(uint64_t addr, uint64_t length, uint64_t *dest, size_t dest_words)
{
    memset(dest, 0, dest_words * sizeof *dest);
    GM_READ_LOCK();
    uint64_t first = addr >> PAGE_SHIFT, end = ((addr + length - 1) >> PAGE_SHIFT) + 1, n = 0;
    for (uint64_t p = first; p < end;) {
        uint64_t chunk = p / DIRTY_CHUNK_PAGES, base = chunk * DIRTY_CHUNK_PAGES;
        uint64_t to = end < base + DIRTY_CHUNK_PAGES ? end : base + DIRTY_CHUNK_PAGES;
        n += chunk_take(chunks[chunk], p - base, to - base, dest, dest_words, p - first);
        p = to;
    }
    GM_READ_UNLOCK();
    return n;
}

/* The guest's words only (1 GiB: GUEST_WORDS of the one chunk), as the Java benchmark clears them. */
static void clear_all(void)
{
    memset(chunks[0], 0, GUEST_WORDS * sizeof(uint64_t));
}

/* ---------------------------------------------------------------------------- set */

#define SET_BATCH 1024

struct set_state {
    uint64_t pages;
    uint64_t cursor;      /* in pages */
    int own_section;      /* 1: each call opens its own read section; 0: the caller's section (one per batch) */
};

static void set_body(void *p)
{
    struct set_state *s = p;
    if (!s->own_section) {
        GM_READ_LOCK();
    }
    for (int k = 0; k < SET_BATCH; k++) {
        if (s->cursor + s->pages > PAGES) {
            s->cursor = 0;
            clear_all();
        }
        set_dirty_range(s->cursor << PAGE_SHIFT, s->pages << PAGE_SHIFT, s->own_section);
        s->cursor += s->pages;
    }
    if (!s->own_section) {
        GM_READ_UNLOCK();
    }
}

/* The library's view of the same chunks: a root whose migration table lists them (DirtyBitmapDescriptor). */
static struct {
    gm_dirty_table h;
    uint64_t chunk[NCHUNKS];
} lib_table;
static gm_dirty_root lib_root;

static void lib_init(void)
{
    lib_table.h.chunk_count = NCHUNKS;
    lib_table.h.chunk_pages = DIRTY_CHUNK_PAGES;
    lib_table.h.page_shift = PAGE_SHIFT;
    for (size_t c = 0; c < NCHUNKS; c++) {
        lib_table.chunk[c] = (uint64_t)(uintptr_t)chunks[c];
    }
    lib_root.table[GM_DIRTY_MIGRATION] = (uint64_t)(uintptr_t)&lib_table;
}

static void set_body_lib(void *p)
{
    struct set_state *s = p;
    GM_READ_LOCK();
    for (int k = 0; k < SET_BATCH; k++) {
        if (s->cursor + s->pages > PAGES) {
            s->cursor = 0;
            clear_all();
        }
        if (gm_dirty_set_range(&lib_root, s->cursor << PAGE_SHIFT, s->pages << PAGE_SHIFT, GM_DIRTY_MASK_MIGRATION) != 0) {
            abort();
        }
        s->cursor += s->pages;
    }
    GM_READ_UNLOCK();
}

/* One page per call through the header's inline gm_dirty_mark_page (size 1 only). */
static void set_body_inline(void *p)
{
    struct set_state *s = p;
    GM_READ_LOCK();
    for (int k = 0; k < SET_BATCH; k++) {
        if (s->cursor + 1 > PAGES) {
            s->cursor = 0;
            clear_all();
        }
        if (gm_dirty_mark_page(&lib_root, s->cursor << PAGE_SHIFT, GM_DIRTY_MASK_MIGRATION) != 0) {
            abort();
        }
        s->cursor++;
    }
    GM_READ_UNLOCK();
}

/* ---------------------------------------------------------------------------- snapshot */

static uint64_t dest[GUEST_WORDS];
static uint64_t template_words[GUEST_WORDS];
static volatile uint64_t sink;

static double snapshot_measure(int dirty)
{
    double best_sum = 0;
    for (int r = -1; r < gm_reps; r++) {      /* r = -1: warm-up */
        double timed = 0, start = gm_now_ns();
        long calls = 0;
        while (gm_now_ns() - start < gm_rep_seconds * 1e9) {
            if (dirty) {
                memcpy(chunks[0], template_words, sizeof template_words);
            }
            double t0 = gm_now_ns();
            sink += snapshot_and_clear(0, GUEST_BYTES, dest, GUEST_WORDS);
            timed += gm_now_ns() - t0;
            calls++;
        }
        if (r >= 0) {
            best_sum += timed / calls;
        }
    }
    return best_sum / gm_reps;
}

int main(int argc, char **argv)
{
    gm_parse_args(argc, argv);
    _Static_assert(NCHUNKS == 1, "1 GiB of 4 KiB pages fits one chunk; the template copy relies on it");
    for (size_t c = 0; c < NCHUNKS; c++) {
        chunks[c] = aligned_alloc(64, CHUNK_WORDS * sizeof(uint64_t));
        memset(chunks[c], 0, CHUNK_WORDS * sizeof(uint64_t));
    }
    lib_init();
#ifdef GM_DIRTY_URCU
    rcu_register_thread();
#endif
    const uint64_t sizes[] = {1, 64, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int own = 0; own <= 1; own++) {
            struct set_state s = { sizes[i], 0, own };
            clear_all();
            gm_emit("dirty_set", own ? "own_section" : "nested", GM_IMPL, 1, (long)sizes[i],
                    gm_measure(set_body, &s, SET_BATCH));
        }
        /* Library against twin, paired: short slices taken in turn, the best slice of each, so that a
         * machine whose load changes during the run slows both alike. */
        struct set_state twin = { sizes[i], 0, 0 }, lib = { sizes[i], 0, 0 }, inl = { 1, 0, 0 };
        clear_all();
        double best_twin = 1e300, best_lib = 1e300, best_inl = 1e300;
        for (int r = 0; r < 10 * gm_reps + 1; r++) {
            double a = gm_time_loop(set_body, &twin, SET_BATCH, gm_rep_seconds / 10);
            double b = gm_time_loop(set_body_lib, &lib, SET_BATCH, gm_rep_seconds / 10);
            double c = sizes[i] == 1 ? gm_time_loop(set_body_inline, &inl, SET_BATCH, gm_rep_seconds / 10) : 0;
            if (r > 0) {              /* the first round warms up */
                best_twin = a < best_twin ? a : best_twin;
                best_lib = b < best_lib ? b : best_lib;
                best_inl = c < best_inl ? c : best_inl;
            }
        }
        gm_emit("dirty_set", "nested_paired", GM_IMPL, 1, (long)sizes[i], best_twin);
        gm_emit("dirty_set", "library", "c-library", 1, (long)sizes[i], best_lib);
        if (sizes[i] == 1) {
            gm_emit("dirty_set", "library_inline", "c-library", 1, 1, best_inl);
        }
    }
    /* 10% dirty: each page dirty with probability 1/10, the same seed-free pattern as the Java side. */
    uint64_t x = 42;
    for (size_t w = 0; w < GUEST_WORDS; w++) {
        uint64_t v = 0;
        for (int b = 0; b < 64; b++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;   /* 64-bit LCG */
            if ((x >> 33) % 10 == 0) {
                v |= 1ULL << b;
            }
        }
        template_words[w] = v;
    }
    clear_all();
    gm_emit("dirty_snapshot", "clean", GM_IMPL, 1, 1024, snapshot_measure(0));
    gm_emit("dirty_snapshot", "dirty10", GM_IMPL, 1, 1024, snapshot_measure(1));
#ifdef GM_DIRTY_URCU
    rcu_unregister_thread();
#endif
    return 0;
}
