/*
 * liburcu peers of bench/.../RcuReadBench, RcuSynchronizeBench and RcuCallbackBench, built once per
 * flavor (GM_URCU_MEMB, GM_URCU_QSBR, GM_URCU_MB) with liburcu's inline fast paths (_LGPL_SOURCE):
 *   read      rcu_read_lock + rcu_read_unlock, 1 and 2 threads (QSBR: thread registered online)
 *   sync      synchronize_rcu latency with one idle reader (registered, blocked outside any section;
 *             QSBR: offline while it blocks) and with busy readers (cores - 1 of them, at least 1).
 *             Idle means registered: with no registered thread at all liburcu returns at once (memb then
 *             skips its membarrier calls), which is not what a program with reader threads sees.
 *   call_rcu  call_rcu of a batch of callbacks, then rcu_barrier; cost per callback ("batch"), and the
 *             call_rcu calls alone ("enqueue", what the caller pays). liburcu's call_rcu thread sleeps
 *             about 10 ms before taking each batch, so "batch" is mostly that delay over the batch.
 * One JSON line per figure (bench_common.h). Quick by default, --full longer; --threads N adds a team of N
 * readers, --read-only skips sync and call_rcu.
 */
#define _LGPL_SOURCE
#if defined(GM_URCU_MEMB)
#define RCU_MEMBARRIER
#include <urcu.h>
#define GM_IMPL "liburcu-memb"
#elif defined(GM_URCU_MB)
#define RCU_MB
#include <urcu.h>
#define GM_IMPL "liburcu-mb"
#elif defined(GM_URCU_QSBR)
#include <urcu-qsbr.h>
#define GM_IMPL "liburcu-qsbr"
#define GM_QSBR 1
#else
#error "define one of GM_URCU_MEMB, GM_URCU_QSBR, GM_URCU_MB"
#endif
#include <sched.h>
#include <unistd.h>

#include "bench_common.h"

#define READ_BATCH 4096

/* ---------------------------------------------------------------------------- read side */

static void read_body(void *unused)
{
    (void)unused;
    for (int k = 0; k < READ_BATCH; k++) {
        rcu_read_lock();
        GM_COMPILER_BARRIER();
        rcu_read_unlock();
    }
}

static double read_member(int index)
{
    (void)index;
    rcu_register_thread();      /* QSBR: registered threads are online */
    double ns = gm_measure(read_body, NULL, READ_BATCH);
    rcu_unregister_thread();
    return ns;
}

/* ---------------------------------------------------------------------------- synchronize */

/* Written by main before the readers start and after they must stop; read by the readers. */
static atomic_int stop_readers;
static int shared_value;
static int *_Atomic shared_ptr = &shared_value;
static atomic_long reader_sections;

static void *busy_reader(void *unused)
{
    (void)unused;
    rcu_register_thread();
    long n = 0;
    while (!atomic_load_explicit(&stop_readers, memory_order_relaxed)) {
        for (int k = 0; k < 64; k++) {
            rcu_read_lock();
            int *p = rcu_dereference(shared_ptr);
            GM_COMPILER_BARRIER();
            n += *p;
            rcu_read_unlock();
#ifdef GM_QSBR
            rcu_quiescent_state();
#endif
        }
        n++;
    }
    atomic_fetch_add(&reader_sections, n);
    rcu_unregister_thread();
    return NULL;
}

static void sync_body(void *unused)
{
    (void)unused;
    synchronize_rcu();
}

/* The idle reader blocks here until the measurement is over. */
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static atomic_int idle_registered;

static void *idle_reader(void *unused)
{
    (void)unused;
    rcu_register_thread();
#ifdef GM_QSBR
    rcu_thread_offline();       /* a QSBR thread goes offline before it blocks */
#endif
    atomic_store(&idle_registered, 1);
    pthread_mutex_lock(&idle_lock);
    while (!atomic_load(&stop_readers)) {
        pthread_cond_wait(&idle_cond, &idle_lock);
    }
    pthread_mutex_unlock(&idle_lock);
#ifdef GM_QSBR
    rcu_thread_online();
#endif
    rcu_unregister_thread();
    return NULL;
}

static void sync_bench(void)
{
    /* The measuring thread is not registered: it only writes. */
    pthread_t idle;
    atomic_store(&stop_readers, 0);
    pthread_create(&idle, NULL, idle_reader, NULL);
    while (!atomic_load(&idle_registered)) {
        sched_yield();
    }
    double idle_ns = gm_measure(sync_body, NULL, 1);
    pthread_mutex_lock(&idle_lock);
    atomic_store(&stop_readers, 1);
    pthread_cond_broadcast(&idle_cond);
    pthread_mutex_unlock(&idle_lock);
    pthread_join(idle, NULL);
    gm_emit("sync", "idle", GM_IMPL, 1, 0, idle_ns);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int readers = cores > 2 ? (int)cores - 1 : 1;
    pthread_t tid[64];
    atomic_store(&stop_readers, 0);
    for (int i = 0; i < readers; i++) {
        pthread_create(&tid[i], NULL, busy_reader, NULL);
    }
    double ns = gm_measure(sync_body, NULL, 1);
    atomic_store(&stop_readers, 1);
    for (int i = 0; i < readers; i++) {
        pthread_join(tid[i], NULL);
    }
    gm_emit("sync", "busy", GM_IMPL, readers, 0, ns);
}

/* ---------------------------------------------------------------------------- call_rcu */

#define CALLBACK_BATCH 10000

static struct rcu_head heads[CALLBACK_BATCH];
static atomic_long callbacks_run;
static double enqueue_ns;       /* time spent in call_rcu itself; main thread only */

static void count_callback(struct rcu_head *head)
{
    (void)head;
    atomic_fetch_add_explicit(&callbacks_run, 1, memory_order_relaxed);
}

/* Each head is reused only after rcu_barrier() has run its callback. */
static void call_rcu_body(void *unused)
{
    (void)unused;
    double t0 = gm_now_ns();
    for (int i = 0; i < CALLBACK_BATCH; i++) {
        call_rcu(&heads[i], count_callback);
    }
    enqueue_ns += gm_now_ns() - t0;
#ifdef GM_QSBR
    rcu_thread_offline();
#endif
    rcu_barrier();
#ifdef GM_QSBR
    rcu_thread_online();
#endif
}

static void call_rcu_bench(void)
{
    rcu_register_thread();
    call_rcu_body(NULL);        /* one batch to start liburcu's call_rcu thread before timing */
    long before = atomic_load(&callbacks_run);
    enqueue_ns = 0;             /* summed over every batch gm_measure runs, its warm-up included */
    double ns = gm_measure(call_rcu_body, NULL, CALLBACK_BATCH);
    long batches = (atomic_load(&callbacks_run) - before) / CALLBACK_BATCH;
    rcu_unregister_thread();
    gm_emit("call_rcu", "batch", GM_IMPL, 1, CALLBACK_BATCH, ns);
    gm_emit("call_rcu", "enqueue", GM_IMPL, 1, CALLBACK_BATCH, enqueue_ns / ((double)batches * CALLBACK_BATCH));
}

int main(int argc, char **argv)
{
    gm_parse_args(argc, argv);
    int counts[3], n = gm_thread_counts(counts);
    for (int i = 0; i < n; i++) {
        gm_emit("read", "lock_unlock", GM_IMPL, counts[i], 0, gm_run_team(counts[i], read_member));
    }
    if (gm_read_only) {
        return 0;
    }
    sync_bench();
    call_rcu_bench();
    return 0;
}
