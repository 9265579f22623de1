package org.guestmem.parity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.lang3.Validate;
import org.guestmem.host.Membarrier;
import org.guestmem.parity.model.FormalVerdicts;

/**
 * Every scenario and variant of litmus.table, run in each {@link Pairing} (C, Java, and mixed both ways),
 * as one table: scenario, variant, language, threads, samples, each outcome's count, forbidden seen,
 * verdict. {@link #ok()} is false when a fixed variant showed a forbidden outcome or a broken OBSERVABLE
 * variant never failed in a meaningful number of raced samples; {@link #exitStatus()} tells that (1) from a
 * run whose time ran out before either was known (3, inconclusive).
 */
public final class ParityReport {
    private final LitmusTable table;
    private final LitmusRun.Budget budget;
    private final List<LitmusResult> results;
    private final FormalVerdicts formal;

    ParityReport(LitmusTable table, LitmusRun.Budget budget, List<LitmusResult> results, FormalVerdicts formal) {
        this.table = table;
        this.budget = budget;
        this.results = List.copyOf(results);
        this.formal = formal;
    }

    /**
     * Runs the scenarios named in {@code scenarios} and the variants named in {@code variants} (all when
     * empty) in the given pairings; {@code progress} sees each result as it is made.
     */
    public static ParityReport run(LitmusTable table, LitmusRun.Budget budget, List<String> scenarios,
                                   List<String> variants, List<Pairing> pairings, Consumer<LitmusResult> progress) {
        Validate.notEmpty(pairings, "no pairing to run");
        scenarios.forEach(table::scenario); // IllegalArgumentException for an unknown ID
        List<LitmusResult> out = new ArrayList<>();
        for (LitmusScenario s : table.scenarios()) {
            if (!scenarios.isEmpty() && !scenarios.contains(s.id())) {
                continue;
            }
            for (LitmusScenario.Variant v : s.variants()) {
                if (!variants.isEmpty() && !variants.contains(v.name())) {
                    continue;
                }
                for (Pairing p : pairings) {
                    LitmusResult r = LitmusRun.run(s, v, p, budget);
                    out.add(r);
                    progress.accept(r);
                }
            }
        }
        Validate.isTrue(!out.isEmpty(), "no scenario variant matches --scenario %s --variant %s", scenarios, variants);
        return new ParityReport(table, budget, out, FormalVerdicts.check(table));
    }

    public List<LitmusResult> results() {
        return results;
    }

    /** The exhaustive checker's verdicts on every variant of the table (SC, x86-TSO, ARMv8, RC11). */
    public FormalVerdicts formal() {
        return formal;
    }

    /** True when no verdict failed, on this CPU or formally. */
    public boolean ok() {
        return results.stream().noneMatch(r -> r.verdict().failed()) && formal.ok();
    }

    /** Runs whose time ran out before a broken OBSERVABLE variant showed or reached the never-seen bound. */
    public long inconclusive() {
        return results.stream().filter(r -> r.verdict().inconclusive()).count();
    }

    /**
     * The exit status of {@code guestmem parity}: 1 when a verdict failed (a fixed variant showed a forbidden
     * outcome, or a broken OBSERVABLE one never showed in the bound's raced samples), else 3 when a run was
     * inconclusive (out of time: a budget problem, not a property that failed), else 0.
     */
    public int exitStatus() {
        return !ok() ? 1 : inconclusive() > 0 ? 3 : 0;
    }

    /** The table as text: per scenario a legend of its outcome keys, then one row per run. */
    public String text() {
        StringBuilder b = new StringBuilder();
        String format = "%-13s %-21s %-8s %-10s %8s %8s  %-28s %9s  %s%n";
        b.append("budget: ").append(budget.describe()).append('\n');
        String scenario = null;
        for (LitmusResult r : results) {
            if (!r.scenario().equals(scenario)) {
                scenario = r.scenario();
                LitmusScenario s = table.scenario(scenario);
                b.append(String.format("%n%s: %s%n  outcomes:", s.id(), s.title()));
                int k = 1;
                for (LitmusScenario.Outcome o : s.outcomes()) {
                    b.append(String.format(" [%d%s] %s", k++, o.grade() == LitmusScenario.Grade.FORBIDDEN ? "!" : "", o.key()));
                }
                b.append("   (! = forbidden; +N = unlisted outcomes)\n");
                b.append(String.format(format, "scenario", "variant", "language", "threads", "samples", "raced", "outcome counts",
                        "forbidden", "verdict"));
            }
            b.append(String.format(format, r.scenario(), r.variant().name(), r.pairing().language(), r.pairing().threads(),
                    r.samples(), r.raced(), counts(r), r.forbidden(), r.verdict()));
        }
        long failed = results.stream().filter(r -> r.verdict().failed()).count();
        b.append(String.format("%n%d runs, %d failed, %d inconclusive: %s%n", results.size(), failed, inconclusive(),
                failed > 0 ? "see FAIL / FAIL_NOT_OBSERVED above (exit status 1)"
                        : inconclusive() > 0 ? "no verdict failed, but the time ran out before these verdicts were known (exit status 3):"
                        : "every verdict is as the table requires"));
        for (LitmusResult r : results) {
            if (r.verdict().failed() || r.verdict().inconclusive()) {
                b.append(String.format("  %s/%s %s: %s: %s%n", r.scenario(), r.variant().name(), r.pairing().threads(),
                        r.verdict(), r.detail()));
            }
        }
        b.append(String.format("%nFormal verdicts (exhaustive checker; the Java column is RC11 through the C11 proxy):%n"));
        b.append(formal.text(this::shownHere));
        return b.toString();
    }

    /** What this CPU showed for a variant over its runs: "seen N/M runs" of the forbidden outcome, or null if not run. */
    private String shownHere(FormalVerdicts.Row row) {
        List<LitmusResult> runs = results.stream()
                .filter(r -> r.scenario().equals(row.scenario()) && r.variant().name().equals(row.variant())).toList();
        if (runs.isEmpty()) {
            return null;
        }
        long seen = runs.stream().filter(r -> r.forbidden() > 0).count();
        long failed = runs.stream().filter(r -> r.verdict().failed()).count();
        return "forbidden seen in " + seen + "/" + runs.size() + (failed > 0 ? ", " + failed + " FAILED" : "");
    }

    private String counts(LitmusResult r) {
        LitmusScenario s = table.scenario(r.scenario());
        StringBuilder b = new StringBuilder();
        long unlisted = 0;
        for (Map.Entry<String, Long> e : r.counts().entrySet()) {
            if (s.outcomes().stream().anyMatch(o -> o.key().equals(e.getKey()))) {
                b.append(b.isEmpty() ? "" : " ").append(e.getValue());
            } else {
                unlisted += e.getValue();
            }
        }
        return unlisted == 0 ? b.toString() : b + " +" + unlisted;
    }

    /** The report as maps and lists (what {@code --json} prints). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("memory_model", LitmusRun.tso() ? "TSO" : "weak");
        machine.put("cpus", LitmusRun.cpus());
        machine.put("membarrier", Membarrier.available());
        machine.put("java", Runtime.version().toString());
        m.put("machine", machine);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("samples_per_run", budget.samples());
        b.put("max_seconds", budget.maxSeconds());
        b.put("never_seen_bound", budget.bound());
        b.put("min_rate", Verdict.MIN_RATE);
        b.put("alpha", Verdict.ALPHA);
        b.put("patience_seconds", budget.patienceSeconds());
        b.put("text", budget.describe());
        m.put("budget", b);
        List<Object> runs = new ArrayList<>();
        for (LitmusResult r : results) {
            LitmusScenario s = table.scenario(r.scenario());
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("scenario", r.scenario());
            run.put("variant", r.variant().name());
            run.put("expect", r.variant().expect().name());
            run.put("language", r.pairing().language());
            run.put("threads", r.pairing().threads());
            run.put("samples", r.samples());
            run.put("raced", r.raced());
            List<Object> outcomes = new ArrayList<>();
            r.counts().forEach((key, count) -> {
                var listed = s.outcomes().stream().filter(o -> o.key().equals(key)).findFirst();
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("outcome", key);
                o.put("grade", listed.map(LitmusScenario.Outcome::grade).orElse(s.otherGrade()).name());
                o.put("count", count);
                o.put("listed", listed.isPresent());
                outcomes.add(o);
            });
            run.put("outcomes", outcomes);
            run.put("forbidden_seen", r.forbidden());
            run.put("interesting_seen", r.interesting());
            run.put("observation", r.observation());
            run.put("verdict", r.verdict().name());
            run.put("formal", FormalVerdicts.rowMap(formal.row(r.scenario(), r.variant().name())).get("verdicts"));
            run.put("failed", r.verdict().failed());
            run.put("detail", r.detail());
            run.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            runs.add(run);
        }
        m.put("runs", runs);
        m.put("formal", formal.toMap());
        m.put("inconclusive", inconclusive());
        m.put("ok", ok());
        m.put("exit_status", exitStatus());
        return m;
    }
}
