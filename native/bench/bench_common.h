/*
 * Shared pieces of the native benchmarks: a monotonic clock, the --full switch, a timed loop that
 * reports nanoseconds per operation, N threads that start together, and the JSON line format
 * {"bench":...,"variant":...,"impl":...,"threads":N,"param":P,"ns_per_op":X,"ops_per_s":Y} that BenchRunner
 * reads; ops_per_s is 1e9 / ns_per_op, the rate of one measuring thread.
 */
#ifndef GM_BENCH_COMMON_H
#define GM_BENCH_COMMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Quick: 1 warm-up + 3 measured repetitions of 0.2 s; --full: 1 + 5 of 1 s. */
static double gm_rep_seconds = 0.2;
static int gm_reps = 3;
/* --threads N: the read-side team sizes become 1, 2 and N (distinct, N <= 64); default 1 and 2. */
static int gm_max_threads = 2;
/* --read-only: only the read-side figures (the scaling curves need no synchronize or call_rcu). */
static int gm_read_only;

static inline void gm_parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full")) {
            gm_rep_seconds = 1.0;
            gm_reps = 5;
        } else if (!strcmp(argv[i], "--read-only")) {
            gm_read_only = 1;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 64) {
                fprintf(stderr, "%s: --threads '%s' is not a number from 1 to 64\n", argv[0], argv[i]);
                exit(2);
            }
            gm_max_threads = (int)n;
        } else {
            fprintf(stderr, "%s: unknown argument '%s' (known: --full, --threads N, --read-only)\n", argv[0], argv[i]);
            exit(2);
        }
    }
}

/* The read-side team sizes: 1, 2 and gm_max_threads, each once and ascending; returns how many. */
static inline int gm_thread_counts(int counts[3])
{
    int n = 0;
    counts[n++] = 1;
    if (gm_max_threads >= 2) {
        counts[n++] = 2;
    }
    if (gm_max_threads > 2) {
        counts[n++] = gm_max_threads;
    }
    return n;
}

static inline double gm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Compiler-only barrier: keeps a loop body from being merged or hoisted, costs no instruction. */
#define GM_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

static inline void gm_emit(const char *bench, const char *variant, const char *impl, int threads, long param, double ns)
{
    printf("{\"bench\":\"%s\",\"variant\":\"%s\",\"impl\":\"%s\",\"threads\":%d,\"param\":%ld,\"ns_per_op\":%.4f,"
           "\"ops_per_s\":%.4g}\n", bench, variant, impl, threads, param, ns, ns > 0 ? 1e9 / ns : 0.0);
    fflush(stdout);
}

/*
 * Runs body(arg) in batches until `seconds` have passed; returns ns per call. The body does `batch`
 * operations per call.
 */
static inline double gm_time_loop(void (*body)(void *), void *arg, long batch, double seconds)
{
    uint64_t ops = 0;
    double start = gm_now_ns(), end;
    do {
        body(arg);
        ops += (uint64_t)batch;
        end = gm_now_ns();
    } while (end - start < seconds * 1e9);
    return (end - start) / (double)ops;
}

/* Mean over gm_reps measured repetitions after one warm-up repetition. */
static inline double gm_measure(void (*body)(void *), void *arg, long batch)
{
    gm_time_loop(body, arg, batch, gm_rep_seconds);
    double sum = 0;
    for (int r = 0; r < gm_reps; r++) {
        sum += gm_time_loop(body, arg, batch, gm_rep_seconds);
    }
    return sum / gm_reps;
}

/* N threads that each run `run(index)` after all have started; returns the mean of their results. */
struct gm_team {
    int n;
    double (*run)(int index);
    atomic_int ready;
    double results[64];
};

struct gm_member {
    struct gm_team *team;
    int index;
};

static inline void *gm_member_main(void *p)
{
    struct gm_member *m = p;
    atomic_fetch_add(&m->team->ready, 1);
    while (atomic_load(&m->team->ready) < m->team->n) {
        /* spin until every member has started */
    }
    m->team->results[m->index] = m->team->run(m->index);
    return NULL;
}

static inline double gm_run_team(int n, double (*run)(int index))
{
    struct gm_team team = { .n = n, .run = run };
    pthread_t tid[64];
    struct gm_member members[64];
    atomic_init(&team.ready, 0);
    for (int i = 0; i < n; i++) {
        members[i] = (struct gm_member){ &team, i };
        if (pthread_create(&tid[i], NULL, gm_member_main, &members[i]) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(tid[i], NULL);
        sum += team.results[i];
    }
    return sum / n;
}

#endif
