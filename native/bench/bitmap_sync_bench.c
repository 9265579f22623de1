/*
 * C twin of bench/.../BitmapSyncBench: dirty bitmap sync for a guest of 1, 4, 16 and 64 GiB of 4 KiB
 * pages. The bitmaps are kept in chunks of DIRTY_CHUNK_PAGES pages as DirtyMemory keeps them; the guest
 * RAM itself is not mapped (the Java benchmark never touches it either). Clean, or one page in 1024 dirty
 * (marked before each call, outside the timing):
 *   snapshot  DirtyMemory#snapshotAndClear of the whole guest: a look for any dirty word; when there is
 *             one, a zeroed destination and the take (exchange of each non-zero word, OR-ed into it)
 *   sync      RamSaver#sync: the take OR-ed into the saver's long-lived bitmap (all ones, as after
 *             setup), then that bitmap's pages counted
 * One JSON line per figure (bench_common.h): bench "bitmap_sync", variant "<snapshot|sync>_<clean|light>",
 * param = guest GiB. Quick by default, --full longer.
 */
#include "bench_common.h"

#define PAGE_SHIFT 12
#define DIRTY_CHUNK_PAGES (256ULL * 1024 * 8)   /* DirtyBitmapDescriptor.CHUNK_PAGES */
#define CHUNK_WORDS (DIRTY_CHUNK_PAGES / 64)
#define STRIDE 1024                             /* lightly dirty: one page in this many */

static uint64_t *chunks[64];
static size_t nchunks;
static uint64_t guest_pages;
static uint64_t *saver_bitmap;                  /* one bit per page, set = still to send */
static volatile uint64_t sink;

static inline uint64_t load_word(uint64_t *w)
{
    return __atomic_load_n(w, __ATOMIC_RELAXED);
}

/* DirtyMemory#setDirtyRange of one page: a load first, so a set bit costs no atomic. */
static void mark_light(void)
{
    for (uint64_t p = 0; p < guest_pages; p += STRIDE) {
        uint64_t *w = &chunks[p / DIRTY_CHUNK_PAGES][(p % DIRTY_CHUNK_PAGES) >> 6];
        uint64_t mask = 1ULL << (p & 63);
        if ((load_word(w) & mask) == 0) {
            __atomic_fetch_or(w, mask, __ATOMIC_SEQ_CST);
        }
    }
}

/* The look of snapshotAndClear (DT-1): is any word of the range non-zero? */
static int any_dirty(void)
{
    for (size_t c = 0; c < nchunks; c++) {
        for (uint64_t i = 0; i < CHUNK_WORDS; i++) {
            if (load_word(&chunks[c][i]) != 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* DirtyBitmap#take over the whole guest into dest (bit 0 = page 0); returns the pages taken. */
static uint64_t take_all(uint64_t *dest)
{
    uint64_t n = 0;
    for (size_t c = 0; c < nchunks; c++) {
        for (uint64_t i = 0; i < CHUNK_WORDS; i++) {
            if (load_word(&chunks[c][i]) == 0) {
                continue;
            }
            uint64_t taken = __atomic_exchange_n(&chunks[c][i], 0, __ATOMIC_SEQ_CST);
            n += (uint64_t)__builtin_popcountll(taken);
            dest[c * CHUNK_WORDS + i] |= taken;
        }
    }
    return n;
}

static uint64_t snapshot_and_clear(void)
{
    if (!any_dirty()) {
        return 0;                               /* clean: nothing allocated */
    }
    uint64_t *dest = calloc(guest_pages / 64, sizeof *dest);
    uint64_t n = take_all(dest);
    sink += dest[0];
    free(dest);
    return n;
}

static uint64_t saver_sync(void)
{
    take_all(saver_bitmap);
    uint64_t pending = 0;
    for (uint64_t i = 0; i < guest_pages / 64; i++) {
        pending += (uint64_t)__builtin_popcountll(saver_bitmap[i]);
    }
    return pending;
}

/* Mean ns per call over gm_reps repetitions after one warm-up; the marking is outside the timing. */
static double measure(uint64_t (*call)(void), int light)
{
    double sum = 0;
    for (int r = -1; r < gm_reps; r++) {
        double timed = 0, start = gm_now_ns();
        long calls = 0;
        while (gm_now_ns() - start < gm_rep_seconds * 1e9) {
            if (light) {
                mark_light();
            }
            double t0 = gm_now_ns();
            sink += call();
            timed += gm_now_ns() - t0;
            calls++;
        }
        if (r >= 0) {
            sum += timed / calls;
        }
    }
    return sum / gm_reps;
}

int main(int argc, char **argv)
{
    gm_parse_args(argc, argv);
    const long sizes[] = {1, 4, 16, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        guest_pages = ((uint64_t)sizes[s] << 30) >> PAGE_SHIFT;
        nchunks = (guest_pages + DIRTY_CHUNK_PAGES - 1) / DIRTY_CHUNK_PAGES;
        for (size_t c = 0; c < nchunks; c++) {
            chunks[c] = aligned_alloc(64, CHUNK_WORDS * sizeof(uint64_t));
            memset(chunks[c], 0, CHUNK_WORDS * sizeof(uint64_t));
        }
        saver_bitmap = malloc(guest_pages / 64 * sizeof *saver_bitmap);
        memset(saver_bitmap, 0xff, guest_pages / 64 * sizeof *saver_bitmap);
        gm_emit("bitmap_sync", "snapshot_clean", "c-twin", 1, sizes[s], measure(snapshot_and_clear, 0));
        gm_emit("bitmap_sync", "snapshot_light", "c-twin", 1, sizes[s], measure(snapshot_and_clear, 1));
        gm_emit("bitmap_sync", "sync_clean", "c-twin", 1, sizes[s], measure(saver_sync, 0));
        gm_emit("bitmap_sync", "sync_light", "c-twin", 1, sizes[s], measure(saver_sync, 1));
        for (size_t c = 0; c < nchunks; c++) {
            free(chunks[c]);
        }
        free(saver_bitmap);
    }
    return 0;
}
