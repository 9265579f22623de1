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
 * plain access relies on is therefore carried by an access here (the release store of a reader's
 * unlock read by the acquire load of synchronize's scan; the release publish of a list read by an
 * acquire dereference), and the fences are kept only where their job is store->load ordering, which
 * TSan cannot check anyway. In a TSan build gm_smp_mb and friends are still real fences (the hardware
 * needs them); only the warning is silenced, here, in one place.
 */
#ifndef GM_PROTOCOL_H
#define GM_PROTOCOL_H

#include <sched.h>
#include <stdint.h>

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

/* RCU flavors of the C twin (Java: Rcu flavors FENCE and MEMBARRIER). */
enum gm_rcu_flavor {
    GM_RCU_FENCE = 0,      /* smp_mb on the reader's lock, smp_mb on the updater (QEMU without membarrier) */
    GM_RCU_MEMBARRIER = 1, /* compiler barrier on the reader, membarrier(2) on the updater (liburcu memb) */
};

/* The grace-period counter starts at 1 and moves by 2: bit 0 is always set, so an active reader's
 * snapshot is never 0 (QEMU RCU_GP_LOCKED / RCU_GP_CTR). */
#define GM_RCU_GP_START 1u
#define GM_RCU_GP_STEP 2u

/* smp_mb_global: the updater's full barrier that pairs with every reader's placeholder. */
static inline void gm_smp_mb_global(enum gm_rcu_flavor flavor)
{
    if (flavor == GM_RCU_MEMBARRIER) {
        (void)gm_membarrier(); /* every running thread of the process passes a full barrier */
    } else {
        gm_smp_mb();
    }
}

/*
 * Outermost read lock of one reader slot.
 * *ctr: the reader's slot; written by its owner only (here: relaxed store of the gp snapshot), read by
 *       gm_rcu_synchronize's scan. The store must be visible before any load of an RCU-protected
 *       pointer in the section: smp_mb in the FENCE flavor (pairs with gm_smp_mb_global at the start
 *       of gm_rcu_synchronize), a compiler barrier in the MEMBARRIER flavor (the updater's membarrier
 *       supplies the CPU barrier).
 * *gp_ctr: written only by the synchronizing updater (relaxed), read here relaxed.
 */
static inline __attribute__((always_inline)) void gm_rcu_read_lock(const uint64_t *gp_ctr, uint64_t *ctr,
                                                                   enum gm_rcu_flavor flavor)
{
    gm_store_relaxed(ctr, gm_load_relaxed(gp_ctr));
    if (flavor == GM_RCU_MEMBARRIER) {
        gm_compiler_barrier();
    } else {
        gm_smp_mb();
    }
}

/* Outermost read unlock: release store of 0, so every access of the section happens before the scan
 * that reads 0 (pairs with the acquire load in gm_rcu_synchronize). */
static inline __attribute__((always_inline)) void gm_rcu_read_unlock(uint64_t *ctr)
{
    gm_store_release(ctr, 0);
}

/* Spins until *p no longer holds a snapshot older than gp (0 = quiescent, gp = started after the bump).
 * Acquire: pairs with the release store of gm_rcu_read_unlock, so reclamation after the wait is ordered
 * after the reader's section, for the hardware and for ThreadSanitizer. */
static inline void gm_rcu_wait_reader(const uint64_t *ctr, uint64_t gp)
{
    for (uint32_t spins = 0;; spins++) {
        uint64_t c = gm_load_acquire(ctr);
        if (c == 0 || c == gp) {
            return;
        }
        gm_cpu_relax();
        if ((spins & 0x3fffu) == 0x3fffu) {
            sched_yield(); /* the reader may share our CPU: let it run and leave its section */
        }
    }
}

/*
 * synchronize: returns when every read section that began before the call has ended.
 * Single updater (the caller serializes updaters, as QEMU's rcu_sync_lock does).
 *   1. smp_mb_global: the caller's unlink (W-2-1) is ordered before the scan of reader slots; pairs
 *      with the smp_mb (or compiler barrier + this membarrier) after the reader's counter store.
 *   2. bump *gp_ctr by GM_RCU_GP_STEP (relaxed; only the updater writes it): readers that lock after
 *      this store the new value and do not extend the wait.
 *   3. wait for every slot holding an older snapshot.
 */
static inline void gm_rcu_synchronize(uint64_t *gp_ctr, uint64_t *const *slots, int nslots, enum gm_rcu_flavor flavor)
{
    gm_smp_mb_global(flavor);
    uint64_t gp = gm_load_relaxed(gp_ctr) + GM_RCU_GP_STEP;
    gm_store_relaxed(gp_ctr, gp);
    for (int i = 0; i < nslots; i++) {
        gm_rcu_wait_reader(slots[i], gp);
    }
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
