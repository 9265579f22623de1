/*
 * Shared scaffolding of the native benchmarks: the clock, the run length tiers (quick by default,
 * --full longer), the timed loop, threads that start together, and the JSON line every figure is
 * printed as. org.guestmem.bench.BenchRunner reads those lines and prints each figure beside the
 * Java one measured in the same run.
 *
 * One JSON object per line, keys in this order:
 *   {"name":"read_lock_unlock","flavor":"memb","threads":1,"ns_per_op":1.09,"ops_per_s":9.2e8,
 *    "min_ns_per_op":1.05,"max_ns_per_op":1.20,"rounds":5}
 * ns_per_op is the mean over rounds of the time one thread spends per operation (what JMH's
 * AverageTime reports with several threads); ops_per_s is the throughput of all threads together.
 */
#ifndef GM_BENCH_H
#define GM_BENCH_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keeps the compiler from merging or dropping loop iterations; emits no instruction. */
#define GM_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

/* How long each measurement runs: warmup once, then `rounds` timed rounds of `round_ns` each. */
struct gm_tier {
    int full;
    int64_t warmup_ns;
    int64_t round_ns;
    int rounds;
};

static inline int64_t gm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Parses the command line shared by every native benchmark: [--full] [--quick] [--help]. */
static inline struct gm_tier gm_parse_args(int argc, char **argv, const char *what)
{
    struct gm_tier t = { 0, 100 * 1000 * 1000, 100 * 1000 * 1000, 5 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0) {
            t.full = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            t.full = 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s [--quick|--full]\n%s\nPrints one JSON object per measurement.\n", argv[0], what);
            exit(0);
        } else {
            fprintf(stderr, "%s: unknown argument '%s' (expected --quick or --full)\n", argv[0], argv[i]);
            exit(2);
        }
    }
    if (t.full) {
        t.warmup_ns = 1000LL * 1000 * 1000;
        t.round_ns = 1000LL * 1000 * 1000;
        t.rounds = 10;
    }
    return t;
}

/* One measurement: per-round ns/op of each thread, summarised into mean, min and max. */
struct gm_result {
    double sum_ns;      /* sum over rounds (and threads) of ns per op */
    double min_ns;
    double max_ns;
    double ops_per_s;   /* sum over rounds of the all-threads throughput */
    int samples;        /* rounds x threads */
    int rounds;
};

static inline void gm_result_init(struct gm_result *r)
{
    memset(r, 0, sizeof *r);
    r->min_ns = 1e300;
}

static inline void gm_result_add(struct gm_result *r, double ns_per_op)
{
    r->sum_ns += ns_per_op;
    r->min_ns = ns_per_op < r->min_ns ? ns_per_op : r->min_ns;
    r->max_ns = ns_per_op > r->max_ns ? ns_per_op : r->max_ns;
    r->samples++;
}

static inline void gm_emit(const char *name, const char *flavor, int threads, const struct gm_result *r)
{
    double mean = r->samples ? r->sum_ns / r->samples : 0;
    double ops = r->rounds ? r->ops_per_s / r->rounds : (mean > 0 ? threads * 1e9 / mean : 0);
    printf("{\"name\":\"%s\",\"flavor\":\"%s\",\"threads\":%d,\"ns_per_op\":%.4g,\"ops_per_s\":%.4g,"
           "\"min_ns_per_op\":%.4g,\"max_ns_per_op\":%.4g,\"rounds\":%d}\n",
           name, flavor, threads, mean, ops, r->min_ns, r->max_ns, r->rounds);
    fflush(stdout);
}

/*
 * Runs body(arg) (which performs `batch` operations) until `ns` have passed; returns ns per operation.
 * The clock is read once per batch, so its cost is spread over `batch` operations.
 */
static inline double gm_timed(void (*body)(void *), void *arg, long batch, int64_t ns)
{
    int64_t start = gm_now_ns(), now;
    long ops = 0;
    do {
        body(arg);
        ops += batch;
        now = gm_now_ns();
    } while (now - start < ns);
    return (double)(now - start) / (double)ops;
}

/* A start line for N threads (pthread barriers are optional in POSIX; glibc has them). */
static inline void gm_barrier_wait(pthread_barrier_t *b)
{
    int rc = pthread_barrier_wait(b);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
        fprintf(stderr, "pthread_barrier_wait failed: %d\n", rc);
        exit(1);
    }
}

/* Starts fn(arg_i) on `n` threads, arg_i = base + i * stride bytes; waits for all of them. */
static inline void gm_run_threads(int n, void *(*fn)(void *), void *base, size_t stride)
{
    pthread_t tids[64];
    if (n > 64) {
        fprintf(stderr, "at most 64 threads, asked for %d\n", n);
        exit(2);
    }
    for (int i = 0; i < n; i++) {
        if (pthread_create(&tids[i], NULL, fn, (char *)base + (size_t)i * stride) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(tids[i], NULL);
    }
}

/*
 * A read-side measurement on `threads` threads at once: each thread runs init(), then the warmup,
 * then every round starts on all threads together (a barrier) and times body() in batches.
 */
#define GM_MAX_THREADS 64
#define GM_MAX_ROUNDS 64

struct gm_parallel {
    int threads;
    struct gm_tier tier;
    long batch;                      /* operations per body() call */
    void (*init)(void);              /* per thread, before the warmup (registration); may be NULL */
    void (*fini)(void);              /* per thread, after the last round; may be NULL */
    void (*body)(void *ctx);         /* one batch; ctx is the thread's own gm_parallel_ctx */
    pthread_barrier_t start;
    double ns[GM_MAX_THREADS][GM_MAX_ROUNDS];   /* each written by its own thread, read after join */
};

struct gm_parallel_ctx {
    struct gm_parallel *p;
    int index;
    long sink;                       /* what the body computed, so that it cannot be dropped */
    char pad[64];                    /* one cache line per thread context */
};

static inline void *gm_parallel_thread(void *arg)
{
    struct gm_parallel_ctx *c = arg;
    struct gm_parallel *p = c->p;
    if (p->init) {
        p->init();
    }
    gm_barrier_wait(&p->start);
    gm_timed((void (*)(void *))p->body, c, p->batch, p->tier.warmup_ns);
    for (int r = 0; r < p->tier.rounds; r++) {
        gm_barrier_wait(&p->start);
        p->ns[c->index][r] = gm_timed((void (*)(void *))p->body, c, p->batch, p->tier.round_ns);
    }
    if (p->fini) {
        p->fini();
    }
    return NULL;
}

/* Runs the measurement and prints its JSON line. */
static inline void gm_measure_parallel(struct gm_parallel *p, const char *name, const char *flavor)
{
    struct gm_parallel_ctx ctx[GM_MAX_THREADS];
    if (p->threads < 1 || p->threads > GM_MAX_THREADS || p->tier.rounds > GM_MAX_ROUNDS) {
        fprintf(stderr, "%s: %d threads / %d rounds out of range\n", name, p->threads, p->tier.rounds);
        exit(2);
    }
    pthread_barrier_init(&p->start, NULL, (unsigned)p->threads);
    for (int i = 0; i < p->threads; i++) {
        ctx[i] = (struct gm_parallel_ctx){ .p = p, .index = i };
    }
    gm_run_threads(p->threads, gm_parallel_thread, ctx, sizeof ctx[0]);
    pthread_barrier_destroy(&p->start);
    struct gm_result res;
    gm_result_init(&res);
    res.rounds = p->tier.rounds;
    for (int r = 0; r < p->tier.rounds; r++) {
        double round_ops = 0;
        for (int i = 0; i < p->threads; i++) {
            gm_result_add(&res, p->ns[i][r]);
            round_ops += 1e9 / p->ns[i][r];
        }
        res.ops_per_s += round_ops;
    }
    gm_emit(name, flavor, p->threads, &res);
}

#endif /* GM_BENCH_H */
