/* table.h: the reader of litmus.table (the format is described at the top of that file). */
#ifndef GM_LITMUS_TABLE_H
#define GM_LITMUS_TABLE_H

#include <stdint.h>

#define LT_MAX_SCENARIOS 16
#define LT_MAX_OBSERVE 4
#define LT_MAX_LABELS 8
#define LT_MAX_OUTCOMES 24
#define LT_MAX_VARIANTS 8
#define LT_NAME 48
#define LT_TEXT 240

enum lt_grade { LT_ALLOWED, LT_ALLOWED_INTERESTING, LT_FORBIDDEN };
enum lt_expect { LT_NEVER, LT_OBSERVABLE, LT_WEAK_ONLY };
enum lt_tsan { LT_TSAN_CLEAN, LT_TSAN_RACE, LT_TSAN_ANY };

struct lt_observe {
    char name[LT_NAME];
    int nlabels;
    char labels[LT_MAX_LABELS][LT_NAME];
};

struct lt_outcome {
    char key[LT_TEXT];                /* NAME=LABEL,... as written in the table */
    uint32_t values[LT_MAX_OBSERVE];  /* the label index of each observe line */
    enum lt_grade grade;
    char text[LT_TEXT];
};

/* CPU memory models an EXPECT may name after a slash (OBSERVABLE/TSO): the ones whose model allows the
 * forbidden outcome; on a CPU of another known model the variant cannot show it. 0 = every CPU. */
#define LT_CPU_TSO 1u
#define LT_CPU_ARMV8 2u

struct lt_variant {
    char name[LT_NAME];
    enum lt_expect expect;
    unsigned cpus;                    /* LT_CPU_* that can show the forbidden outcome; 0 = every CPU */
    enum lt_tsan tsan;
    char text[LT_TEXT];
};

struct lt_scenario {
    char id[LT_NAME];
    char title[LT_TEXT];
    char threads[2][LT_NAME];
    char steps[LT_TEXT];
    int nobserve;
    struct lt_observe observe[LT_MAX_OBSERVE];
    int noutcomes;
    struct lt_outcome outcomes[LT_MAX_OUTCOMES];
    enum lt_grade other_grade;        /* the "*" line; FORBIDDEN when the table has none */
    char other_text[LT_TEXT];
    int nvariants;
    struct lt_variant variants[LT_MAX_VARIANTS];
};

struct lt_table {
    int nscenarios;
    struct lt_scenario scenarios[LT_MAX_SCENARIOS];
};

/* Reads and checks the table at path. Returns 0, or -1 with a message naming the line and the rule
 * in err (errlen bytes). */
int lt_load(const char *path, struct lt_table *out, char *err, int errlen);

/* Parses the table held in text (NUL-terminated); name is used in messages. */
int lt_parse(const char *text, const char *name, struct lt_table *out, char *err, int errlen);

const struct lt_scenario *lt_find(const struct lt_table *t, const char *id);

/* The outcome listed for values, or NULL (then other_grade applies). */
const struct lt_outcome *lt_outcome_of(const struct lt_scenario *s, const uint32_t *values);

const char *lt_grade_name(enum lt_grade g);
const char *lt_expect_name(enum lt_expect e);
/* The EXPECT column as written: the expectation, then "/TSO,ARMV8" when it names CPU models. */
const char *lt_expect_text(const struct lt_variant *v, char *buf, int len);
const char *lt_tsan_name(enum lt_tsan t);

#endif /* GM_LITMUS_TABLE_H */
