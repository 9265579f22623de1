/* run.h: runs one scenario variant on two real threads and grades what it saw. */
#ifndef GM_LITMUS_RUN_H
#define GM_LITMUS_RUN_H

#include <stdint.h>

#include "litmus.h"
#include "table.h"

#define RUN_MAX_CPUS 1024
#define RUN_MAX_OTHER 8

/* The machine, as far as the verdicts depend on it. */
struct machine {
    char arch[65];
    int tso;                  /* 1 on x86: only store->load reordering can show */
    char cpu_model[128];
    char kernel[65];
    int cpus_online;
    int ncpus;                /* CPUs this process may run on */
    int cpus[RUN_MAX_CPUS];
    int tsan;                 /* built with -fsanitize=thread */
    int membarrier;           /* 0 when gm_membarrier_register() succeeded, else its -errno */
};

struct run_config {
    int64_t iterations;       /* samples per variant */
    int64_t batch;            /* cells per thread start */
    int64_t patience;         /* OBSERVABLE variants: more samples allowed until the failure shows */
    double patience_seconds;  /* ... and at most this long */
    double max_seconds;       /* other variants stop after the batch that passes this (slow membarrier IPIs) */
    int pin;                  /* pin the two threads to two different CPUs */
};

enum verdict {
    V_PASS,                       /* NEVER, and never seen */
    V_FAIL_FORBIDDEN,             /* NEVER, but seen: a protocol bug (or a harness bug) */
    V_FAILURE_OBSERVED,           /* a broken variant was shown broken */
    V_FAIL_NOT_OBSERVED,          /* OBSERVABLE, two CPUs, never seen in the full patience: the test is not effective */
    V_INCONCLUSIVE,               /* OBSERVABLE, not seen yet when the time ran out short of the patience: no verdict */
    V_NOT_OBSERVABLE_ON_THIS_CPU, /* WEAK_ONLY on x86-TSO */
    V_NOT_OBSERVED,               /* allowed to stay unseen here (weak CPU, one CPU) */
    V_NOT_CHECKED,                /* ThreadSanitizer build: broken variants are not graded */
    V_SKIPPED,                    /* needs something this machine lacks */
};

struct other_outcome {
    uint32_t values[LT_MAX_OBSERVE];
    uint64_t count;
};

struct run_result {
    const struct lt_scenario *scenario;
    const struct lt_variant *variant;
    int64_t samples;
    uint64_t counts[LT_MAX_OUTCOMES];  /* per listed outcome, table order */
    int nother;                        /* outcomes the table does not list (graded by its "*" line) */
    struct other_outcome other[RUN_MAX_OTHER];
    uint64_t other_overflow;           /* unlisted samples beyond RUN_MAX_OTHER distinct tuples */
    uint64_t forbidden;
    uint64_t interesting;
    double seconds;
    int pinned;
    enum verdict verdict;
    char detail[200];
};

void machine_probe(struct machine *m);

/* Runs variant v (table) of scenario s (table) with implementation impl; fills *r. Returns 0, or -1
 * with a message in err when the run could not be made (memory, threads). */
int run_variant(const struct machine *m, const struct run_config *cfg, const gm_litmus_impl *impl,
                const struct lt_scenario *s, const struct lt_variant *v, struct run_result *r, char *err, int errlen);

const char *verdict_name(enum verdict v);
int verdict_failed(enum verdict v);
int verdict_inconclusive(enum verdict v); /* out of time before a verdict: exit status 3 */

#endif /* GM_LITMUS_RUN_H */
