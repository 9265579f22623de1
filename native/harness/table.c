/* table.c: reads litmus.table; every malformed line is an error that names the line and the rule. */
#include "table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
    const char *name;
    int line;
    char *err;
    int errlen;
};

static int fail(struct cursor *c, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(c->err, (size_t)c->errlen, "%s:%d: ", c->name, c->line);
    va_start(ap, fmt);
    if (n >= 0 && n < c->errlen) {
        vsnprintf(c->err + n, (size_t)(c->errlen - n), fmt, ap);
    }
    va_end(ap);
    return -1;
}

/* Splits off the next blank-separated word of *p into out; 0 when there is none. */
static int word(char **p, char *out, size_t len)
{
    char *s = *p + strspn(*p, " \t");
    size_t n = strcspn(s, " \t");
    if (n == 0) {
        return 0;
    }
    snprintf(out, len, "%.*s", (int)n, s);
    *p = s + n;
    return n < len;
}

/* The rest of the line, trimmed, into out (LT_TEXT bytes); -1 when it does not fit. */
static int rest(struct cursor *c, char *p, char *out)
{
    p += strspn(p, " \t");
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    if (n >= LT_TEXT) {
        return fail(c, "text of %zu characters, at most %d", n, LT_TEXT - 1);
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

static int enum_of(const char *w, const char *const *names, int count)
{
    for (int k = 0; k < count; k++) {
        if (strcmp(w, names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

static const char *const grades[] = { "ALLOWED", "ALLOWED_INTERESTING", "FORBIDDEN" };
static const char *const expects[] = { "NEVER", "OBSERVABLE", "WEAK_ONLY" };
static const char *const tsans[] = { "clean", "race", "any" };

const char *lt_grade_name(enum lt_grade g) { return grades[g]; }
const char *lt_expect_name(enum lt_expect e) { return expects[e]; }
const char *lt_tsan_name(enum lt_tsan t) { return tsans[t]; }

static const char *const cpu_models[] = { "TSO", "ARMV8" };

const char *lt_expect_text(const struct lt_variant *v, char *buf, int len)
{
    int n = snprintf(buf, (size_t)len, "%s", expects[v->expect]);
    const char *sep = "/";
    for (int k = 0; k < 2 && n < len; k++) {
        if (v->cpus & (1u << k)) {
            n += snprintf(buf + n, (size_t)(len - n), "%s%s", sep, cpu_models[k]);
            sep = ",";
        }
    }
    return buf;
}

/* EXPECT[/MODEL,...]: the expectation, and the CPU models that can show it (0 = every CPU). */
static int parse_expect(struct cursor *c, char *b, struct lt_variant *v)
{
    char *slash = strchr(b, '/');
    unsigned cpus = 0;
    if (slash != NULL) {
        *slash = '\0';
        for (char *m = strtok(slash + 1, ","); m != NULL; m = strtok(NULL, ",")) {
            int k = enum_of(m, cpu_models, 2);
            if (k < 0) {
                return fail(c, "CPU model '%s' in EXPECT is not TSO or ARMV8", m);
            }
            cpus |= 1u << k;
        }
        if (cpus == 0) {
            return fail(c, "EXPECT '%s/' names no CPU model", b);
        }
    }
    int e = enum_of(b, expects, 3);
    if (e < 0) {
        return fail(c, "expectation '%s' is not NEVER, OBSERVABLE or WEAK_ONLY", b);
    }
    if (e == LT_NEVER && cpus != 0) {
        return fail(c, "a NEVER variant shows on no CPU: drop '/' and the CPU models");
    }
    v->expect = (enum lt_expect)e;
    v->cpus = cpus;
    return 0;
}

/* KEY = NAME=LABEL,... with every observe line once, in order. */
static int parse_key(struct cursor *c, const struct lt_scenario *s, const char *key, uint32_t *values)
{
    char buf[LT_TEXT];
    snprintf(buf, sizeof buf, "%s", key);
    char *save = NULL;
    int k = 0;
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save), k++) {
        char *eq = strchr(part, '=');
        if (k >= s->nobserve || eq == NULL) {
            return fail(c, "outcome key '%s' must be NAME=LABEL for each of the %d observe lines", key, s->nobserve);
        }
        *eq = '\0';
        const struct lt_observe *o = &s->observe[k];
        if (strcmp(part, o->name) != 0) {
            return fail(c, "outcome key '%s': observed value %d is '%s', not '%s'", key, k + 1, o->name, part);
        }
        int label = -1;
        for (int l = 0; l < o->nlabels && label < 0; l++) {
            label = strcmp(eq + 1, o->labels[l]) == 0 ? l : -1;
        }
        if (label < 0) {
            return fail(c, "outcome key '%s': '%s' is not a label of '%s'", key, eq + 1, o->name);
        }
        values[k] = (uint32_t)label;
    }
    if (k != s->nobserve) {
        return fail(c, "outcome key '%s' names %d values, the scenario observes %d", key, k, s->nobserve);
    }
    return 0;
}

static int parse_line(struct cursor *c, char *p, struct lt_table *t)
{
    char kw[LT_NAME], a[LT_TEXT], b[LT_NAME], d[LT_NAME];
    if (!word(&p, kw, sizeof kw)) {
        return fail(c, "keyword too long");
    }
    if (strcmp(kw, "scenario") == 0) {
        if (t->nscenarios == LT_MAX_SCENARIOS) {
            return fail(c, "more than %d scenarios", LT_MAX_SCENARIOS);
        }
        if (!word(&p, b, LT_NAME)) {
            return fail(c, "scenario needs an ID (at most %d characters)", LT_NAME - 1);
        }
        if (lt_find(t, b)) {
            return fail(c, "scenario %s is defined twice", b);
        }
        struct lt_scenario *s = &t->scenarios[t->nscenarios++];
        memset(s, 0, sizeof *s);
        memcpy(s->id, b, sizeof s->id);
        if (rest(c, p, s->title) < 0) {
            return -1;
        }
        s->other_grade = LT_FORBIDDEN;
        snprintf(s->other_text, sizeof s->other_text, "unexpected outcome");
        return 0;
    }
    if (t->nscenarios == 0) {
        return fail(c, "'%s' before the first scenario line", kw);
    }
    struct lt_scenario *s = &t->scenarios[t->nscenarios - 1];
    if (strcmp(kw, "threads") == 0) {
        if (!word(&p, s->threads[0], LT_NAME) || !word(&p, s->threads[1], LT_NAME)) {
            return fail(c, "threads needs two names");
        }
    } else if (strcmp(kw, "steps") == 0) {
        if (rest(c, p, s->steps) < 0) {
            return -1;
        }
    } else if (strcmp(kw, "observe") == 0) {
        if (s->noutcomes > 0 || s->nobserve == LT_MAX_OBSERVE) {
            return fail(c, "observe lines come before the outcomes, at most %d per scenario", LT_MAX_OBSERVE);
        }
        struct lt_observe *o = &s->observe[s->nobserve];
        if (!word(&p, o->name, LT_NAME)) {
            return fail(c, "observe needs a name");
        }
        while (o->nlabels < LT_MAX_LABELS && word(&p, o->labels[o->nlabels], LT_NAME)) {
            o->nlabels++;
        }
        if (o->nlabels < 2 || *(p + strspn(p, " \t")) != '\0') {
            return fail(c, "observe %s needs 2 to %d labels", o->name, LT_MAX_LABELS);
        }
        s->nobserve++;
    } else if (strcmp(kw, "outcome") == 0) {
        if (!word(&p, a, LT_TEXT) || !word(&p, b, LT_NAME)) {
            return fail(c, "outcome needs a KEY and a GRADE");
        }
        int g = enum_of(b, grades, 3);
        if (g < 0) {
            return fail(c, "grade '%s' is not ALLOWED, ALLOWED_INTERESTING or FORBIDDEN", b);
        }
        if (strcmp(a, "*") == 0) {
            s->other_grade = (enum lt_grade)g;
            return rest(c, p, s->other_text);
        }
        if (s->nobserve == 0 || s->noutcomes == LT_MAX_OUTCOMES) {
            return fail(c, "outcome needs observe lines before it, at most %d outcomes", LT_MAX_OUTCOMES);
        }
        struct lt_outcome *o = &s->outcomes[s->noutcomes];
        if (parse_key(c, s, a, o->values) < 0) {
            return -1;
        }
        if (lt_outcome_of(s, o->values)) {
            return fail(c, "outcome %s is listed twice", a);
        }
        snprintf(o->key, sizeof o->key, "%s", a);
        o->grade = (enum lt_grade)g;
        if (rest(c, p, o->text) < 0) {
            return -1;
        }
        s->noutcomes++;
    } else if (strcmp(kw, "variant") == 0) {
        if (s->nvariants == LT_MAX_VARIANTS) {
            return fail(c, "more than %d variants", LT_MAX_VARIANTS);
        }
        struct lt_variant *v = &s->variants[s->nvariants];
        if (!word(&p, v->name, LT_NAME) || !word(&p, b, LT_NAME) || !word(&p, d, LT_NAME)) {
            return fail(c, "variant needs NAME EXPECT TSAN");
        }
        int ts = enum_of(d, tsans, 3);
        if (parse_expect(c, b, v) < 0) {
            return -1;
        }
        if (ts < 0) {
            return fail(c, "TSan expectation '%s' is not clean, race or any", d);
        }
        for (int k = 0; k < s->nvariants; k++) {
            if (strcmp(s->variants[k].name, v->name) == 0) {
                return fail(c, "variant %s of %s is listed twice", v->name, s->id);
            }
        }
        v->tsan = (enum lt_tsan)ts;
        if (rest(c, p, v->text) < 0) {
            return -1;
        }
        s->nvariants++;
    } else {
        return fail(c, "unknown keyword '%s' (scenario, threads, steps, observe, outcome, variant)", kw);
    }
    return 0;
}

int lt_parse(const char *text, const char *name, struct lt_table *out, char *err, int errlen)
{
    struct cursor c = { name, 0, err, errlen };
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char line[1024];
        c.line++;
        if (n >= sizeof line) {
            return fail(&c, "line longer than %zu characters", sizeof line - 1);
        }
        memcpy(line, p, n);
        line[n] = '\0';
        if (n > 0 && line[n - 1] == '\r') {
            line[n - 1] = '\0';
        }
        p += n + (p[n] == '\n');
        char *s = line + strspn(line, " \t");
        if (*s == '\0' || *s == '#') {
            continue;
        }
        if (parse_line(&c, s, out) < 0) {
            return -1;
        }
    }
    for (int k = 0; k < out->nscenarios; k++) {
        const struct lt_scenario *s = &out->scenarios[k];
        if (s->nobserve == 0 || s->noutcomes == 0 || s->nvariants == 0) {
            snprintf(err, (size_t)errlen, "%s: scenario %s needs observe, outcome and variant lines", name, s->id);
            return -1;
        }
    }
    if (out->nscenarios == 0) {
        snprintf(err, (size_t)errlen, "%s: no scenario in the table", name);
        return -1;
    }
    return 0;
}

int lt_load(const char *path, struct lt_table *out, char *err, int errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, (size_t)errlen, "cannot read litmus table %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(text, cap * 2 + 1);
            if (bigger == NULL) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (text == NULL) {
        snprintf(err, (size_t)errlen, "out of memory reading %s", path);
        return -1;
    }
    text[len] = '\0';
    int rc = lt_parse(text, path, out, err, errlen);
    free(text);
    return rc;
}

const struct lt_scenario *lt_find(const struct lt_table *t, const char *id)
{
    for (int k = 0; k < t->nscenarios; k++) {
        if (strcmp(t->scenarios[k].id, id) == 0) {
            return &t->scenarios[k];
        }
    }
    return NULL;
}

const struct lt_outcome *lt_outcome_of(const struct lt_scenario *s, const uint32_t *values)
{
    for (int k = 0; k < s->noutcomes; k++) {
        if (memcmp(s->outcomes[k].values, values, sizeof(uint32_t) * (size_t)s->nobserve) == 0) {
            return &s->outcomes[k];
        }
    }
    return NULL;
}
