/* Litmus bodies of RCU-gp and SB-reader (the read side against synchronize). */
#include "litmus.h"

/* -------------------------------------------------------------------- RCU-gp */

enum { GP_FIXED, GP_MEMBARRIER, GP_NOFENCE, GP_NOWAIT };
enum { GP_LIVE, GP_DEAD };

/* How long a reader uses the block it dereferenced, in delay turns. */
#define GP_USE_SPAN 256u

struct gp_cell {
    /* a one-reader RCU domain in the Java table layout: GP_CTR written by the updater (GP-2), read by
     * the reader (RL-1); the slot's CTR written by the reader (RL-2 relaxed + RL-3; RU-1 release), read
     * by the updater (GP-3 acquire, pairs with RU-1). */
    _Alignas(64) gm_rcu_domain1 rcu;
    /* the reader's membership (gm_rcu_reader_*): the reader thread only. */
    _Alignas(64) gm_rcu_reader reader;
    /* the list head: 0 = block A, 1 = block B. Written by the updater (unlink of A, release: rcu_set),
     * read by the reader (acquire: rcu_read). */
    _Alignas(64) uint64_t ptr;
    /* block memory (plain): the reader reads the block it saw; the updater poisons A after the wait. */
    _Alignas(64) uint64_t a;
    uint64_t b;
};

/* The domain's flavor (the readers' RL-3) and the flavor of the updater's GP-1, per variant:
 * broken-nofence is a MEMBARRIER domain whose updater fences locally instead of calling membarrier. */
static const uint32_t gp_reader_flavor[] = { GM_RCU_FLAVOR_FENCE, GM_RCU_FLAVOR_MEMBARRIER,
                                             GM_RCU_FLAVOR_MEMBARRIER, GM_RCU_FLAVOR_FENCE };
static const uint32_t gp_updater_flavor[] = { GM_RCU_FLAVOR_FENCE, GM_RCU_FLAVOR_MEMBARRIER, GM_RCU_FLAVOR_FENCE,
                                              GM_RCU_FLAVOR_FENCE };

static int32_t gp_init(void *cell, int variant)
{
    struct gp_cell *c = cell;
    c->ptr = 0;
    c->a = GM_LITMUS_LIVE;
    c->b = GM_LITMUS_LIVE;
    return gm_rcu_domain1_init(&c->rcu, gp_reader_flavor[variant], &c->reader);
}

static inline __attribute__((always_inline)) uint64_t gp_reader(struct gp_cell *c, int64_t i, const int v)
{
    (void)v;
    gm_rcu_reader_lock(&c->reader);                              /* RL-1..RL-3 (the shim's reader) */
    uint64_t p = gm_load_acquire(&c->ptr);                       /* dereference: A (old) or B (new) */
    gm_litmus_delay(gm_litmus_jitter(i, 0x5bd1e995u, GP_USE_SPAN)); /* use the block for a while */
    uint64_t word = gm_load_plain(p ? &c->b : &c->a);
    gm_rcu_reader_unlock(&c->reader);                            /* RU-1..RU-3 */
    return p | (uint64_t)(word == GM_LITMUS_DEAD ? GP_DEAD : GP_LIVE) << 1;
}

static inline __attribute__((always_inline)) uint64_t gp_updater(struct gp_cell *c, int64_t i, const int v)
{
    (void)i;
    gm_store_release(&c->ptr, 1); /* unlink A (W-2-1): publish the list without it */
    if (v == GP_NOWAIT) {
        gm_smp_mb_global(GM_RCU_FLAVOR_FENCE); /* broken: GP-1 without GP-2..GP-5 */
    } else {
        gm_rcu_synchronize(&c->rcu.header, gp_updater_flavor[v]);
    }
    gm_store_plain(&c->a, GM_LITMUS_DEAD); /* reclaim A (munmap / Arena.close in the library) */
    return 0;
}

GM_LITMUS_THREAD(gp_t0, gp_updater, struct gp_cell, 0)
GM_LITMUS_THREAD(gp_t1, gp_reader, struct gp_cell, 1)

static void gp_observe(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values)
{
    (void)cell, (void)r0, (void)variant;
    values[0] = (uint32_t)(r1 & 1);      /* saw: old new */
    values[1] = (uint32_t)(r1 >> 1 & 1); /* block: live dead */
}

const gm_litmus_impl gm_litmus_rcu_gp = {
    .id = "RCU-gp",
    .variants = { "fixed", "membarrier", "broken-nofence", "broken-nowait" },
    .nvariants = 4,
    .nobserve = 2,
    .cell_size = sizeof(struct gp_cell),
    .init = gp_init,
    .body = { gp_t0, gp_t1 },
    .observe = gp_observe,
    .needs = { [GP_MEMBARRIER] = GM_LITMUS_NEEDS_MEMBARRIER },
};

/* ----------------------------------------------------------------- SB-reader */

enum { SB_FIXED, SB_FIXED_SC, SB_MEMBARRIER, SB_NOFENCE, SB_ACQREL, SB_NO_MEMBARRIER };

struct sb_cell {
    /* the reader's slot: the reader stores 1 (RL-2 of gm_rcu_reader_lock), the updater's scan
     * loads it. */
    _Alignas(64) uint64_t ctr;
    /* the list head: 0 = old block, 1 = new. The updater stores 1 (W-2-1), the reader dereferences it. */
    _Alignas(64) uint64_t ptr;
};

static int32_t sb_init(void *cell, int variant)
{
    struct sb_cell *c = cell;
    (void)variant;
    c->ctr = 0;
    c->ptr = 0;
    return 0;
}

static inline __attribute__((always_inline)) uint64_t sb_reader(struct sb_cell *c, int64_t i, const int v)
{
    (void)i;
    switch (v) {
    case SB_FIXED:
        gm_store_relaxed(&c->ctr, 1);
        gm_smp_mb(); /* counter store before pointer load; pairs with the updater's smp_mb */
        return gm_load_acquire(&c->ptr);
    case SB_FIXED_SC:
        gm_store_seq_cst(&c->ctr, 1); /* seq_cst store and load: one total order with the updater's */
        return gm_load_seq_cst(&c->ptr);
    case SB_MEMBARRIER:
    case SB_NO_MEMBARRIER:
        gm_store_relaxed(&c->ctr, 1);
        gm_compiler_barrier(); /* the CPU barrier comes from the updater's membarrier(2) */
        return gm_load_acquire(&c->ptr);
    case SB_NOFENCE:
        gm_store_relaxed(&c->ctr, 1);
        gm_compiler_barrier(); /* broken: nothing keeps the store before the load on the CPU */
        return gm_load_relaxed(&c->ptr);
    default:
        gm_store_release(&c->ctr, 1); /* broken: release/acquire do not order a store before a load */
        return gm_load_acquire(&c->ptr);
    }
}

static inline __attribute__((always_inline)) uint64_t sb_updater(struct sb_cell *c, int64_t i, const int v)
{
    (void)i;
    switch (v) {
    case SB_FIXED:
    case SB_NO_MEMBARRIER: /* broken there: a local fence cannot stand in for the reader's missing one */
        gm_store_release(&c->ptr, 1);
        gm_smp_mb(); /* pointer store before the scan; pairs with the reader's smp_mb */
        return gm_load_acquire(&c->ctr);
    case SB_FIXED_SC:
        gm_store_seq_cst(&c->ptr, 1);
        return gm_load_seq_cst(&c->ctr);
    case SB_MEMBARRIER:
        gm_store_release(&c->ptr, 1);
        (void)gm_membarrier(); /* a full barrier on every running thread: supplies the reader's */
        return gm_load_acquire(&c->ctr);
    case SB_NOFENCE:
        gm_store_relaxed(&c->ptr, 1);
        gm_compiler_barrier();
        return gm_load_relaxed(&c->ctr);
    default:
        gm_store_release(&c->ptr, 1);
        return gm_load_acquire(&c->ctr);
    }
}

GM_LITMUS_THREAD(sb_t0, sb_updater, struct sb_cell, 0)
GM_LITMUS_THREAD(sb_t1, sb_reader, struct sb_cell, 1)

static void sb_observe(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values)
{
    (void)cell, (void)variant;
    values[0] = (uint32_t)(r1 & 1); /* ptr: old new (what the reader dereferenced) */
    values[1] = (uint32_t)(r0 & 1); /* ctr: idle busy (what the updater's scan saw) */
}

const gm_litmus_impl gm_litmus_sb_reader = {
    .id = "SB-reader",
    .variants = { "fixed", "fixed-sc", "membarrier", "broken-nofence", "broken-acqrel", "broken-no-membarrier" },
    .nvariants = 6,
    .nobserve = 2,
    .cell_size = sizeof(struct sb_cell),
    .init = sb_init,
    .body = { sb_t0, sb_t1 },
    .observe = sb_observe,
    .needs = { [SB_MEMBARRIER] = GM_LITMUS_NEEDS_MEMBARRIER },
};
