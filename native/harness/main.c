/*
 * gm-litmus: runs the litmus scenarios of litmus.table on real threads and grades the outcomes.
 * Exit status: 0 every verdict as the table requires, 1 a verdict failed, 2 bad usage or a bad table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#ifndef GM_LITMUS_TABLE_DEFAULT
#define GM_LITMUS_TABLE_DEFAULT "litmus.table"
#endif

#define MAX_FILTERS 16

struct options {
    const char *table;
    const char *mode;
    struct run_config cfg;
    int json, list;
    const char *scenarios[MAX_FILTERS];
    int nscenarios;
    const char *variants[MAX_FILTERS];
    int nvariants;
    int tsan_filter;   /* -1, or the lt_tsan a variant must have */
    int expect_filter; /* -1, or the lt_expect a variant must have */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: gm-litmus [--quick | --full | --iterations N] [--scenario ID]... [--variant NAME]...\n"
            "                 [--expect NEVER|OBSERVABLE|WEAK_ONLY] [--tsan-expect clean|race|any]\n"
            "                 [--table PATH] [--no-pin] [--json] [--list]\n"
            "  --quick          10000 samples per variant, at most about 1 s each; broken OBSERVABLE\n"
            "                   variants up to 200000 samples or 5 s until their failure shows (the default)\n"
            "  --full           1000000 samples per variant, at most about 60 s each; OBSERVABLE variants\n"
            "                   up to 10000000 samples or 60 s\n"
            "  --iterations N   N samples per variant (OBSERVABLE variants up to 20 N or 60 s)\n"
            "  --scenario ID    only this scenario (repeatable); --variant NAME likewise\n"
            "  --expect E, --tsan-expect T   only variants with this EXPECT / TSAN column in the table\n"
            "  --table PATH     the scenario table (default %s)\n"
            "  --no-pin         do not pin the two threads to two CPUs\n"
            "  --json           one JSON document on stdout instead of the human report\n"
            "  --list           print the scenarios and variants of the table and exit\n"
            "exit status: 0 every verdict as the table requires; 1 a failure; 2 bad usage or table;\n"
            "             3 inconclusive (a broken variant ran out of time before its failure showed)\n",
            GM_LITMUS_TABLE_DEFAULT);
}

static int64_t parse_count(const char *opt, const char *s)
{
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (s == NULL || *end != '\0' || v < 1 || v > (1LL << 40)) {
        fprintf(stderr, "gm-litmus: %s needs a count between 1 and 2^40, got '%s'\n", opt, s ? s : "");
        exit(2);
    }
    return v;
}

static int index_of(const char *w, const char *const *names, int n)
{
    for (int k = 0; k < n; k++) {
        if (w && strcmp(w, names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    static const char *const expects[] = { "NEVER", "OBSERVABLE", "WEAK_ONLY" };
    static const char *const tsans[] = { "clean", "race", "any" };
    *o = (struct options){ .table = GM_LITMUS_TABLE_DEFAULT, .mode = "quick", .tsan_filter = -1, .expect_filter = -1,
                           .cfg = { .iterations = 10000, .batch = 1000, .patience = 200000, .patience_seconds = 5,
                                    .max_seconds = 1, .pin = 1 } };
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *next = k + 1 < argc ? argv[k + 1] : NULL;
        if (strcmp(a, "--quick") == 0) {
            o->mode = "quick";
            o->cfg.iterations = 10000, o->cfg.patience = 200000, o->cfg.patience_seconds = 5, o->cfg.max_seconds = 1;
        } else if (strcmp(a, "--full") == 0) {
            o->mode = "full";
            o->cfg.iterations = 1000000, o->cfg.patience = 10000000, o->cfg.patience_seconds = 60;
            o->cfg.max_seconds = 60;
        } else if (strcmp(a, "--iterations") == 0) {
            o->mode = "custom";
            o->cfg.iterations = parse_count(a, next), k++;
            o->cfg.patience = o->cfg.iterations * 20, o->cfg.patience_seconds = 60, o->cfg.max_seconds = 600;
        } else if ((strcmp(a, "--scenario") == 0 || strcmp(a, "--variant") == 0) && next) {
            int scen = a[2] == 's';
            if ((scen ? o->nscenarios : o->nvariants) == MAX_FILTERS) {
                fprintf(stderr, "gm-litmus: at most %d %s options\n", MAX_FILTERS, a);
                exit(2);
            }
            if (scen) {
                o->scenarios[o->nscenarios++] = next;
            } else {
                o->variants[o->nvariants++] = next;
            }
            k++;
        } else if (strcmp(a, "--expect") == 0 || strcmp(a, "--tsan-expect") == 0) {
            int tsan = a[2] == 't';
            int v = index_of(next, tsan ? tsans : expects, 3);
            if (v < 0) {
                fprintf(stderr, "gm-litmus: %s must be %s, got '%s'\n", a,
                        tsan ? "clean, race or any" : "NEVER, OBSERVABLE or WEAK_ONLY", next ? next : "");
                exit(2);
            }
            *(tsan ? &o->tsan_filter : &o->expect_filter) = v, k++;
        } else if (strcmp(a, "--table") == 0 && next) {
            o->table = next, k++;
        } else if (strcmp(a, "--no-pin") == 0) {
            o->cfg.pin = 0;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "gm-litmus: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            exit(2);
        }
    }
    if (o->cfg.batch > o->cfg.iterations) {
        o->cfg.batch = o->cfg.iterations;
    }
}

/* The table and the C implementations must name the same scenarios, variants and observe counts. */
static int check_parity(const struct lt_table *t)
{
    int bad = 0, nimpl;
    const gm_litmus_impl *const *impls = gm_litmus_impls(&nimpl);
    for (int k = 0; k < t->nscenarios; k++) {
        const struct lt_scenario *s = &t->scenarios[k];
        const gm_litmus_impl *impl = gm_litmus_find(s->id);
        if (impl == NULL) {
            fprintf(stderr, "gm-litmus: the table lists scenario %s, the C harness does not implement it\n", s->id);
            bad = 1;
            continue;
        }
        if (impl->nobserve != s->nobserve) {
            fprintf(stderr, "gm-litmus: %s observes %d values in the table, %d in C\n", s->id, s->nobserve,
                    impl->nobserve);
            bad = 1;
        }
        for (int v = 0; v < s->nvariants; v++) {
            if (gm_litmus_variant(impl, s->variants[v].name) < 0) {
                fprintf(stderr, "gm-litmus: the table lists variant %s of %s, C does not implement it\n",
                        s->variants[v].name, s->id);
                bad = 1;
            }
        }
    }
    for (int k = 0; k < nimpl; k++) {
        const struct lt_scenario *s = lt_find(t, impls[k]->id);
        for (int v = 0; s && v < impls[k]->nvariants; v++) {
            int listed = 0;
            for (int w = 0; w < s->nvariants; w++) {
                listed |= strcmp(s->variants[w].name, impls[k]->variants[v]) == 0;
            }
            if (!listed) {
                fprintf(stderr, "gm-litmus: C implements variant %s of %s, the table does not list it\n",
                        impls[k]->variants[v], impls[k]->id);
                bad = 1;
            }
        }
        if (s == NULL) {
            fprintf(stderr, "gm-litmus: C implements scenario %s, the table does not list it\n", impls[k]->id);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static int selected(const struct options *o, const struct lt_scenario *s, const struct lt_variant *v)
{
    int by_scenario = o->nscenarios == 0, by_variant = o->nvariants == 0;
    for (int k = 0; k < o->nscenarios; k++) {
        by_scenario |= strcmp(o->scenarios[k], s->id) == 0;
    }
    for (int k = 0; k < o->nvariants; k++) {
        by_variant |= strcmp(o->variants[k], v->name) == 0;
    }
    return by_scenario && by_variant && (o->tsan_filter < 0 || (int)v->tsan == o->tsan_filter) &&
           (o->expect_filter < 0 || (int)v->expect == o->expect_filter);
}

int main(int argc, char **argv)
{
    struct options o;
    parse_options(argc, argv, &o);
    static struct lt_table table;
    char err[512];
    if (lt_load(o.table, &table, err, sizeof err) < 0) {
        fprintf(stderr, "gm-litmus: %s\n", err);
        return 2;
    }
    if (check_parity(&table) < 0) {
        return 2;
    }
    for (int k = 0; k < o.nscenarios; k++) {
        if (lt_find(&table, o.scenarios[k]) == NULL) {
            fprintf(stderr, "gm-litmus: no scenario '%s' in %s\n", o.scenarios[k], o.table);
            return 2;
        }
    }
    if (o.list) {
        for (int k = 0; k < table.nscenarios; k++) {
            const struct lt_scenario *s = &table.scenarios[k];
            for (int v = 0; v < s->nvariants; v++) {
                char expect[LT_NAME];
                printf("%-13s %-21s %-14s %-6s %s\n", s->id, s->variants[v].name,
                       lt_expect_text(&s->variants[v], expect, sizeof expect), lt_tsan_name(s->variants[v].tsan),
                       s->variants[v].text);
            }
        }
        return 0;
    }
    struct machine m;
    machine_probe(&m);
    static struct run_result results[LT_MAX_SCENARIOS * LT_MAX_VARIANTS];
    struct report rep = { &m, &o.cfg, o.table, o.mode, results, 0, 1 };
    int inconclusive = 0;
    if (!o.json) {
        report_machine(stdout, &rep);
    }
    for (int k = 0; k < table.nscenarios; k++) {
        const struct lt_scenario *s = &table.scenarios[k];
        for (int v = 0; v < s->nvariants; v++) {
            if (!selected(&o, s, &s->variants[v])) {
                continue;
            }
            struct run_result *r = &results[rep.nresults];
            if (run_variant(&m, &o.cfg, gm_litmus_find(s->id), s, &s->variants[v], r, err, sizeof err) < 0) {
                fprintf(stderr, "gm-litmus: %s/%s: %s\n", s->id, s->variants[v].name, err);
                return 2;
            }
            rep.nresults++;
            rep.ok &= !verdict_failed(r->verdict);
            inconclusive += verdict_inconclusive(r->verdict);
            if (!o.json) {
                report_result(stdout, r);
                fflush(stdout);
            }
        }
    }
    if (rep.nresults == 0) {
        fprintf(stderr, "gm-litmus: no variant of %s matches the options\n", o.table);
        return 2;
    }
    if (o.json) {
        report_json(stdout, &rep);
    } else {
        report_summary(stdout, &rep);
    }
    if (rep.ok && inconclusive > 0) {
        fprintf(stdout, "INCONCLUSIVE: %d broken variant(s) ran out of time before showing their failure (exit status 3)\n",
                inconclusive);
    }
    return !rep.ok ? 1 : inconclusive > 0 ? 3 : 0;
}
