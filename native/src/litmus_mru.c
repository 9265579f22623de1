/* Litmus body of MRU-clear (ORDERING.md "Why mruBlock may be relaxed", the subtle case). */
#include "litmus.h"

enum { MRU_FIXED, MRU_REMOVED, MRU_UNTAGGED, MRU_PLAIN };

/* The block id of block A in mruBlock (gm_mru_pack's id field). */
#define MRU_A 1u
/* How long the reader takes between finding A on the list and filling mruBlock, in delay turns. */
#define MRU_FILL_SPAN 512u
/* How long the reader waits, at most, for the reclaim before its second lookup, in gm_cpu_relax turns. */
#define MRU_WAIT_SPINS (1u << 14)

struct mru_cell {
    /* blocks: 1 = the list holds A, 0 = A unlinked. Written by the updater (W-2-1, release), read by
     * the reader's walk (acquire). */
    _Alignas(64) uint64_t list;
    /* version: written by the updater (W-2-2, release), read by the reader before its walk (acquire,
     * pairs with W-2-2: a reader that sees the new version sees the unlinked list). */
    uint64_t version;
    /* mruBlock: filled by the reader, cleared by the updater; relaxed (plain in broken-plain, the race
     * the QEMU patch fixed). fixed: gm_mru_pack(version read before the walk, block id). */
    _Alignas(64) uint64_t mru;
    /* block A's "removed" mark (fixed-removed): set by the updater (release, before the clear), read by a
     * lookup that hits A in mruBlock (acquire; pairs with it; a lookup after the grace period sees it). It
     * lives in A's descriptor, which must outlive the reclamation of A's memory. */
    _Alignas(64) uint64_t a_removed;
    /* a one-reader RCU domain (FENCE) and the reader's membership of it (reader thread only). */
    _Alignas(64) gm_rcu_domain1 rcu;
    _Alignas(64) gm_rcu_reader reader;
    /* block A's memory, poisoned by the reclaim after W-2-3's grace period (plain: the grace period
     * orders it against every read section's use of A). */
    _Alignas(64) uint64_t a;
    /* set (relaxed) by the updater after the reclaim; the reader polls it (relaxed, bounded) between its two
     * lookups, so that the second one usually starts after the grace period. It orders nothing: whether that
     * lookup sees the removal rests on the grace period alone. */
    uint64_t done;
};

static int32_t mru_init(void *cell, int variant)
{
    struct mru_cell *c = cell;
    (void)variant;
    c->list = 1;
    c->version = 0;
    c->mru = 0;
    c->a_removed = 0;
    c->a = GM_LITMUS_LIVE;
    c->done = 0;
    return gm_rcu_domain1_init(&c->rcu, GM_RCU_FLAVOR_FENCE, &c->reader);
}

/* The MRU probe of a lookup that starts after the grace period, in its own read section: *late = mruBlock
 * names A (whatever its tag), and the result is 1 when the lookup would use A from it and A's memory is
 * already reclaimed (the forbidden "stale"). */
static inline __attribute__((always_inline)) uint64_t mru_probe_after(struct mru_cell *c, const int v, uint64_t *late)
{
    uint64_t hit;
    gm_rcu_reader_lock(&c->reader);
    if (v == MRU_FIXED) {
        uint64_t seen = gm_version_load_acquire(&c->version); /* the tag a new lookup compares; pairs with W-2-2 */
        uint64_t m = gm_load_relaxed(&c->mru);
        *late = gm_mru_block(m) == MRU_A;
        hit = gm_mru_hit(m, seen) == MRU_A;
    } else if (v == MRU_REMOVED) {
        uint64_t m = gm_load_relaxed(&c->mru);
        *late = m == MRU_A;
        hit = *late && !gm_load_acquire(&c->a_removed); /* a removed block is a miss */
    } else if (v == MRU_UNTAGGED) {
        *late = gm_load_relaxed(&c->mru) == MRU_A;
        hit = *late; /* broken: any block in mruBlock is used */
    } else {
        *late = c->mru == MRU_A; /* broken: plain load */
        hit = *late;
    }
    uint64_t stale = hit && gm_load_plain(&c->a) == GM_LITMUS_DEAD; /* uses A: reads its memory */
    gm_rcu_reader_unlock(&c->reader);
    return stale;
}

/* A lookup of an address inside A, inside a read section (found: the walk found A and filled mruBlock),
 * then, once the updater's reclaim is done (a bounded relaxed poll), a second lookup that probes mruBlock:
 * the property is observed by the code under test, while the updater may still be racing it. */
static inline __attribute__((always_inline)) uint64_t mru_reader(struct mru_cell *c, int64_t i, const int v)
{
    uint64_t found = 0;
    gm_rcu_reader_lock(&c->reader);
    if (v == MRU_FIXED) {
        uint64_t seen = gm_version_load_acquire(&c->version); /* the tag; pairs with W-2-2 */
        if (gm_mru_hit(gm_load_relaxed(&c->mru), seen) != MRU_A && gm_load_acquire(&c->list)) {
            found = 1;
            gm_litmus_delay(gm_litmus_jitter(i, 0xc2b2ae35u, MRU_FILL_SPAN));
            gm_store_relaxed(&c->mru, gm_mru_pack(seen, MRU_A)); /* may land after the clear: harmless */
        }
    } else if (v == MRU_REMOVED) {
        uint64_t m = gm_load_relaxed(&c->mru);
        int hit = m == MRU_A && !gm_load_acquire(&c->a_removed); /* a removed block is a miss */
        if (!hit && gm_load_acquire(&c->list)) {
            found = 1;
            gm_litmus_delay(gm_litmus_jitter(i, 0xc2b2ae35u, MRU_FILL_SPAN));
            gm_store_relaxed(&c->mru, MRU_A); /* may land after the clear: later lookups see the mark */
        }
    } else if (v == MRU_UNTAGGED) {
        if (gm_load_relaxed(&c->mru) != MRU_A && gm_load_acquire(&c->list)) {
            found = 1;
            gm_litmus_delay(gm_litmus_jitter(i, 0xc2b2ae35u, MRU_FILL_SPAN));
            gm_store_relaxed(&c->mru, MRU_A); /* broken: a late fill outlives the grace period */
        }
    } else {
        if (c->mru != MRU_A && gm_load_acquire(&c->list)) { /* broken: plain load, a data race */
            found = 1;
            gm_litmus_delay(gm_litmus_jitter(i, 0xc2b2ae35u, MRU_FILL_SPAN));
            c->mru = MRU_A; /* broken: plain store, a data race with the updater's clear */
        }
    }
    gm_rcu_reader_unlock(&c->reader);
    for (uint32_t spins = 0; spins < MRU_WAIT_SPINS && !gm_load_relaxed(&c->done); spins++) {
        gm_cpu_relax(); /* outside any read section: the grace period does not wait for this */
    }
    uint64_t late = 0;
    uint64_t stale = mru_probe_after(c, v, &late);
    return found | late << 1 | stale << 2;
}

/* Removal of A: W-2-1, clear mruBlock, W-2-2, W-2-3 (grace period, then reclaim). */
static inline __attribute__((always_inline)) uint64_t mru_updater(struct mru_cell *c, int64_t i, const int v)
{
    gm_litmus_delay(gm_litmus_jitter(i, 0x27d4eb2fu, 128)); /* vary where the removal falls */
    gm_store_release(&c->list, 0); /* W-2-1: unlink A */
    if (v == MRU_REMOVED) {
        gm_store_release(&c->a_removed, 1); /* mark A removed before clearing mruBlock */
    }
    if (v == MRU_PLAIN) {
        c->mru = 0; /* broken: plain store (QEMU before the patch) */
    } else {
        gm_store_relaxed(&c->mru, 0);
    }
    gm_version_bump_release(&c->version); /* W-2-2 */
    gm_rcu_synchronize(&c->rcu.header, GM_RCU_FLAVOR_FENCE); /* W-2-3: callRcu's grace period ... */
    gm_store_plain(&c->a, GM_LITMUS_DEAD);              /* ... then the reclaim callback */
    gm_store_relaxed(&c->done, 1);                      /* the reader's second lookup may start */
    return 0;
}

GM_LITMUS_THREAD(mru_t0, mru_updater, struct mru_cell, 0)
GM_LITMUS_THREAD(mru_t1, mru_reader, struct mru_cell, 1)

/* Everything was observed by the reader's lookups (mru_reader); nothing is read from the cell after the join. */
static void mru_observe(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values)
{
    (void)cell, (void)r0, (void)variant;
    values[0] = (uint32_t)(r1 & 1);      /* found */
    values[1] = (uint32_t)(r1 >> 1 & 1); /* late: the second lookup found A in mruBlock */
    values[2] = (uint32_t)(r1 >> 2 & 1); /* stale: and used it after the reclaim */
}

const gm_litmus_impl gm_litmus_mru_clear = {
    .id = "MRU-clear",
    .variants = { "fixed", "fixed-removed", "broken-untagged", "broken-plain" },
    .nvariants = 4,
    .nobserve = 3,
    .cell_size = sizeof(struct mru_cell),
    .init = mru_init,
    .body = { mru_t0, mru_t1 },
    .observe = mru_observe,
};
