/* report.h: gm-litmus output, a human table and one JSON document. */
#ifndef GM_LITMUS_REPORT_H
#define GM_LITMUS_REPORT_H

#include <stdio.h>

#include "run.h"

struct report {
    const struct machine *machine;
    const struct run_config *config;
    const char *table_path;
    const char *mode;            /* "quick", "full" or "custom" */
    const struct run_result *results;
    int nresults;
    int ok;                      /* no verdict failed */
};

/* One result as a histogram block with its litmus7-style Observation line and verdict. */
void report_result(FILE *out, const struct run_result *r);
/* The machine line that heads the human report. */
void report_machine(FILE *out, const struct report *rep);
/* The closing table: scenario, variant, expectation, samples, forbidden seen, verdict. */
void report_summary(FILE *out, const struct report *rep);
/* Everything as one JSON document. */
void report_json(FILE *out, const struct report *rep);

#endif /* GM_LITMUS_REPORT_H */
