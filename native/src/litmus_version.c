/* Litmus bodies of MP-version and VERSION-drop (ORDERING.md "The version protocol"). */
#include "litmus.h"

/* ---------------------------------------------------------------- MP-version */

enum { MP_FIXED, MP_FENCES, MP_RELAXED, MP_PLAIN };

struct mp_cell {
    /* blocks: 0 = the old list, 1 = the list with the new block. Written by the updater (W-1-1,
     * release: qatomic_rcu_set), read by the reader (R-1-2, acquire: qatomic_rcu_read). */
    _Alignas(64) uint64_t list;
    /* version: written by the updater (W-1-2), read by the reader (R-1-1). fixed: release store
     * paired with the acquire load; fences: smp_wmb before a relaxed store paired with smp_rmb after
     * a relaxed load; broken variants: relaxed or plain, unpaired. */
    _Alignas(64) uint64_t version;
};

static int32_t mp_init(void *cell, int variant)
{
    struct mp_cell *c = cell;
    (void)variant;
    c->list = 0;
    c->version = 0;
    return 0;
}

static inline __attribute__((always_inline)) uint64_t mp_updater(struct mp_cell *c, int64_t i, const int v)
{
    (void)i;
    gm_store_release(&c->list, 1); /* W-1-1: publish the list that holds the new block */
    switch (v) {
    case MP_FIXED:
        gm_version_bump_release(&c->version); /* W-1-2: release; pairs with the acquire of R-1-1 */
        break;
    case MP_FENCES:
        gm_smp_wmb(); /* W-1-2, old form: "write list before version"; pairs with smp_rmb in mp_reader */
        gm_store_relaxed(&c->version, gm_load_plain(&c->version) + 1);
        break;
    case MP_RELAXED:
        gm_store_relaxed(&c->version, gm_load_plain(&c->version) + 1); /* broken: nothing orders it after W-1-1 */
        break;
    default:
        c->version = c->version + 1; /* broken: plain store, a data race with R-1-1 */
        break;
    }
    return 0;
}

static inline __attribute__((always_inline)) uint64_t mp_reader(struct mp_cell *c, int64_t i, const int v)
{
    (void)i;
    uint64_t version;
    switch (v) {
    case MP_FIXED:
        version = gm_version_load_acquire(&c->version); /* R-1-1: acquire; pairs with W-1-2 */
        break;
    case MP_FENCES:
        version = gm_load_relaxed(&c->version);
        gm_smp_rmb(); /* R-1-1, old form: "read version before the list"; pairs with smp_wmb in mp_updater */
        break;
    case MP_RELAXED:
        version = gm_load_relaxed(&c->version); /* broken: may be satisfied after R-1-2 */
        break;
    default:
        version = c->version; /* broken: plain load, a data race with W-1-2 */
        break;
    }
    uint64_t list = gm_load_acquire(&c->list); /* R-1-2 */
    return version | list << 1;
}

GM_LITMUS_THREAD(mp_t0, mp_updater, struct mp_cell, 0)
GM_LITMUS_THREAD(mp_t1, mp_reader, struct mp_cell, 1)

static void mp_observe(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values)
{
    (void)cell, (void)r0, (void)variant;
    values[0] = (uint32_t)(r1 & 1);        /* version: old new */
    values[1] = (uint32_t)(r1 >> 1 & 1);   /* list: old new */
}

const gm_litmus_impl gm_litmus_mp_version = {
    .id = "MP-version",
    .variants = { "fixed", "fences", "broken-relaxed", "broken-plain" },
    .nvariants = 4,
    .nobserve = 2,
    .cell_size = sizeof(struct mp_cell),
    .init = mp_init,
    .body = { mp_t0, mp_t1 },
    .observe = mp_observe,
};

/* -------------------------------------------------------------- VERSION-drop */

enum { VD_FIXED, VD_FENCES, VD_RELAXED, VD_NOCHECK, VD_PLAIN };
enum { VD_DROP, VD_LIVE, VD_DEAD };

/* How long the cursor works between its two read sections, in delay turns. */
#define VD_GAP_SPAN 512u

struct vd_cell {
    /* blocks as a snapshot id: 0 = [A], 1 = [B, A], 2 = [B]. Written by the updater (W-1-1, W-2-1:
     * release), read by the cursor (R-1-2: acquire). */
    _Alignas(64) uint64_t list;
    /* version: written by the updater (W-1-2, W-2-2), read by the cursor (R-1-1, R-2-1). fixed:
     * release stores, acquire at R-1-1 (pairs with them), relaxed at R-2-1 (ordered by the grace
     * period, ORDERING.md case 2). */
    _Alignas(64) uint64_t version;
    /* a one-reader RCU domain (FENCE) and the cursor's membership of it (cursor thread only). */
    _Alignas(64) gm_rcu_domain1 rcu;
    _Alignas(64) gm_rcu_reader reader;
    /* block memory: A is reclaimed (poisoned) after W-2-3's grace period, B never. */
    _Alignas(64) uint64_t a;
    uint64_t b;
};

static int32_t vd_init(void *cell, int variant)
{
    struct vd_cell *c = cell;
    (void)variant;
    c->list = 0;
    c->version = 0;
    c->a = GM_LITMUS_LIVE;
    c->b = GM_LITMUS_LIVE;
    return gm_rcu_domain1_init(&c->rcu, GM_RCU_FLAVOR_FENCE, &c->reader);
}

/* W-1-2 / W-2-2 in the variant's form. */
static inline __attribute__((always_inline)) void vd_bump(struct vd_cell *c, const int v)
{
    switch (v) {
    case VD_FENCES:
        gm_smp_wmb(); /* "write list before version"; pairs with smp_rmb in vd_reader */
        gm_store_relaxed(&c->version, gm_load_plain(&c->version) + 1);
        break;
    case VD_RELAXED:
        gm_store_relaxed(&c->version, gm_load_plain(&c->version) + 1); /* broken: unordered */
        break;
    case VD_PLAIN:
        c->version = c->version + 1; /* broken: plain, a data race with R-1-1 and R-2-1 */
        break;
    default:
        gm_version_bump_release(&c->version); /* release; pairs with the acquire of R-1-1 */
        break;
    }
}

static inline __attribute__((always_inline)) uint64_t vd_updater(struct vd_cell *c, int64_t i, const int v)
{
    gm_litmus_delay(gm_litmus_jitter(i, 0x9e3779b9u, 256)); /* vary where W-1..W-2 fall against R-1..R-2 */
    gm_store_release(&c->list, 1); /* W-1-1: insert B */
    vd_bump(c, v);                 /* W-1-2 */
    gm_store_release(&c->list, 2); /* W-2-1: unlink A */
    vd_bump(c, v);                 /* W-2-2 */
    gm_rcu_synchronize(&c->rcu.header, GM_RCU_FLAVOR_FENCE); /* W-2-3: callRcu's grace period ... */
    gm_store_plain(&c->a, GM_LITMUS_DEAD);              /* ... then the reclaim callback */
    return 0;
}

static inline __attribute__((always_inline)) uint64_t vd_reader(struct vd_cell *c, int64_t i, const int v)
{
    uint64_t last_version;
    gm_rcu_reader_lock(&c->reader); /* */
    switch (v) {
    case VD_FENCES:
        last_version = gm_load_relaxed(&c->version);
        gm_smp_rmb(); /* R-1-1, old form: "read version before the list"; pairs with vd_bump's smp_wmb */
        break;
    case VD_RELAXED:
        last_version = gm_load_relaxed(&c->version); /* broken: may be satisfied after R-1-2 */
        break;
    case VD_PLAIN:
        last_version = c->version; /* broken: plain load, a data race with W-1-2/W-2-2 */
        break;
    default:
        last_version = gm_version_load_acquire(&c->version); /* R-1-1: pairs with W-1-2/W-2-2 */
        break;
    }
    uint64_t seen_b = gm_load_acquire(&c->list) == 2; /* R-1-2: the cursor keeps the list's last block */
    gm_rcu_reader_unlock(&c->reader);

    gm_litmus_delay(gm_litmus_jitter(i, 0x85ebca6bu, VD_GAP_SPAN)); /* other work, outside any section */

    gm_rcu_reader_lock(&c->reader); /* */
    uint64_t use;
    int moved;
    if (v == VD_NOCHECK) {
        moved = 0; /* broken: R-2-1 skipped */
    } else if (v == VD_PLAIN) {
        moved = c->version != last_version; /* broken: plain load */
    } else {
        moved = gm_version_load_relaxed(&c->version) != last_version; /* R-2-1 */
    }
    if (moved) {
        use = VD_DROP; /* R-2-2: drop the cached block, restart from the head */
    } else {
        use = gm_load_plain(seen_b ? &c->b : &c->a) == GM_LITMUS_DEAD ? VD_DEAD : VD_LIVE;
    }
    gm_rcu_reader_unlock(&c->reader);
    return seen_b | use << 1;
}

GM_LITMUS_THREAD(vd_t0, vd_updater, struct vd_cell, 0)
GM_LITMUS_THREAD(vd_t1, vd_reader, struct vd_cell, 1)

static void vd_observe(const void *cell, uint64_t r0, uint64_t r1, int variant, uint32_t *values)
{
    (void)cell, (void)r0, (void)variant;
    values[0] = (uint32_t)(r1 & 1);  /* seen: A B */
    values[1] = (uint32_t)(r1 >> 1); /* use: drop live dead */
}

const gm_litmus_impl gm_litmus_version_drop = {
    .id = "VERSION-drop",
    .variants = { "fixed", "fences", "broken-relaxed", "broken-nocheck", "broken-plain" },
    .nvariants = 5,
    .nobserve = 2,
    .cell_size = sizeof(struct vd_cell),
    .init = vd_init,
    .body = { vd_t0, vd_t1 },
    .observe = vd_observe,
};
