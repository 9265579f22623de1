/*
 * litmus.h: the per-thread bodies of the litmus scenarios of ORDERING.md (internal).
 *
 * The scenarios, their observed values, outcome grades and variants are defined once, in
 * native/harness/litmus.table; this file only implements them. A run of one scenario is an array of
 * n independent cells (one instance of the scenario's shared words each, litmus7 style): thread 0
 * (the updater) and thread 1 (the reader) meet at a rendezvous before every cell, run their body on
 * it and write one result word each into their own register array. After both threads are done,
 * observe() turns (cell, result of thread 0, result of thread 1) into the tuple of observed values,
 * one per "observe" line of the table, in table order.
 *
 * The bodies take only a pointer to the cells, the register array, the count and the rendezvous
 * words, so that a later Java-side mixed mode can run one thread in Java on the same native words.
 */
#ifndef GM_LITMUS_H
#define GM_LITMUS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define GM_LITMUS_MAX_VARIANTS 8
#define GM_LITMUS_MAX_OBSERVE 4

/*
 * The rendezvous of the two threads: arrived[t][0] is thread t's count of cells started, on its own
 * cache line. Thread t writes its own word (release) and reads the other's (acquire); the pair makes
 * each cell start with both threads running, like litmus7's user-mode barrier.
 * arrived[t][1] counts the cells whose rendezvous thread t left only after yielding its CPU (the other
 * thread was not running): written by thread t only, read by the runner after both threads were joined.
 */
typedef struct gm_litmus_sync {
    uint64_t arrived[2][8];
} gm_litmus_sync;

static inline __attribute__((always_inline)) void gm_litmus_delay(uint32_t n);
static inline __attribute__((always_inline)) uint32_t gm_litmus_stagger(int64_t i, int self);

/* Rendezvous before cell i: returns once the other thread has reached cell i too, then the staggered start
 * of this thread's body (gm_litmus_stagger). */
static inline __attribute__((always_inline)) void gm_litmus_rendezvous(gm_litmus_sync *s, int self, int64_t i)
{
    const uint64_t want = (uint64_t)i + 1;
    gm_store_release(&s->arrived[self][0], want); /* pairs with the other thread's acquire below */
    uint32_t yielded = 0;
    for (uint32_t spins = 1; gm_load_acquire(&s->arrived[1 - self][0]) < want; spins++) {
        gm_cpu_relax();
        if ((spins & 0x3fffu) == 0) {
            sched_yield(); /* more threads than free CPUs: let the other side run */
            yielded = 1;
        }
    }
    s->arrived[self][1] += yielded; /* owner-only count, read after the join */
    gm_litmus_delay(gm_litmus_stagger(i, self));
}

/* Busy delay of about n loop turns, to vary where one thread's steps fall against the other's. */
static inline __attribute__((always_inline)) void gm_litmus_delay(uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        __asm__ __volatile__("");
    }
}

/* A delay in [0, span) that changes from cell to cell (a multiplicative hash of the cell index). */
static inline __attribute__((always_inline)) uint32_t gm_litmus_jitter(int64_t i, uint32_t salt, uint32_t span)
{
    uint32_t h = ((uint32_t)i ^ salt) * 2654435761u;
    return (h >> 16) % span;
}

/*
 * Where each thread starts its body after the rendezvous: a delay in [0, GM_LITMUS_STAGGER) that changes
 * from cell to cell and differs between the two threads (their own salts), so that over a run the two
 * bodies meet at every relative offset within about +-GM_LITMUS_STAGGER delay turns, litmus7's
 * "staggering". Without it the offset is fixed by whatever each body does before its racing access (a
 * cache miss on a line the other side or the cell init touched), and a reordering window narrower than
 * that offset is almost never hit. The Java twin (LitmusWords.rendezvous) staggers by the same hash.
 */
#define GM_LITMUS_STAGGER 256u
static inline __attribute__((always_inline)) uint32_t gm_litmus_stagger(int64_t i, int self)
{
    return gm_litmus_jitter(i, self ? 0x9e3779b9u : 0x7f4a7c15u, GM_LITMUS_STAGGER);
}

typedef void (*gm_litmus_body)(void *cells, uint64_t *regs, int64_t n, int variant, gm_litmus_sync *sync);

/* Variant needs (gm_litmus_impl.needs): */
#define GM_LITMUS_NEEDS_MEMBARRIER 0x1u /* gm_membarrier_register() must have succeeded */

/* The C implementation of one scenario of litmus.table. */
typedef struct gm_litmus_impl {
    const char *id;                                  /* the table's scenario ID */
    const char *variants[GM_LITMUS_MAX_VARIANTS];    /* the table's variant names, index = variant */
    int nvariants;
    int nobserve;                                    /* number of observe lines in the table */
    size_t cell_size;                                /* a multiple of 64 */
    int32_t (*init)(void *cell, int variant);         /* fresh cell; 0 or -errno */
    gm_litmus_body body[2];                          /* [0] updater, [1] reader */
    /* Fills values[0..nobserve) for one cell; runs after both threads finished. */
    void (*observe)(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values);
    uint32_t needs[GM_LITMUS_MAX_VARIANTS];          /* GM_LITMUS_NEEDS_* per variant */
} gm_litmus_impl;

/* Implementation files: GM_LITMUS_THREAD(name, STEP, CELL, SELF) defines a gm_litmus_body that runs
 * STEP(CELL *cell, int64_t i, const int variant) -> result word over all cells, with one loop per
 * variant so that the variant is a compile-time constant inside each loop (no branch in the race). */
#define GM_LITMUS_CASE(STEP, CELL, SELF, V)                                                    \
    case V:                                                                                    \
        for (int64_t i_ = 0; i_ < n; i_++) {                                                   \
            gm_litmus_rendezvous(sync, SELF, i_);                                              \
            regs[i_] = STEP(&((CELL *)cells)[i_], i_, V);                                      \
        }                                                                                      \
        break;
#define GM_LITMUS_THREAD(NAME, STEP, CELL, SELF)                                               \
    static void NAME(void *cells, uint64_t *regs, int64_t n, int variant, gm_litmus_sync *sync) \
    {                                                                                          \
        switch (variant) {                                                                     \
            GM_LITMUS_CASE(STEP, CELL, SELF, 0)                                                \
            GM_LITMUS_CASE(STEP, CELL, SELF, 1)                                                \
            GM_LITMUS_CASE(STEP, CELL, SELF, 2)                                                \
            GM_LITMUS_CASE(STEP, CELL, SELF, 3)                                                \
            GM_LITMUS_CASE(STEP, CELL, SELF, 4)                                                \
            GM_LITMUS_CASE(STEP, CELL, SELF, 5)                                                \
        default:                                                                               \
            break;                                                                             \
        }                                                                                      \
    }

/* A block's memory word in the scenarios with reclamation: LIVE until reclaimed, then DEAD (the
 * poison that stands for munmap). Plain accesses, so ThreadSanitizer sees a use after reclaim. */
#define GM_LITMUS_LIVE 0x600dull
#define GM_LITMUS_DEAD 0xdeadull

/* The scenarios (one definition each, in litmus_*.c). */
extern const gm_litmus_impl gm_litmus_mp_version;
extern const gm_litmus_impl gm_litmus_rcu_gp;
extern const gm_litmus_impl gm_litmus_mru_clear;
extern const gm_litmus_impl gm_litmus_version_drop;
extern const gm_litmus_impl gm_litmus_sb_reader;

/* All implemented scenarios; *count receives their number. */
const gm_litmus_impl *const *gm_litmus_impls(int *count);

/* The implementation of scenario id, or NULL. */
const gm_litmus_impl *gm_litmus_find(const char *id);

/* The variant index of name in impl, or -1. */
int gm_litmus_variant(const gm_litmus_impl *impl, const char *name);

#endif /* GM_LITMUS_H */
