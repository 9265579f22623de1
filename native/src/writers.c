/* C writer threads for migration tests and the soak: a C device model writing and marking guest RAM. */
#include "guestmem.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct writers;

struct writer_thread {
    pthread_t tid;
    struct writers *group;
    uint32_t seed;
    uint32_t index;
    gm_writer_stats stats;   /* written by this thread only, read by gm_writers_stop after the join */
    uint64_t written;        /* running count: written by the owner, read by gm_writers_written (relaxed atomics) */
};

struct writers {
    gm_writer_config cfg;
    int stop;                /* written by gm_writers_stop, read by the threads (relaxed atomics) */
    pthread_mutex_t lock;    /* guards pause and parked */
    pthread_cond_t changed;  /* signalled when pause or parked changes */
    int pause;
    uint32_t parked;         /* threads parked by a pause */
    uint32_t exited;         /* threads that could not join the domain and returned */
    struct writer_thread t[];
};

static uint64_t next_random(uint32_t *s)
{
    /* xorshift32, twice for 64 bits */
    uint64_t hi, lo;
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; hi = *s;
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; lo = *s;
    return hi << 32 | lo;
}

/* Parks the calling thread (outside any read section) while the group is paused. */
static void park_if_paused(struct writers *g, gm_rcu_reader *r)
{
    pthread_mutex_lock(&g->lock);
    if (g->pause) {
        gm_rcu_reader_offline(r);   /* QSBR: a parked thread holds no grace period back */
        g->parked++;
        pthread_cond_broadcast(&g->changed);
        while (g->pause && !__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
            pthread_cond_wait(&g->changed, &g->lock);
        }
        g->parked--;
        gm_rcu_reader_online(r);
    }
    pthread_mutex_unlock(&g->lock);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* With a rate: sleeps until this thread's share of writes_per_second allows ops writes since start. */
static void throttle(const gm_writer_config *cfg, uint64_t start, uint64_t ops)
{
    if (cfg->writes_per_second == 0) {
        return;
    }
    double per_thread = (double)cfg->writes_per_second / cfg->threads;
    uint64_t due = start + (uint64_t)(ops / per_thread * 1e9), now = now_ns();
    if (due > now) {
        uint64_t wait = due - now;
        struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
        nanosleep(&ts, NULL);
    }
}

static void *writer_main(void *arg)
{
    struct writer_thread *t = arg;
    struct writers *g = t->group;
    const gm_writer_config *cfg = &g->cfg;
    const gm_ram_root *ram = (const gm_ram_root *)(uintptr_t)cfg->ram_root;
    const gm_dirty_root *dirty = (const gm_dirty_root *)(uintptr_t)cfg->dirty_root;
    /* a name in /proc/self/task/N/comm, so a leak check can tell these threads from the JVM's */
    (void)pthread_setname_np(pthread_self(), "gm-writer");
    gm_rcu_reader r;
    if (gm_rcu_reader_register(cfg->rcu_table, &r) != 0) {
        t->stats.errors++;
        pthread_mutex_lock(&g->lock);
        g->exited++;
        pthread_cond_broadcast(&g->changed);
        pthread_mutex_unlock(&g->lock);
        return NULL;
    }
    uint64_t seq = 0, start = now_ns();
    while (!__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
        park_if_paused(g, &r);
        throttle(cfg, start, t->stats.ops);
        for (int i = 0; i < 64; i++) {
            /* A value that differs for every write of every thread, so a lost write shows as a changed byte. */
            uint64_t value = (uint64_t)(t->index + 1) << 56 | ++seq;
            uint64_t addr = (next_random(&t->seed) % (cfg->ram_span / 8)) * 8;
            gm_rcu_reader_lock(&r);
            int32_t rc;
            if (cfg->flags & GM_WRITERS_RAM_WRITE) {
                rc = gm_ram_write(ram, dirty, addr, &value, 8, cfg->client_mask);
                if (rc == 0) {
                    t->stats.written++;
                    t->stats.marked += cfg->client_mask != 0;
                } else if (rc == -EFAULT || rc == -ERANGE) {
                    t->stats.misses++;   /* translation failed: nothing written (a mark failure cannot be ERANGE here) */
                } else {
                    t->stats.errors++;
                }
            } else {
                uint64_t host;
                if (gm_ram_translate(ram, addr, 8, &host) == 0) {
                    /* The device's store; the block stays mapped until this section ends. */
                    __atomic_store_n((uint64_t *)(uintptr_t)host, value, __ATOMIC_RELAXED);
                    t->stats.written++;
                    if (cfg->client_mask != 0) {
                        /* DS-1: releases the store above; pairs with the migration's take (DT-2). */
                        if (gm_dirty_set_range(dirty, addr, 8, cfg->client_mask) == 0) {
                            t->stats.marked++;
                        } else {
                            t->stats.errors++;
                        }
                    }
                } else {
                    t->stats.misses++;
                }
            }
            gm_rcu_reader_unlock(&r);
            gm_rcu_reader_quiescent(&r);
            t->stats.ops++;
            __atomic_store_n(&t->written, t->stats.written, __ATOMIC_RELAXED);
        }
    }
    gm_rcu_reader_offline(&r);
    gm_rcu_reader_unregister(&r);
    return NULL;
}

GM_API int32_t gm_writers_start(const gm_writer_config *cfg, uint64_t *handle_out)
{
    if (cfg == NULL || handle_out == NULL || cfg->rcu_table == 0 || cfg->ram_root == 0 || cfg->ram_span < 8
        || cfg->threads == 0 || cfg->threads > 64 || (cfg->client_mask & ~GM_DIRTY_MASK_ALL) != 0
        || (cfg->client_mask != 0 && cfg->dirty_root == 0) || (cfg->flags & ~GM_WRITERS_RAM_WRITE) != 0) {
        return -EINVAL;
    }
    struct writers *g = calloc(1, sizeof *g + cfg->threads * sizeof(struct writer_thread));
    if (g == NULL) {
        return -ENOMEM;
    }
    g->cfg = *cfg;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->changed, NULL);
    for (uint32_t i = 0; i < cfg->threads; i++) {
        g->t[i].group = g;
        g->t[i].index = i;
        g->t[i].seed = cfg->seed * 2654435761u + i + 1;
        int rc = pthread_create(&g->t[i].tid, NULL, writer_main, &g->t[i]);
        if (rc != 0) {
            __atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
            for (uint32_t j = 0; j < i; j++) {
                pthread_join(g->t[j].tid, NULL);
            }
            pthread_cond_destroy(&g->changed);
            pthread_mutex_destroy(&g->lock);
            free(g);
            return -rc;
        }
    }
    *handle_out = (uint64_t)(uintptr_t)g;
    return 0;
}

GM_API int32_t gm_writers_pause(uint64_t handle)
{
    struct writers *g = (struct writers *)(uintptr_t)handle;
    if (g == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&g->lock);
    g->pause = 1;
    /* A thread that failed to register has returned and never parks. */
    while (g->parked + g->exited < g->cfg.threads) {
        pthread_cond_wait(&g->changed, &g->lock);
    }
    pthread_mutex_unlock(&g->lock);
    return 0;
}

GM_API int32_t gm_writers_resume(uint64_t handle)
{
    struct writers *g = (struct writers *)(uintptr_t)handle;
    if (g == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&g->lock);
    g->pause = 0;
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
    return 0;
}

GM_API int64_t gm_writers_written(uint64_t handle)
{
    struct writers *g = (struct writers *)(uintptr_t)handle;
    if (g == NULL) {
        return -EINVAL;
    }
    uint64_t n = 0;
    for (uint32_t i = 0; i < g->cfg.threads; i++) {
        n += __atomic_load_n(&g->t[i].written, __ATOMIC_RELAXED);
    }
    return (int64_t)n;
}

GM_API int32_t gm_writers_stop(uint64_t handle, gm_writer_stats *out)
{
    struct writers *g = (struct writers *)(uintptr_t)handle;
    if (g == NULL || out == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&g->lock);
    __atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < g->cfg.threads; i++) {
        pthread_join(g->t[i].tid, NULL);
        out->ops += g->t[i].stats.ops;
        out->written += g->t[i].stats.written;
        out->marked += g->t[i].stats.marked;
        out->misses += g->t[i].stats.misses;
        out->errors += g->t[i].stats.errors;
    }
    pthread_cond_destroy(&g->changed);
    pthread_mutex_destroy(&g->lock);
    free(g);
    return 0;
}
