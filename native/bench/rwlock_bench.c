/*
 * The lock reference for the RCU read side: pthread_rwlock_rdlock + unlock around the same body as
 * rcu_bench.c's read_lock_unlock (load a shared pointer, add the value it points to), on 1 and 2
 * threads. Its Java counterpart is ReentrantReadWriteLock.readLock() in bench/.../LockReadBench.
 * Also the body alone, without any lock (read_body_only, flavor "none"): the floor of every read-side
 * figure, beside LockReadBench's bodyOnly on the Java side (there it includes JMH's per-call cost).
 * Prints JSON lines (gm_bench.h); quick by default, --full longer.
 */
#define _GNU_SOURCE
#include <stdatomic.h>

#include "gm_bench.h"

#define READ_BATCH 4096

struct node {
    long value;
};
static struct node the_node = { 1 };
/* Published before the readers start; read under the read lock (relaxed: the lock orders it). */
static struct node *_Atomic shared_node = &the_node;
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

static void read_body(void *arg)
{
    struct gm_parallel_ctx *c = arg;
    long sum = 0;
    for (int k = 0; k < READ_BATCH; k++) {
        pthread_rwlock_rdlock(&lock);
        sum += atomic_load_explicit(&shared_node, memory_order_relaxed)->value;
        pthread_rwlock_unlock(&lock);
    }
    c->sink += sum;
}

static void body_only(void *arg)
{
    struct gm_parallel_ctx *c = arg;
    long sum = 0;
    for (int k = 0; k < READ_BATCH; k++) {
        sum += atomic_load_explicit(&shared_node, memory_order_relaxed)->value;
        GM_COMPILER_BARRIER();  /* one load per iteration, as the locked body: no folding */
    }
    c->sink += sum;
}

int main(int argc, char **argv)
{
    struct gm_tier tier = gm_parse_args(argc, argv,
            "pthread_rwlock: read_lock_unlock on 1 and 2 threads; read_body_only (no lock) on 1 and 2 threads.");
    for (int threads = 1; threads <= 2; threads++) {
        struct gm_parallel p = { .threads = threads, .tier = tier, .batch = READ_BATCH, .body = body_only };
        gm_measure_parallel(&p, "read_body_only", "none");
    }
    for (int threads = 1; threads <= 2; threads++) {
        struct gm_parallel p = { .threads = threads, .tier = tier, .batch = READ_BATCH, .body = read_body };
        gm_measure_parallel(&p, "read_lock_unlock", "pthread_rwlock");
    }
    return 0;
}
