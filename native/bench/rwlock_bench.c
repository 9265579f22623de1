/*
 * pthread_rwlock peer of the read-side benchmarks: rdlock + unlock of one shared lock, 1 and 2 threads
 * (and N with --threads N; the C counterpart of ReentrantReadWriteLock.readLock() in bench/.../RcuReadBench).
 */
#include "bench_common.h"

#define BATCH 4096

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

static void body(void *unused)
{
    (void)unused;
    for (int k = 0; k < BATCH; k++) {
        pthread_rwlock_rdlock(&lock);
        GM_COMPILER_BARRIER();
        pthread_rwlock_unlock(&lock);
    }
}

static double member(int index)
{
    (void)index;
    return gm_measure(body, NULL, BATCH);
}

int main(int argc, char **argv)
{
    gm_parse_args(argc, argv);
    int counts[3], n = gm_thread_counts(counts);
    for (int i = 0; i < n; i++) {
        gm_emit("read", "lock_unlock", "pthread-rwlock", counts[i], 0, gm_run_team(counts[i], member));
    }
    return 0;
}
