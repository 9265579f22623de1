/* The litmus.table reader: the real table parses; every broken rule is rejected with its line. */
#include <string.h>

#include "table.h"
#include "tap.h"

static struct lt_table t;
static char err[512];

#define HEAD "scenario S a title\nobserve x old new\nobserve y no yes\n"

static int parses(const char *text) { return lt_parse(text, "t", &t, err, sizeof err) == 0; }

/* Rejected, with a message that holds the expected words. */
static int rejects(const char *text, const char *words)
{
    return lt_parse(text, "t", &t, err, sizeof err) < 0 && strstr(err, words) != NULL;
}

int main(void)
{
    ok(lt_load(GM_LITMUS_TABLE_DEFAULT, &t, err, sizeof err) == 0, "litmus.table parses (%s)", err);
    const char *ids[] = { "MP-version", "RCU-gp", "MRU-clear", "VERSION-drop", "SB-reader" };
    for (int k = 0; k < 5; k++) {
        const struct lt_scenario *s = lt_find(&t, ids[k]);
        int fixed_never = 0, forbidden = 0;
        for (int v = 0; s && v < s->nvariants; v++) {
            fixed_never |= strcmp(s->variants[v].name, "fixed") == 0 && s->variants[v].expect == LT_NEVER;
        }
        for (int o = 0; s && o < s->noutcomes; o++) {
            forbidden += s->outcomes[o].grade == LT_FORBIDDEN;
        }
        ok(s && fixed_never && forbidden > 0 && s->other_grade == LT_FORBIDDEN,
           "%s: a fixed NEVER variant, a FORBIDDEN outcome, a forbidding catch-all", ids[k]);
    }
    const struct lt_scenario *sb = lt_find(&t, "SB-reader");
    uint32_t old_idle[2] = { 0, 0 };
    ok(sb && lt_outcome_of(sb, old_idle) && lt_outcome_of(sb, old_idle)->grade == LT_FORBIDDEN,
       "SB-reader ptr=old,ctr=idle is FORBIDDEN");

    ok(parses(HEAD "outcome x=old,y=no ALLOWED fine\nvariant v NEVER clean text\n"), "minimal table parses: %s", err);
    ok(t.scenarios[0].other_grade == LT_FORBIDDEN, "no catch-all line: unlisted outcomes are FORBIDDEN");
    ok(parses(HEAD "outcome x=new,y=yes ALLOWED_INTERESTING i\noutcome * ALLOWED rest\nvariant v WEAK_ONLY any t\n")
           && t.scenarios[0].other_grade == LT_ALLOWED && t.scenarios[0].outcomes[0].values[0] == 1
           && t.scenarios[0].outcomes[0].values[1] == 1,
       "labels map to value indices, the catch-all sets the default grade");
    ok(rejects("observe x a b\n", "t:1: 'observe' before the first scenario"), "line before a scenario: %s", err);
    ok(rejects(HEAD "outcome x=old ALLOWED\nvariant v NEVER clean t\n", "names 1 values"), "short key: %s", err);
    ok(rejects(HEAD "outcome y=no,x=old ALLOWED\n", "is 'x', not 'y'"), "keys in observe order: %s", err);
    ok(rejects(HEAD "outcome x=mid,y=no ALLOWED\n", "'mid' is not a label of 'x'"), "unknown label: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no MAYBE\n", "t:4: grade 'MAYBE'"), "unknown grade: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED a\noutcome x=old,y=no FORBIDDEN b\n", "listed twice"),
       "duplicate outcome: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v SOMETIMES clean t\n", "expectation 'SOMETIMES'"),
       "unknown expectation: %s", err);
    ok(parses(HEAD "outcome x=old,y=no ALLOWED\nvariant v OBSERVABLE/TSO clean t\nvariant w WEAK_ONLY/TSO,ARMV8 any t\n")
           && t.scenarios[0].variants[0].expect == LT_OBSERVABLE && t.scenarios[0].variants[0].cpus == LT_CPU_TSO
           && t.scenarios[0].variants[1].cpus == (LT_CPU_TSO | LT_CPU_ARMV8),
       "EXPECT/MODELS names the CPU models that can show the outcome: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v OBSERVABLE/POWER clean t\n", "CPU model 'POWER'"),
       "unknown CPU model: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v NEVER/TSO clean t\n", "NEVER variant shows on no CPU"),
       "NEVER with CPU models: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v NEVER dirty t\n", "TSan expectation 'dirty'"),
       "unknown TSan column: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v NEVER clean\nvariant v NEVER clean\n", "listed twice"),
       "duplicate variant: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\n", "needs observe, outcome and variant"), "no variant: %s", err);
    ok(rejects(HEAD "outcome x=old,y=no ALLOWED\nvariant v NEVER clean\nscenario S again\n", "defined twice"),
       "duplicate scenario: %s", err);
    ok(rejects("scenario S t\nobserve x only\n", "needs 2 to"), "one label: %s", err);
    ok(rejects("scenario S t\nfrobnicate\n", "unknown keyword 'frobnicate'"), "unknown keyword: %s", err);
    ok(rejects("# nothing\n", "no scenario"), "empty table: %s", err);
    char longtext[400];
    snprintf(longtext, sizeof longtext, "scenario S %0300d\n", 7);
    ok(rejects(longtext, "t:1: text of 300 characters, at most 239"), "over-long text: %s", err);
    ok(lt_load("/nonexistent/litmus.table", &t, err, sizeof err) < 0 && strstr(err, "/nonexistent/litmus.table"),
       "missing file named: %s", err);
    return tap_done();
}
