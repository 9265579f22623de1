/* report.c: the human report (histograms, Observation lines, summary) and the JSON document. */
#include "report.h"

#include <string.h>

/* "name=label,..." for values; labels the table lacks print as name=?k. */
static void key_of(const struct lt_scenario *s, const uint32_t *values, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int k = 0; k < s->nobserve && n < len; k++) {
        const struct lt_observe *o = &s->observe[k];
        if (values[k] < (uint32_t)o->nlabels) {
            n += (size_t)snprintf(out + n, len - n, "%s%s=%s", k ? "," : "", o->name, o->labels[values[k]]);
        } else {
            n += (size_t)snprintf(out + n, len - n, "%s%s=?%u", k ? "," : "", o->name, values[k]);
        }
    }
}

static const char *observation(const struct run_result *r)
{
    if (r->forbidden == 0) {
        return "Never";
    }
    return r->forbidden == (uint64_t)r->samples ? "Always" : "Sometimes";
}

void report_machine(FILE *out, const struct report *rep)
{
    const struct machine *m = rep->machine;
    fprintf(out, "gm-litmus: %s (%s), %s, kernel %s\n", m->arch, m->tso ? "x86-TSO" : "not TSO", m->cpu_model,
            m->kernel);
    fprintf(out, "  %d CPUs online, %d usable, threads %s, membarrier %s%s\n", m->cpus_online, m->ncpus,
            rep->config->pin && m->ncpus >= 2 ? "pinned to two CPUs" : "not pinned",
            m->membarrier == 0 ? "available" : "unavailable", m->tsan ? ", ThreadSanitizer build" : "");
    fprintf(out, "  %s mode: %lld samples per variant, at most %.0f s each (OBSERVABLE variants up to %lld or %.0f s "
                 "until they fail)\n",
            rep->mode, (long long)rep->config->iterations, rep->config->max_seconds, (long long)rep->config->patience,
            rep->config->patience_seconds);
    fprintf(out, "  table %s\n\n", rep->table_path);
}

void report_result(FILE *out, const struct run_result *r)
{
    const struct lt_scenario *s = r->scenario;
    fprintf(out, "%s / %s   expect %s   samples %lld   %.3f s\n", s->id, r->variant->name,
            lt_expect_name(r->variant->expect), (long long)r->samples, r->seconds);
    if (r->verdict != V_SKIPPED) {
        for (int k = 0; k < s->noutcomes; k++) {
            const struct lt_outcome *o = &s->outcomes[k];
            if (o->grade == LT_FORBIDDEN && r->counts[k]) {
                fprintf(out, "  %12llu  %-26s %-20s  <-- forbidden\n", (unsigned long long)r->counts[k], o->key,
                        lt_grade_name(o->grade));
            } else {
                fprintf(out, "  %12llu  %-26s %s\n", (unsigned long long)r->counts[k], o->key, lt_grade_name(o->grade));
            }
        }
        for (int k = 0; k < r->nother; k++) {
            char key[LT_TEXT];
            key_of(s, r->other[k].values, key, sizeof key);
            fprintf(out, "  %12llu  %-26s %-20s  <-- not in the table\n", (unsigned long long)r->other[k].count, key,
                    lt_grade_name(s->other_grade));
        }
        fprintf(out, "  Observation %s/%s %s %llu %llu\n", s->id, r->variant->name, observation(r),
                (unsigned long long)r->forbidden, (unsigned long long)((uint64_t)r->samples - r->forbidden));
    }
    fprintf(out, "  verdict: %s (%s)\n\n", verdict_name(r->verdict), r->detail);
}

void report_summary(FILE *out, const struct report *rep)
{
    fprintf(out, "%-13s %-21s %-11s %10s %10s  %s\n", "scenario", "variant", "expect", "samples", "forbidden", "verdict");
    for (int k = 0; k < rep->nresults; k++) {
        const struct run_result *r = &rep->results[k];
        fprintf(out, "%-13s %-21s %-11s %10lld %10llu  %s\n", r->scenario->id, r->variant->name,
                lt_expect_name(r->variant->expect), (long long)r->samples, (unsigned long long)r->forbidden,
                verdict_name(r->verdict));
    }
    fprintf(out, "\n%s\n", rep->ok ? "OK: every verdict as the table requires"
                                   : "FAILED: a fixed variant showed a forbidden outcome or a broken variant that must "
                                     "fail here never did");
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

static void json_outcome(FILE *out, const char *key, enum lt_grade g, uint64_t count, int listed, int first)
{
    fprintf(out, "%s\n        {\"outcome\": ", first ? "" : ",");
    json_string(out, key);
    fprintf(out, ", \"grade\": \"%s\", \"count\": %llu, \"listed\": %s}", lt_grade_name(g), (unsigned long long)count,
            listed ? "true" : "false");
}

void report_json(FILE *out, const struct report *rep)
{
    const struct machine *m = rep->machine;
    fprintf(out, "{\n  \"tool\": \"gm-litmus\",\n  \"language\": \"C\",\n  \"mode\": ");
    json_string(out, rep->mode);
    fprintf(out, ",\n  \"table\": ");
    json_string(out, rep->table_path);
    fprintf(out, ",\n  \"machine\": {\"arch\": ");
    json_string(out, m->arch);
    fprintf(out, ", \"memory_model\": \"%s\", \"cpu_model\": ", m->tso ? "x86-TSO" : "weak");
    json_string(out, m->cpu_model);
    fprintf(out, ", \"kernel\": ");
    json_string(out, m->kernel);
    fprintf(out, ", \"cpus_online\": %d, \"cpus_usable\": %d, \"pinned\": %s, \"membarrier\": %s, \"tsan\": %s},\n",
            m->cpus_online, m->ncpus, rep->config->pin && m->ncpus >= 2 ? "true" : "false",
            m->membarrier == 0 ? "true" : "false", m->tsan ? "true" : "false");
    fprintf(out, "  \"iterations\": %lld,\n  \"max_seconds\": %.1f,\n  \"patience\": %lld,\n  \"results\": [",
            (long long)rep->config->iterations, rep->config->max_seconds, (long long)rep->config->patience);
    for (int k = 0; k < rep->nresults; k++) {
        const struct run_result *r = &rep->results[k];
        const struct lt_scenario *s = r->scenario;
        fprintf(out, "%s\n    {\"scenario\": ", k ? "," : "");
        json_string(out, s->id);
        fprintf(out, ", \"variant\": ");
        json_string(out, r->variant->name);
        fprintf(out, ", \"language\": \"C\", \"expect\": \"%s\", \"tsan_expect\": \"%s\",\n", lt_expect_name(r->variant->expect),
                lt_tsan_name(r->variant->tsan));
        fprintf(out, "      \"samples\": %lld, \"seconds\": %.6f, \"pinned\": %s, \"outcomes\": [", (long long)r->samples,
                r->seconds, r->pinned ? "true" : "false");
        int first = 1;
        for (int o = 0; o < s->noutcomes && r->verdict != V_SKIPPED; o++, first = 0) {
            json_outcome(out, s->outcomes[o].key, s->outcomes[o].grade, r->counts[o], 1, first);
        }
        for (int o = 0; o < r->nother; o++, first = 0) {
            char key[LT_TEXT];
            key_of(s, r->other[o].values, key, sizeof key);
            json_outcome(out, key, s->other_grade, r->other[o].count, 0, first);
        }
        fprintf(out, "],\n      \"forbidden_seen\": %llu, \"interesting_seen\": %llu, \"observation\": \"%s\", "
                     "\"verdict\": \"%s\", \"failed\": %s, \"detail\": ",
                (unsigned long long)r->forbidden, (unsigned long long)r->interesting, observation(r),
                verdict_name(r->verdict), verdict_failed(r->verdict) ? "true" : "false");
        json_string(out, r->detail);
        fputc('}', out);
    }
    fprintf(out, "\n  ],\n  \"ok\": %s\n}\n", rep->ok ? "true" : "false");
}
