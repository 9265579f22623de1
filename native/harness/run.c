/* run.c: two pinned pthreads race over arrays of cells; a histogram of outcomes; the verdict rule. */
#include "run.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void machine_probe(struct machine *m)
{
    memset(m, 0, sizeof *m);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(m->arch, sizeof m->arch, "%s", u.machine);
        snprintf(m->kernel, sizeof m->kernel, "%s", u.release);
    }
#if defined(__x86_64__) || defined(__i386__)
    m->tso = 1;
#endif
#if defined(__SANITIZE_THREAD__)
    m->tsan = 1;
#endif
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (colon && (strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0)) {
            snprintf(m->cpu_model, sizeof m->cpu_model, "%s", colon + 1 + strspn(colon + 1, " \t"));
            m->cpu_model[strcspn(m->cpu_model, "\n")] = '\0';
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    m->cpus_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE && m->ncpus < RUN_MAX_CPUS; c++) {
            if (CPU_ISSET(c, &set)) {
                m->cpus[m->ncpus++] = c;
            }
        }
    } else {
        m->ncpus = m->cpus_online;
        for (int c = 0; c < m->ncpus && c < RUN_MAX_CPUS; c++) {
            m->cpus[c] = c;
        }
    }
    m->membarrier = gm_membarrier_register();
}

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = { "PASS", "FAIL", "FAILURE_OBSERVED", "FAIL_NOT_OBSERVED", "INCONCLUSIVE",
                                         "NOT_OBSERVABLE_ON_THIS_CPU", "NOT_OBSERVED", "NOT_CHECKED", "SKIPPED" };
    return names[v];
}

int verdict_failed(enum verdict v) { return v == V_FAIL_FORBIDDEN || v == V_FAIL_NOT_OBSERVED; }

int verdict_inconclusive(enum verdict v) { return v == V_INCONCLUSIVE; }

struct thread_arg {
    gm_litmus_body body;
    void *cells;
    uint64_t *regs;
    int64_t n;
    int variant;
    gm_litmus_sync *sync;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    a->body(a->cells, a->regs, a->n, a->variant, a->sync);
    return NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One batch: n fresh cells, both threads started (pinned to cpu[0], cpu[1] when pin), joined. */
static int run_batch(const gm_litmus_impl *impl, int variant, char *cells, uint64_t *regs[2], int64_t n,
                     const int cpu[2], int pin, char *err, int errlen)
{
    gm_litmus_sync sync;
    memset(&sync, 0, sizeof sync);
    for (int64_t i = 0; i < n; i++) {
        int32_t rc = impl->init(cells + (size_t)i * impl->cell_size, variant);
        if (rc < 0) {
            snprintf(err, (size_t)errlen, "cell setup failed: %s", strerror(-rc));
            return -1;
        }
    }
    pthread_t th[2];
    struct thread_arg arg[2];
    for (int t = 0; t < 2; t++) {
        arg[t] = (struct thread_arg){ impl->body[t], cells, regs[t], n, variant, &sync };
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (pin) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu[t], &set);
            pthread_attr_setaffinity_np(&attr, sizeof set, &set);
        }
        int rc = pthread_create(&th[t], &attr, thread_main, &arg[t]);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            snprintf(err, (size_t)errlen, "pthread_create failed: %s", strerror(rc));
            if (t == 1) {
                /* let thread 0 run through its rendezvous alone, then join it */
                gm_store_release(&sync.arrived[1][0], UINT64_MAX);
                pthread_join(th[0], NULL);
            }
            return -1;
        }
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    return 0;
}

static void tally(const gm_litmus_impl *impl, const struct lt_scenario *s, int variant, const char *cells,
                  uint64_t *const regs[2], int64_t n, struct run_result *r)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t values[LT_MAX_OBSERVE] = { 0 };
        impl->observe(cells + (size_t)i * impl->cell_size, regs[0][i], regs[1][i], variant, values);
        const struct lt_outcome *o = lt_outcome_of(s, values);
        if (o) {
            r->counts[o - s->outcomes]++;
            r->forbidden += o->grade == LT_FORBIDDEN;
            r->interesting += o->grade == LT_ALLOWED_INTERESTING;
            continue;
        }
        r->forbidden += s->other_grade == LT_FORBIDDEN;
        r->interesting += s->other_grade == LT_ALLOWED_INTERESTING;
        int k = 0;
        while (k < r->nother && memcmp(r->other[k].values, values, sizeof values) != 0) {
            k++;
        }
        if (k == r->nother && k == RUN_MAX_OTHER) {
            r->other_overflow++;
            continue;
        }
        if (k == r->nother) {
            memcpy(r->other[k].values, values, sizeof values);
            r->nother++;
        }
        r->other[k].count++;
    }
}

/* This CPU's memory model as an LT_CPU_* bit; 0 when it is neither x86-TSO nor ARMv8. */
static unsigned memory_model_bit(const struct machine *m)
{
#if defined(__aarch64__)
    (void)m;
    return LT_CPU_ARMV8;
#else
    return m->tso ? LT_CPU_TSO : 0;
#endif
}

static void grade(const struct machine *m, const struct run_config *cfg, struct run_result *r)
{
    switch (r->variant->expect) {
    case LT_NEVER:
        r->verdict = r->forbidden ? V_FAIL_FORBIDDEN : V_PASS;
        snprintf(r->detail, sizeof r->detail, "forbidden outcomes never seen, as required");
        if (r->forbidden) {
            snprintf(r->detail, sizeof r->detail, "forbidden outcome seen %llu times: the protocol is broken",
                     (unsigned long long)r->forbidden);
        }
        return;
    case LT_OBSERVABLE:
        if (r->forbidden) {
            r->verdict = V_FAILURE_OBSERVED;
            snprintf(r->detail, sizeof r->detail, "broken variant shown broken on this CPU");
        } else if (m->tsan) {
            r->verdict = V_NOT_CHECKED;
            snprintf(r->detail, sizeof r->detail, "not graded under ThreadSanitizer (its instrumentation orders accesses)");
        } else if (!r->pinned && m->ncpus < 2) {
            r->verdict = V_NOT_OBSERVED;
            snprintf(r->detail, sizeof r->detail, "needs two threads running at once; this process has one CPU");
        } else if (r->variant->cpus != 0 && !(r->variant->cpus & memory_model_bit(m))) {
            /* EXPECT names the CPU models that allow the outcome (the checker in org.guestmem.parity.model
             * verifies the list); this CPU's is not one of them, or is not known */
            r->verdict = memory_model_bit(m) ? V_NOT_OBSERVABLE_ON_THIS_CPU : V_NOT_OBSERVED;
            snprintf(r->detail, sizeof r->detail, memory_model_bit(m) ? "this CPU's memory model forbids it (EXPECT names the models that allow it)"
                                                               : "not graded: this CPU's memory model is not one the table names");
        } else if (r->samples >= cfg->patience) {
            r->verdict = V_FAIL_NOT_OBSERVED;
            snprintf(r->detail, sizeof r->detail, "expected to show on every CPU, never seen in %lld samples",
                     (long long)r->samples);
        } else {
            /* the time ran out first (a busy machine): a budget problem, not a property that failed */
            r->verdict = V_INCONCLUSIVE;
            snprintf(r->detail, sizeof r->detail,
                     "not seen in %lld samples, short of the %lld a verdict needs: out of time (%.0f s); rerun",
                     (long long)r->samples, (long long)cfg->patience, cfg->patience_seconds);
        }
        return;
    case LT_WEAK_ONLY:
        if (r->forbidden) {
            r->verdict = V_FAILURE_OBSERVED;
            snprintf(r->detail, sizeof r->detail, "broken variant shown broken (the CPU or the compiler reordered)");
        } else if (m->tso) {
            r->verdict = V_NOT_OBSERVABLE_ON_THIS_CPU;
            snprintf(r->detail, sizeof r->detail, "x86-TSO keeps load->load and store->store order: cannot show here");
        } else {
            r->verdict = V_NOT_OBSERVED;
            snprintf(r->detail, sizeof r->detail, "allowed to show on this CPU; not seen in %lld samples",
                     (long long)r->samples);
        }
        return;
    }
}

int run_variant(const struct machine *m, const struct run_config *cfg, const gm_litmus_impl *impl,
                const struct lt_scenario *s, const struct lt_variant *v, struct run_result *r, char *err, int errlen)
{
    memset(r, 0, sizeof *r);
    r->scenario = s;
    r->variant = v;
    int variant = gm_litmus_variant(impl, v->name);
    if ((impl->needs[variant] & GM_LITMUS_NEEDS_MEMBARRIER) && m->membarrier != 0) {
        r->verdict = V_SKIPPED;
        snprintf(r->detail, sizeof r->detail, "membarrier(2) private expedited unavailable (%s)", strerror(-m->membarrier));
        return 0;
    }
    r->pinned = cfg->pin && m->ncpus >= 2;
    int64_t batch = cfg->batch;
    char *cells = aligned_alloc(64, (size_t)batch * impl->cell_size);
    uint64_t *regs[2] = { calloc((size_t)batch, sizeof(uint64_t)), calloc((size_t)batch, sizeof(uint64_t)) };
    if (cells == NULL || regs[0] == NULL || regs[1] == NULL) {
        free(cells), free(regs[0]), free(regs[1]);
        snprintf(err, (size_t)errlen, "out of memory for %lld cells of %s", (long long)batch, s->id);
        return -1;
    }
    double start = now_seconds();
    int rc = 0;
    for (int64_t b = 0;; b++) {
        int64_t limit = cfg->iterations;
        double elapsed = now_seconds() - start;
        if (v->expect == LT_OBSERVABLE && r->forbidden == 0 && !m->tsan
            && (v->cpus == 0 || (v->cpus & memory_model_bit(m)))) { /* hunted only where this CPU's model can show it */
            if (elapsed < cfg->patience_seconds) {
                limit = cfg->patience; /* keep trying until the broken variant shows its failure */
            }
        } else if (elapsed >= cfg->max_seconds) {
            break; /* the samples so far are reported as they are */
        }
        if (r->samples >= limit) {
            break;
        }
        int64_t n = limit - r->samples < batch ? limit - r->samples : batch;
        /* rotate over the usable CPUs so that every pair of them gets a turn */
        int cpu[2] = { m->cpus[b % m->ncpus], m->cpus[(b + 1) % m->ncpus] };
        if ((rc = run_batch(impl, variant, cells, regs, n, cpu, r->pinned, err, errlen)) < 0) {
            break;
        }
        tally(impl, s, variant, cells, regs, n, r);
        r->samples += n;
    }
    r->seconds = now_seconds() - start;
    free(cells), free(regs[0]), free(regs[1]);
    if (rc == 0) {
        grade(m, cfg, r);
    }
    return rc;
}
