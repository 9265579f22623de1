/* C reader threads for interop tests: a C device model's access pattern against a Java RamList. */
#include "guestmem.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct readers;

struct reader_thread {
    pthread_t tid;
    struct readers *group;
    uint32_t seed;
    gm_reader_stats stats;   /* this thread's only, read by gm_readers_stop after the join */
};

struct readers {
    gm_reader_config cfg;
    int stop;                /* written by gm_readers_stop, read by the threads (relaxed atomics) */
    struct reader_thread t[];
};

static uint64_t next_random(uint32_t *s)
{
    /* xorshift32, twice for 64 bits */
    uint64_t hi, lo;
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; hi = *s;
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; lo = *s;
    return hi << 32 | lo;
}

static void *reader_main(void *arg)
{
    struct reader_thread *t = arg;
    const gm_reader_config *cfg = &t->group->cfg;
    const gm_ram_root *root = (const gm_ram_root *)(uintptr_t)cfg->ram_root;
    /* a name in /proc/self/task/N/comm, so a leak check can tell these threads from the JVM's */
    (void)pthread_setname_np(pthread_self(), "gm-reader");
    gm_rcu_reader r;
    if (gm_rcu_reader_register(cfg->rcu_table, &r) != 0) {
        t->stats.errors++;
        return NULL;
    }
    while (!__atomic_load_n(&t->group->stop, __ATOMIC_RELAXED)) {
        for (int i = 0; i < 256; i++) {
            gm_rcu_reader_lock(&r);
            uint64_t addr = (next_random(&t->seed) % (cfg->ram_span / 8)) * 8;
            uint64_t host;
            if (gm_ram_translate(root, addr, 8, &host) == 0) {
                /* The guest memory write; the block stays mapped until this section ends. */
                __atomic_store_n((uint64_t *)(uintptr_t)host, t->stats.ops | 1, __ATOMIC_RELAXED);
                t->stats.written++;
            } else {
                t->stats.misses++;
            }
            gm_rcu_reader_unlock(&r);
            gm_rcu_reader_quiescent(&r);
            t->stats.ops++;
        }
    }
    gm_rcu_reader_offline(&r);
    gm_rcu_reader_unregister(&r);
    return NULL;
}

GM_API int32_t gm_readers_start(const gm_reader_config *cfg, uint64_t *handle_out)
{
    if (cfg == NULL || handle_out == NULL || cfg->rcu_table == 0 || cfg->ram_root == 0 || cfg->ram_span < 8
        || cfg->threads == 0 || cfg->threads > 64) {
        return -EINVAL;
    }
    struct readers *g = calloc(1, sizeof *g + cfg->threads * sizeof(struct reader_thread));
    if (g == NULL) {
        return -ENOMEM;
    }
    g->cfg = *cfg;
    for (uint32_t i = 0; i < cfg->threads; i++) {
        g->t[i].group = g;
        g->t[i].seed = cfg->seed * 2654435761u + i + 1;
        int rc = pthread_create(&g->t[i].tid, NULL, reader_main, &g->t[i]);
        if (rc != 0) {
            __atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
            for (uint32_t j = 0; j < i; j++) {
                pthread_join(g->t[j].tid, NULL);
            }
            free(g);
            return -rc;
        }
    }
    *handle_out = (uint64_t)(uintptr_t)g;
    return 0;
}

GM_API int32_t gm_readers_stop(uint64_t handle, gm_reader_stats *out)
{
    struct readers *g = (struct readers *)(uintptr_t)handle;
    if (g == NULL || out == NULL) {
        return -EINVAL;
    }
    __atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < g->cfg.threads; i++) {
        pthread_join(g->t[i].tid, NULL);
        out->ops += g->t[i].stats.ops;
        out->written += g->t[i].stats.written;
        out->misses += g->t[i].stats.misses;
        out->errors += g->t[i].stats.errors;
    }
    free(g);
    return 0;
}
