/*
 * The C side of the interop protocol, end to end and in C only (so ThreadSanitizer can watch all of
 * it): reader threads join an RCU domain table through gm_rcu_reader_*, translate RAM addresses through
 * the published block table (gm_ram_translate) and write guest memory, while an updater thread adds
 * and frees blocks with the W-1/W-2 steps and a synchronize that follows the Java writer's GP-1..GP-5.
 *
 * Detection: before the updater reclaims a block it poisons the block's first word; a reader that
 * finds poison in a block it translated inside its current read section has used a reclaimed block.
 * The fixed run must see zero such uses, for every flavor. The broken run (readers skip the read
 * section) must see some, which shows the check bites. In the broken run blocks are poisoned but never
 * unmapped, so the failure is counted rather than a crash.
 */
#include "guestmem.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8
#define READERS 3
#define MAX_BLOCKS 16
#define BLOCK_SIZE (64u * 1024u)
#define POISON 0xdeadbeefdeadbeefull

struct table_mem {
    gm_rcu_table_header h;
    gm_rcu_slot slots[SLOTS];
};

static struct table_mem *domain;
static gm_ram_root root;
static int flavor;
static int broken;
static volatile int stop;   /* written by main, read by all: accessed with __atomic */
static uint64_t violations, reader_ops;
static uint64_t updater_rounds;  /* written by the updater, read by main (atomics) */

#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wtsan"  /* the fences order store->load, which TSan does not model anyway */
#endif
static void fence_global(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (flavor == GM_RCU_FLAVOR_MEMBARRIER) {
        gm_membarrier();
    }
}

/* The Java writer's synchronize, in C (GP-1..GP-5 of RcuReaderTableDescriptor). */
static void synchronize(void)
{
    fence_global();                                                                 /* GP-1 */
    uint64_t gp = __atomic_load_n(&domain->h.gp_ctr, __ATOMIC_RELAXED) + GM_RCU_GP_STEP;
    __atomic_store_n(&domain->h.gp_ctr, gp, __ATOMIC_RELEASE);                      /* GP-2 */
    uint64_t limit = __atomic_load_n(&domain->h.slot_limit, __ATOMIC_SEQ_CST);
    for (;;) {
        int pending = 0;
        for (uint64_t i = 0; i < limit; i++) {                                      /* GP-3 */
            if (__atomic_load_n(&domain->slots[i].owner, __ATOMIC_ACQUIRE) == 0) {
                continue;
            }
            uint64_t c = __atomic_load_n(&domain->slots[i].ctr, __ATOMIC_ACQUIRE);
            if (c != 0 && c != gp) {
                pending++;
                __atomic_store_n(&domain->slots[i].waiting, 1, __ATOMIC_RELEASE);  /* GP-4 */
            }
        }
        if (!pending) {
            return;
        }
        fence_global();                                                             /* GP-5 */
        sched_yield();
    }
}

struct block {
    uint8_t *host;
    uint64_t offset;
};
static struct block live[MAX_BLOCKS];
static int nlive;
static uint64_t version;

/* Builds and release-publishes a table of the live blocks (W-1-1 / W-2-1); returns the old table. */
static void *publish(void)
{
    gm_block_table *t = calloc(1, sizeof *t + MAX_BLOCKS * sizeof(gm_block_entry));
    gm_block_entry *e = (gm_block_entry *)(t + 1);
    /* live[] is kept sorted by offset */
    for (int i = 0; i < nlive; i++) {
        e[i].offset = live[i].offset;
        e[i].used_length = e[i].max_length = BLOCK_SIZE;
        e[i].host = (uint64_t)(uintptr_t)live[i].host;
    }
    t->count = (uint32_t)nlive;
    t->version = version + 1;
    void *old = (void *)(uintptr_t)__atomic_exchange_n(&root.table, (uint64_t)(uintptr_t)t, __ATOMIC_RELEASE);
    version++;
    __atomic_store_n(&root.version, version, __ATOMIC_RELEASE);                     /* W-x-2 */
    return old;
}

static void *updater(void *arg)
{
    (void)arg;
    unsigned seed = 7;
    uint64_t rounds = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        if (nlive < 4 || (nlive < MAX_BLOCKS && rand_r(&seed) % 2)) {
            uint64_t slot_no;
            /* pick a free slot in the RAM-address space: offsets i * BLOCK_SIZE */
            for (slot_no = 0;; slot_no++) {
                int used = 0;
                for (int i = 0; i < nlive; i++) {
                    used |= live[i].offset == slot_no * BLOCK_SIZE;
                }
                if (!used) {
                    break;
                }
            }
            uint8_t *host = mmap(NULL, BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            int at = nlive;
            while (at > 0 && live[at - 1].offset > slot_no * BLOCK_SIZE) {
                live[at] = live[at - 1];
                at--;
            }
            live[at] = (struct block){host, slot_no * BLOCK_SIZE};
            nlive++;
            void *old = publish();                                                  /* W-1-1, W-1-2 */
            synchronize();
            free(broken ? NULL : old);  /* the broken run leaks tables so that it counts, not crashes */
        } else {
            int victim = rand_r(&seed) % nlive;
            struct block b = live[victim];
            memmove(&live[victim], &live[victim + 1], (size_t)(nlive - victim - 1) * sizeof live[0]);
            nlive--;
            void *old = publish();                                                  /* W-2-1, W-2-2 */
            synchronize();                                                          /* W-2-3: grace period */
            __atomic_store_n((uint64_t *)b.host, POISON, __ATOMIC_RELAXED);         /* reclaim: poison ... */
            if (!broken) {
                synchronize();                                                      /* (let poison checks of old sections end) */
                munmap(b.host, BLOCK_SIZE);                                         /* ... and unmap */
            }
            free(broken ? NULL : old);
        }
        rounds++;
        __atomic_store_n(&updater_rounds, rounds, __ATOMIC_RELAXED);
    }
    return (void *)(uintptr_t)rounds;
}

static void *reader(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    gm_rcu_reader r;
    if (gm_rcu_reader_register((uint64_t)(uintptr_t)domain, &r) != 0) {
        abort();
    }
    uint64_t ops = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        if (!broken) {
            gm_rcu_reader_lock(&r);
        }
        uint64_t addr = (uint64_t)(rand_r(&seed) % (MAX_BLOCKS)) * BLOCK_SIZE;
        uint64_t host;
        if (gm_ram_translate(&root, addr, 8, &host) == 0) {
            uint64_t *word = (uint64_t *)(uintptr_t)host;
            if (__atomic_load_n(word, __ATOMIC_RELAXED) == POISON) {
                __atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
            } else {
                __atomic_store_n(word + 1, ops, __ATOMIC_RELAXED);  /* guest memory write */
            }
        }
        if (!broken) {
            gm_rcu_reader_unlock(&r);
        }
        gm_rcu_reader_quiescent(&r);
        ops++;
    }
    gm_rcu_reader_unregister(&r);
    __atomic_fetch_add(&reader_ops, ops, __ATOMIC_RELAXED);
    return NULL;
}

static void run(int fl, int brk, double seconds, uint64_t *rounds)
{
    flavor = fl;
    broken = brk;
    stop = 0;
    violations = reader_ops = 0;
    updater_rounds = 0;
    nlive = 0;
    domain = aligned_alloc(64, sizeof *domain);
    memset(domain, 0, sizeof *domain);
    domain->h.gp_ctr = GM_RCU_GP_INITIAL;
    domain->h.slot_count = SLOTS;
    domain->h.flavor = (uint64_t)fl;
    __atomic_store_n(&domain->h.magic, GM_RCU_MAGIC, __ATOMIC_RELEASE);
    root.table = 0;
    free(publish());
    pthread_t u, rd[READERS];
    for (int i = 0; i < READERS; i++) {
        pthread_create(&rd[i], NULL, reader, (void *)(uintptr_t)(i + 1));
    }
    pthread_create(&u, NULL, updater, NULL);
    /* Run for `seconds`, and on a loaded machine longer, until the updater has raced the readers at
     * least 20 times (at most 10 s). */
    struct timespec tick = {0, 50 * 1000 * 1000};
    for (double waited = 0; waited < 10.0; waited += 0.05) {
        if (waited >= seconds && __atomic_load_n(&updater_rounds, __ATOMIC_RELAXED) >= 20
            && (!brk || __atomic_load_n(&violations, __ATOMIC_RELAXED) > 0)) {
            break;
        }
        nanosleep(&tick, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    void *res;
    pthread_join(u, &res);
    for (int i = 0; i < READERS; i++) {
        pthread_join(rd[i], NULL);
    }
    *rounds = (uint64_t)(uintptr_t)res;
    for (int i = 0; i < nlive; i++) {
        munmap(live[i].host, BLOCK_SIZE);
    }
    free((void *)(uintptr_t)root.table);
    free(domain);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.4;
    uint64_t rounds;
    gm_rcu_reader r;
    ok(gm_rcu_reader_register(0, &r) == -EINVAL, "a NULL table is refused");
    static uint64_t not_a_table[64];
    ok(gm_rcu_reader_register((uint64_t)(uintptr_t)not_a_table, &r) == -EINVAL, "a table without the magic is refused");

    int have_memb = gm_membarrier_register() == 0;
    int flavors[] = {GM_RCU_FLAVOR_FENCE, GM_RCU_FLAVOR_MEMBARRIER, GM_RCU_FLAVOR_QSBR};
    const char *names[] = {"FENCE", "MEMBARRIER", "QSBR"};
    for (int f = 0; f < 3; f++) {
        if (flavors[f] == GM_RCU_FLAVOR_MEMBARRIER && !have_memb) {
            printf("# MEMBARRIER skipped: membarrier(2) unavailable\n");
            continue;
        }
        run(flavors[f], 0, seconds, &rounds);
        ok(violations == 0 && rounds >= 20 && reader_ops > 1000,
           "%s: %llu reader ops, %llu add/free rounds, %llu uses of a reclaimed block", names[f],
           (unsigned long long)reader_ops, (unsigned long long)rounds, (unsigned long long)violations);
    }
#if !defined(__SANITIZE_THREAD__)
    /* The broken variant races by design; under ThreadSanitizer it would (rightly) be reported. */
    run(GM_RCU_FLAVOR_FENCE, 1, seconds, &rounds);
    ok(violations > 0, "broken (no read sections): %llu uses of a reclaimed block detected in %llu ops",
       (unsigned long long)violations, (unsigned long long)reader_ops);
#endif
    return tap_done();
}
