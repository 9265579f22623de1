/*
 * C twin of bench/.../RamListLookupBench: RAM address lookup with an MRU cache (relaxed atomic, as
 * ORDERING.md says), then either QEMU's linear walk of the block list or a binary search over blocks
 * sorted by offset. Same block sizes and address pattern as the Java benchmark.
 * Prints one JSON object per line: {"bench":"lookup","variant":...,"blocks":N,"ns_per_op":X}.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct block {
    uint64_t offset;
    uint64_t max_length;
};

static struct block *blocks;        /* sorted by offset; all the same size, so list order == offset order */
static int nblocks;
static _Atomic(struct block *) mru;  /* relaxed loads and stores */

static inline int contains(const struct block *b, uint64_t addr)
{
    return addr - b->offset < b->max_length;  /* one unsigned compare, as QEMU */
}

static struct block *lookup_scan(uint64_t addr)
{
    struct block *b = atomic_load_explicit(&mru, memory_order_relaxed);
    if (b && contains(b, addr)) {
        return b;
    }
    for (int i = 0; i < nblocks; i++) {
        if (contains(&blocks[i], addr)) {
            atomic_store_explicit(&mru, &blocks[i], memory_order_relaxed);
            return &blocks[i];
        }
    }
    abort();
}

static struct block *lookup_bsearch(uint64_t addr)
{
    struct block *b = atomic_load_explicit(&mru, memory_order_relaxed);
    if (b && contains(b, addr)) {
        return b;
    }
    /* Branch-free lower bound (the same loop as BlockSnapshot#find): the last block starting at or below addr. */
    int base = 0, n = nblocks;
    while (n > 1) {
        int half = n >> 1;
        base = blocks[base + half].offset <= addr ? base + half : base;
        n -= half;
    }
    int hi = base;
    if (nblocks == 0 || !contains(&blocks[hi], addr)) {
        abort();
    }
    atomic_store_explicit(&mru, &blocks[hi], memory_order_relaxed);
    return &blocks[hi];
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef struct block *(*lookup_fn)(uint64_t);

static volatile uintptr_t sink;

/* Inlined at each call site, so the lookup is inlined into the loop as the JIT does for the Java twin. */
static inline __attribute__((always_inline)) double measure(lookup_fn fn, const uint64_t *addrs, int mask, double seconds)
{
    uint64_t iters = 0;
    uintptr_t acc = 0;
    double start = now_ns(), end;
    do {
        for (int k = 0; k < 1 << 16; k++) {
            acc += (uintptr_t)fn(addrs[(iters + k) & mask]);
        }
        iters += 1 << 16;
        end = now_ns();
    } while (end - start < seconds * 1e9);
    sink = acc;
    return (end - start) / iters;
}

int main(int argc, char **argv)
{
    double seconds = 0.3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full")) {
            seconds = 2.0;
        }
    }
    const int counts[] = {8, 16, 64, 256, 1024, 4096};
    const uint64_t size = 256 * 1024;
    uint64_t *miss = malloc(4096 * sizeof *miss);
    uint64_t hit[1];
    srand(42);
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        nblocks = counts[c];
        blocks = calloc(nblocks, sizeof *blocks);
        for (int i = 0; i < nblocks; i++) {
            blocks[i].offset = (uint64_t)i * size;  /* 256 KiB = 64 pages: already bitmap-word aligned */
            blocks[i].max_length = size;
        }
        int prev = -1;
        for (int k = 0; k < 4096; k++) {
            int pick;
            do {
                pick = rand() % nblocks;
            } while (pick == prev);
            prev = pick;
            miss[k] = blocks[pick].offset + (uint64_t)(rand() % (int)size);
        }
        hit[0] = blocks[nblocks / 2].offset + 4096;
        atomic_store(&mru, NULL);
        printf("{\"bench\":\"lookup\",\"variant\":\"hit\",\"blocks\":%d,\"ns_per_op\":%.3f}\n", nblocks, measure(lookup_bsearch, hit, 0, seconds));
        printf("{\"bench\":\"lookup\",\"variant\":\"miss_bsearch\",\"blocks\":%d,\"ns_per_op\":%.3f}\n", nblocks, measure(lookup_bsearch, miss, 4095, seconds));
        printf("{\"bench\":\"lookup\",\"variant\":\"miss_scan\",\"blocks\":%d,\"ns_per_op\":%.3f}\n", nblocks, measure(lookup_scan, miss, 4095, seconds));
        free(blocks);
    }
    free(miss);
    return 0;
}
