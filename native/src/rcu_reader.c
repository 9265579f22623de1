/*
 * C readers in a Java RCU domain: the reader half of the protocol documented in guestmem.h and in
 * the Java RcuReaderTableDescriptor, step for step (RL-*, RU-*, QS-*, ON-*, OFF-*).
 */
#include "guestmem.h"

#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

static gm_rcu_table_header *hdr(const gm_rcu_reader *r) { return (gm_rcu_table_header *)(uintptr_t)r->table; }
static gm_rcu_slot *slot(const gm_rcu_reader *r) { return (gm_rcu_slot *)(uintptr_t)r->slot; }

#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wtsan"
#endif
/* The placeholder fence of RL-3 / RU-2: a full fence (FENCE, QSBR) or a compiler barrier (MEMBARRIER:
 * the Java writer's membarrier(2) in GP-1 / GP-5 supplies the hardware half). */
static inline void placeholder_fence(const gm_rcu_reader *r)
{
    if (r->flavor == GM_RCU_FLAVOR_MEMBARRIER) {
        __asm__ __volatile__("" ::: "memory");
    } else {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
}
static inline void full_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif

/* RU-3: if the writer flagged this slot, clear the flag; the Java writer polls at least every millisecond. */
static inline void clear_waiting(gm_rcu_slot *s)
{
    if (__atomic_load_n(&s->waiting, __ATOMIC_ACQUIRE)) {  /* acquire; pairs with GP-4's release */
        __atomic_store_n(&s->waiting, 0, __ATOMIC_RELAXED);
    }
}

GM_API int32_t gm_rcu_reader_register(uint64_t table_addr, gm_rcu_reader *r)
{
    if (table_addr == 0 || r == NULL) {
        return -EINVAL;
    }
    gm_rcu_table_header *h = (gm_rcu_table_header *)(uintptr_t)table_addr;
    if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != GM_RCU_MAGIC) {
        return -EINVAL;
    }
    uint64_t n = h->slot_count;
    uint64_t token = ((uint64_t)GM_RCU_OWNER_KIND_C << 56) | ((uint64_t)syscall(SYS_gettid) & ((1ull << 56) - 1));
    gm_rcu_slot *slots = (gm_rcu_slot *)(h + 1);
    for (uint64_t i = 0; i < n; i++) {
        if (__atomic_load_n(&slots[i].owner, __ATOMIC_RELAXED) != 0) {
            continue;
        }
        /* SLOT_LIMIT: CAS max before the slot is used, so the writer's scan (GP-3) covers it. */
        uint64_t limit = __atomic_load_n(&h->slot_limit, __ATOMIC_SEQ_CST);
        while (limit < i + 1 && !__atomic_compare_exchange_n(&h->slot_limit, &limit, i + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        uint64_t expected = 0;
        /* OWNER: seq_cst CAS 0 -> token; pairs with the release store of 0 by the previous owner. */
        if (__atomic_compare_exchange_n(&slots[i].owner, &expected, token, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            r->table = table_addr;
            r->slot = (uint64_t)(uintptr_t)&slots[i];
            r->depth = 0;
            r->flavor = (uint32_t)h->flavor;
            if (r->flavor == GM_RCU_FLAVOR_QSBR) {
                gm_rcu_reader_online(r);
            }
            return 0;
        }
    }
    return -EBUSY;
}

GM_API int32_t gm_rcu_reader_unregister(gm_rcu_reader *r)
{
    if (r == NULL || r->slot == 0) {
        return -EINVAL;
    }
    if (r->depth != 0) {
        return -EBUSY;
    }
    gm_rcu_slot *s = slot(r);
    __atomic_store_n(&s->ctr, 0, __ATOMIC_RELEASE);
    full_fence();
    __atomic_store_n(&s->waiting, 0, __ATOMIC_RELAXED);
    /* OWNER: release store of 0 after CTR and WAITING are 0; pairs with the next claimer's CAS. */
    __atomic_store_n(&s->owner, 0, __ATOMIC_RELEASE);
    r->slot = 0;
    return 0;
}

GM_API void gm_rcu_reader_lock(gm_rcu_reader *r)
{
    if (r->depth++ != 0 || r->flavor == GM_RCU_FLAVOR_QSBR) {
        return;
    }
    uint64_t g = __atomic_load_n(&hdr(r)->gp_ctr, __ATOMIC_RELAXED);  /* RL-1 */
    __atomic_store_n(&slot(r)->ctr, g, __ATOMIC_RELAXED);             /* RL-2 */
    placeholder_fence(r);                                             /* RL-3: pairs with GP-1 */
}

GM_API void gm_rcu_reader_unlock(gm_rcu_reader *r)
{
    if (--r->depth != 0 || r->flavor == GM_RCU_FLAVOR_QSBR) {
        return;
    }
    gm_rcu_slot *s = slot(r);
    __atomic_store_n(&s->ctr, 0, __ATOMIC_RELEASE);  /* RU-1: the section happens before the writer's GP-3/GP-5 acquire */
    placeholder_fence(r);                            /* RU-2: pairs with GP-5 */
    clear_waiting(s);                                /* RU-3 */
}

GM_API void gm_rcu_reader_quiescent(gm_rcu_reader *r)
{
    if (r->flavor != GM_RCU_FLAVOR_QSBR) {
        return;
    }
    gm_rcu_slot *s = slot(r);
    uint64_t g = __atomic_load_n(&hdr(r)->gp_ctr, __ATOMIC_ACQUIRE);  /* QS-1 */
    if (g != __atomic_load_n(&s->ctr, __ATOMIC_RELAXED)) {
        __atomic_store_n(&s->ctr, g, __ATOMIC_RELEASE);               /* QS-2 */
        full_fence();                                                 /* QS-3 */
        clear_waiting(s);
    }
}

GM_API void gm_rcu_reader_offline(gm_rcu_reader *r)
{
    if (r->flavor != GM_RCU_FLAVOR_QSBR) {
        return;
    }
    gm_rcu_slot *s = slot(r);
    __atomic_store_n(&s->ctr, 0, __ATOMIC_RELEASE);                   /* OFF-1 */
    full_fence();
    clear_waiting(s);
}

GM_API void gm_rcu_reader_online(gm_rcu_reader *r)
{
    if (r->flavor != GM_RCU_FLAVOR_QSBR) {
        return;
    }
    __atomic_store_n(&slot(r)->ctr, __atomic_load_n(&hdr(r)->gp_ctr, __ATOMIC_ACQUIRE), __ATOMIC_RELAXED); /* ON-1 */
    full_fence();                                                     /* ON-2: pairs with GP-1 */
}
