/*
 * protocol.h: the ordering protocol of ORDERING.md in C11 atomics, the C twin of the Java library.
 *
 * Internal to the shim and the litmus harness (nothing here is exported from libguestmem.so yet).
 * Every shared word is a plain uint64_t accessed through GCC's __atomic builtins, so the same words can
 * live in memory that Java reaches through MemorySegment var handles.
 *
 * Vocabulary (ORDERING.md "Mapping of primitives"; the Java twin uses the VarHandle words):
 *   gm_load_plain      / gm_store_plain       plain access (get/set): owner-only words and broken variants
 *   gm_load_relaxed    / gm_store_relaxed     memory_order_relaxed   (getOpaque/setOpaque, qatomic_read/set)
 *   gm_load_acquire                           memory_order_acquire   (getAcquire, qatomic_load_acquire,
 *                                                                      qatomic_rcu_read)
 *   gm_store_release                          memory_order_release   (setRelease, qatomic_store_release,
 *                                                                      qatomic_rcu_set)
 *   gm_load_seq_cst    / gm_store_seq_cst     memory_order_seq_cst   (getVolatile/setVolatile)
 *   gm_smp_mb / gm_smp_wmb / gm_smp_rmb       seq_cst / release / acquire fence (fullFence/releaseFence/acquireFence)
 *   gm_compiler_barrier                       orders the compiler only (the membarrier flavor's reader side)
 *
 * ThreadSanitizer does not model stand-alone fences (gcc says so with -Wtsan). Every ordering that a
 * plain access relies on is therefore carried by an access (RU-1's release store of CTR read by GP-3's
 * acquire load; the release publish of a list read by an acquire dereference), and the fences are kept only where their job is store->load ordering, which
 * TSan cannot check anyway. In a TSan build gm_smp_mb and friends are still real fences (the hardware
 * needs them); only the warning is silenced, here, in one place.
 */
#ifndef GM_PROTOCOL_H
#define GM_PROTOCOL_H

#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "guestmem.h"

#if defined(__x86_64__) || defined(__i386__)
#define gm_cpu_relax() __builtin_ia32_pause()
#else
#define gm_cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

/* ------------------------------------------------------------------ accesses */

static inline uint64_t gm_load_plain(const uint64_t *p) { return *p; }
static inline void gm_store_plain(uint64_t *p, uint64_t v) { *p = v; }
static inline uint64_t gm_load_relaxed(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void gm_store_relaxed(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint64_t gm_load_acquire(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void gm_store_release(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t gm_load_seq_cst(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void gm_store_seq_cst(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

/* ------------------------------------------------------------------- fences */

#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wtsan"
#endif
/* smp_mb: orders every earlier access before every later one, store->load included. */
static inline void gm_smp_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
/* smp_wmb: earlier accesses before later stores (a release fence). */
static inline void gm_smp_wmb(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
/* smp_rmb: earlier loads before later accesses (an acquire fence). */
static inline void gm_smp_rmb(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif

/* The reader half of the membarrier scheme: no CPU fence, only the compiler is kept from reordering;
 * the CPU-level store->load order comes from the updater's membarrier(2) (gm_smp_mb_global). */
static inline void gm_compiler_barrier(void) { __asm__ __volatile__("" ::: "memory"); }

/* ---------------------------------------------------------------------- RCU */
/*
 * The reader half of an RCU domain is the shim's gm_rcu_reader_* (rcu_reader.c, steps RL-*, RU-*; the
 * layout is the Java RcuReaderTableDescriptor's). Below is the C twin of the writer half (GP-*), for C
 * code that updates a domain it owns, such as the litmus harness. It never blocks: where the Java writer
 * sets WAITING and parks (GP-4, GP-5), this one re-reads the pending slots until they move.
 */

/* GP-1 / GP-5's global fence: a full fence, plus membarrier(2) for a MEMBARRIER domain (its readers'
 * RL-3 is only a compiler barrier; membarrier supplies the hardware half on every running thread). */
static inline void gm_smp_mb_global(uint32_t flavor)
{
    gm_smp_mb();
    if (flavor == GM_RCU_FLAVOR_MEMBARRIER) {
        (void)gm_membarrier();
    }
}

/* GP-3 / GP-5 for one slot: spins while CTR holds a snapshot older than gp (0 = quiescent, gp = began
 * after GP-2). Acquire: pairs with RU-1's release store, so reclamation after the wait is ordered after
 * the reader's section, for the CPU and for ThreadSanitizer. */
static inline void gm_rcu_wait_slot(const gm_rcu_slot *s, uint64_t gp)
{
    for (uint32_t spins = 1;; spins++) {
        uint64_t c = gm_load_acquire(&s->ctr);
        if (c == 0 || c == gp) {
            return;
        }
        gm_cpu_relax();
        if ((spins & 0x3fffu) == 0) {
            sched_yield(); /* the reader may share our CPU: let it run and leave its section */
        }
    }
}

/*
 * synchronize on the domain at h: returns when every read section that began before the call ended.
 * One writer at a time (the caller serializes). flavor picks GP-1's fence (normally h->flavor; the
 * litmus harness passes another one to build its broken variants).
 */
static inline void gm_rcu_synchronize(gm_rcu_table_header *h, uint32_t flavor)
{
    gm_smp_mb_global(flavor);                         /* GP-1: pairs with the readers' RL-3 */
    uint64_t gp = gm_load_plain(&h->gp_ctr) + GM_RCU_GP_STEP;
    gm_store_release(&h->gp_ctr, gp);                 /* GP-2 */
    gm_rcu_slot *slots = (gm_rcu_slot *)(h + 1);
    uint64_t limit = gm_load_acquire(&h->slot_limit);
    for (uint64_t i = 0; i < limit; i++) {
        if (gm_load_relaxed(&slots[i].owner) != 0) {
            gm_rcu_wait_slot(&slots[i], gp);          /* GP-3, then GP-5 by spinning */
        }
    }
}

/* A domain with one reader slot, laid out as the Java table is (header, then 64-byte slots). */
typedef struct gm_rcu_domain1 {
    gm_rcu_table_header header;
    gm_rcu_slot slot;
} gm_rcu_domain1;

/* Makes *d an empty domain of the given flavor and registers r as its one reader (r must then be used
 * by one thread only). Returns gm_rcu_reader_register's result. */
static inline int32_t gm_rcu_domain1_init(gm_rcu_domain1 *d, uint32_t flavor, gm_rcu_reader *r)
{
    memset(d, 0, sizeof *d);
    d->header.gp_ctr = GM_RCU_GP_INITIAL;
    d->header.slot_count = 1;
    d->header.flavor = flavor;
    gm_store_release(&d->header.magic, GM_RCU_MAGIC); /* pairs with the acquire in gm_rcu_reader_register */
    return gm_rcu_reader_register((uint64_t)(uintptr_t)d, r);
}

/* ------------------------------------------------------ version and mruBlock */

/* W-1-2 / W-2-2: release store of version + 1 (a plain read of the old value is enough: only the
 * mutex holder writes). Pairs with the acquire load of R-1-1 (gm_version_load_acquire). */
static inline void gm_version_bump_release(uint64_t *version)
{
    gm_store_release(version, gm_load_plain(version) + 1);
}

/* R-1-1: acquire load where a cache is filled; pairs with gm_version_bump_release (W-1-2/W-2-2). */
static inline uint64_t gm_version_load_acquire(const uint64_t *version) { return gm_load_acquire(version); }

/* R-2-1: relaxed load where a cache is checked; ordered after W-2-2 by the grace period, not by
 * this load (ORDERING.md case 2). */
static inline uint64_t gm_version_load_relaxed(const uint64_t *version) { return gm_load_relaxed(version); }

/*
 * mruBlock tagged with the version read before the walk that found the block. The word holds
 * (version << 16) | block id, block id 0 meaning empty. A lookup uses the cached block only while the
 * tag equals the current version: a reader that stores a just-removed block after the updater cleared
 * mruBlock stores an old tag (it read the version before W-2-2, or it would not have found the block),
 * and every lookup after the grace period reads a newer version (W-2-2 happens before the grace period
 * ends), so the stale entry is never used.
 * Accesses to the word are relaxed (ORDERING.md "Why mruBlock may be relaxed").
 */
#define GM_MRU_ID_BITS 16
#define GM_MRU_ID_MASK ((1u << GM_MRU_ID_BITS) - 1u)

static inline uint64_t gm_mru_pack(uint64_t version, uint64_t block_id)
{
    return (version << GM_MRU_ID_BITS) | (block_id & GM_MRU_ID_MASK);
}
static inline uint64_t gm_mru_block(uint64_t word) { return word & GM_MRU_ID_MASK; }
static inline uint64_t gm_mru_tag(uint64_t word) { return word >> GM_MRU_ID_BITS; }

/* The block id a lookup may use from a tagged mruBlock word, or 0. */
static inline uint64_t gm_mru_hit(uint64_t word, uint64_t current_version)
{
    return gm_mru_tag(word) == current_version ? gm_mru_block(word) : 0;
}

#endif /* GM_PROTOCOL_H */
