/*
 * liburcu peers of the Java RCU benchmarks (bench/.../RcuReadBench, RcuSynchronizeBench,
 * RcuCallbackBench), built once per flavor: -DGM_URCU_MEMB, -DGM_URCU_QSBR or -DGM_URCU_MB. liburcu's
 * read-side fast paths are inlined (_LGPL_SOURCE), as an application linking liburcu would have them.
 *
 *   read_lock_unlock   rcu_read_lock; p = rcu_dereference(ptr); sum += p->value; rcu_read_unlock
 *                      on 1 and 2 threads (QSBR: the threads are registered, hence online)
 *   synchronize_idle   synchronize_rcu latency, one registered reader that is blocked outside any read
 *                      section (QSBR: offline while it blocks)
 *   synchronize_busy   synchronize_rcu latency, one reader looping over read_lock_unlock's body
 *                      (QSBR: plus rcu_quiescent_state after each section)
 *   call_rcu           a batch of call_rcu, then rcu_barrier; time per callback (ops_per_s: callbacks/s).
 *                      liburcu's call_rcu thread sleeps about 10 ms before each batch it takes, so this
 *                      figure is mostly that delay spread over the batch.
 *   call_rcu_enqueue   the same batches, timing only the call_rcu calls (what the caller pays)
 *
 * The Java side does the same operations with the same thread counts; names and "threads" match the
 * keys BenchRunner pairs on. Quick by default; --full runs longer.
 */
#define _LGPL_SOURCE
#define _GNU_SOURCE
#if defined(GM_URCU_MEMB)
#include <urcu/urcu-memb.h>
#define GM_FLAVOR "memb"
#define U(x) urcu_memb_##x
#elif defined(GM_URCU_QSBR)
#include <urcu/urcu-qsbr.h>
#define GM_FLAVOR "qsbr"
#define GM_QSBR 1
#define U(x) urcu_qsbr_##x
#elif defined(GM_URCU_MB)
#include <urcu/urcu-mb.h>
#define GM_FLAVOR "mb"
#define U(x) urcu_mb_##x
#else
#error "define one of GM_URCU_MEMB, GM_URCU_QSBR, GM_URCU_MB"
#endif
#include <urcu/pointer.h>
#include <sched.h>
#include <stdatomic.h>

#include "gm_bench.h"

#define READ_BATCH 4096
#define CALL_BATCH 10000

/* The RCU-protected datum: published once before any reader starts, only dereferenced afterwards. */
struct node {
    long value;
};
static struct node the_node = { 1 };
static struct node *shared_node = &the_node;

/* ---------------------------------------------------------------------------------- read side */

static inline long read_section(void)
{
    U(read_lock)();
    struct node *p = rcu_dereference(shared_node);
    long v = p->value;
    U(read_unlock)();
    return v;
}

static void read_body(void *arg)
{
    struct gm_parallel_ctx *c = arg;
    long sum = 0;
    for (int k = 0; k < READ_BATCH; k++) {
        sum += read_section();
    }
    c->sink += sum;
}

static void reader_init(void)
{
    U(register_thread)();       /* QSBR: a registered thread is online */
}

static void reader_fini(void)
{
    U(unregister_thread)();
}

static void bench_read(struct gm_tier tier, int threads)
{
    struct gm_parallel p = { .threads = threads, .tier = tier, .batch = READ_BATCH,
                             .init = reader_init, .fini = reader_fini, .body = read_body };
    gm_measure_parallel(&p, "read_lock_unlock", GM_FLAVOR);
}

/* ---------------------------------------------------------------------------------- synchronize */

/* Written by the writer (main) when the readers must stop; read by the readers (relaxed: a hint). */
static atomic_int stop_readers;
/* Reader started (registered): written by the reader, read by the writer before it measures. */
static atomic_int readers_ready;
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;

static void *idle_reader(void *unused)
{
    (void)unused;
    U(register_thread)();
#ifdef GM_QSBR
    U(thread_offline)();        /* a QSBR thread goes offline before it blocks */
#endif
    atomic_fetch_add(&readers_ready, 1);
    pthread_mutex_lock(&idle_lock);
    while (!atomic_load(&stop_readers)) {
        pthread_cond_wait(&idle_cond, &idle_lock);
    }
    pthread_mutex_unlock(&idle_lock);
#ifdef GM_QSBR
    U(thread_online)();
#endif
    U(unregister_thread)();
    return NULL;
}

static void *busy_reader(void *unused)
{
    (void)unused;
    long sum = 0;
    U(register_thread)();
    atomic_fetch_add(&readers_ready, 1);
    while (!atomic_load_explicit(&stop_readers, memory_order_relaxed)) {
        for (int k = 0; k < 64; k++) {
            sum += read_section();
#ifdef GM_QSBR
            U(quiescent_state)();
#endif
        }
    }
    U(unregister_thread)();
    return (void *)sum;
}

#define SYNC_BATCH 8

static void sync_body(void *unused)
{
    (void)unused;
    for (int k = 0; k < SYNC_BATCH; k++) {
        U(synchronize_rcu)();
    }
}

static void bench_synchronize(struct gm_tier tier, const char *name, void *(*reader)(void *), int readers)
{
    pthread_t tids[GM_MAX_THREADS];
    atomic_store(&stop_readers, 0);
    atomic_store(&readers_ready, 0);
    for (int i = 0; i < readers; i++) {
        if (pthread_create(&tids[i], NULL, reader, NULL) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    while (atomic_load(&readers_ready) < readers) {
        sched_yield();
    }
    struct gm_result res;
    gm_result_init(&res);
    res.rounds = tier.rounds;
    gm_timed(sync_body, NULL, SYNC_BATCH, tier.warmup_ns);
    for (int r = 0; r < tier.rounds; r++) {
        double ns = gm_timed(sync_body, NULL, SYNC_BATCH, tier.round_ns);
        gm_result_add(&res, ns);
        res.ops_per_s += 1e9 / ns;
    }
    pthread_mutex_lock(&idle_lock);
    atomic_store(&stop_readers, 1);
    pthread_cond_broadcast(&idle_cond);
    pthread_mutex_unlock(&idle_lock);
    for (int i = 0; i < readers; i++) {
        pthread_join(tids[i], NULL);
    }
    gm_emit(name, GM_FLAVOR, readers, &res);
}

/* ---------------------------------------------------------------------------------- call_rcu */

static struct rcu_head heads[CALL_BATCH];
/* Incremented by liburcu's call_rcu thread, read by main after rcu_barrier (which orders the two). */
static atomic_long callbacks_run;
static int64_t enqueue_ns;          /* main thread only */

static void count_callback(struct rcu_head *head)
{
    (void)head;
    atomic_fetch_add_explicit(&callbacks_run, 1, memory_order_relaxed);
}

static void call_body(void *unused)
{
    (void)unused;
    int64_t t0 = gm_now_ns();
    for (int i = 0; i < CALL_BATCH; i++) {
        U(call_rcu)(&heads[i], count_callback);
    }
    enqueue_ns += gm_now_ns() - t0;
#ifdef GM_QSBR
    U(thread_offline)();        /* rcu_barrier blocks: a QSBR caller goes offline first */
#endif
    U(barrier)();
#ifdef GM_QSBR
    U(thread_online)();
#endif
}

static void bench_call_rcu(struct gm_tier tier)
{
    struct gm_result all, enq;
    gm_result_init(&all);
    gm_result_init(&enq);
    all.rounds = enq.rounds = tier.rounds;
    U(register_thread)();       /* call_rcu from a registered thread (QSBR: online) */
    long expected = 0;
    int64_t t0 = gm_now_ns();
    do {
        call_body(NULL);
        expected += CALL_BATCH;
    } while (gm_now_ns() - t0 < tier.warmup_ns);
    for (int r = 0; r < tier.rounds; r++) {
        enqueue_ns = 0;
        int64_t start = gm_now_ns(), now;
        long ops = 0;
        do {
            call_body(NULL);
            ops += CALL_BATCH;
            now = gm_now_ns();
        } while (now - start < tier.round_ns);
        expected += ops;
        double ns = (double)(now - start) / ops;
        gm_result_add(&all, ns);
        all.ops_per_s += 1e9 / ns;
        double ens = (double)enqueue_ns / ops;
        gm_result_add(&enq, ens);
        enq.ops_per_s += 1e9 / ens;
    }
    U(unregister_thread)();
    if (atomic_load(&callbacks_run) != expected) {
        fprintf(stderr, "call_rcu: %ld callbacks queued but %ld ran after rcu_barrier\n", expected,
                atomic_load(&callbacks_run));
        exit(1);
    }
    gm_emit("call_rcu", GM_FLAVOR, 1, &all);
    gm_emit("call_rcu_enqueue", GM_FLAVOR, 1, &enq);
}

int main(int argc, char **argv)
{
    struct gm_tier tier = gm_parse_args(argc, argv,
            "liburcu " GM_FLAVOR ": read_lock_unlock (1, 2 threads), synchronize_idle, synchronize_busy, call_rcu.");
    bench_read(tier, 1);
    bench_read(tier, 2);
    bench_synchronize(tier, "synchronize_idle", idle_reader, 1);
    bench_synchronize(tier, "synchronize_busy", busy_reader, 1);
    bench_call_rcu(tier);
    return 0;
}
