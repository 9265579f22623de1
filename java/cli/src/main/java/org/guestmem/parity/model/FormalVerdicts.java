package org.guestmem.parity.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.guestmem.parity.LitmusScenario;
import org.guestmem.parity.LitmusScenario.CpuModel;
import org.guestmem.parity.LitmusScenario.Expectation;
import org.guestmem.parity.LitmusTable;

/**
 * The checker's verdict on every variant of {@code litmus.table} (its test from {@link VariantPrograms}),
 * and the rules that make a verdict a failure of the table or of the code:
 * <ul>
 * <li>a NEVER (fixed) variant whose forbidden outcome some model allows;</li>
 * <li>a protection of a fixed variant that no model needs: removed, the outcome stays forbidden under every
 * model, so the variant does not test it;</li>
 * <li>a WEAK_ONLY variant forbidden under both ARMv8 and RC11 (it could never fail), or allowed under x86-TSO
 * (it would show on x86: grade it OBSERVABLE);</li>
 * <li>an OBSERVABLE variant that x86-TSO forbids, or whose {@code EXPECT/MODELS} list is not exactly the CPU
 * models (TSO, ARMv8) that allow the outcome;</li>
 * <li>a variant of the table without a test, or a test without a variant.</li>
 * </ul>
 * The Java twins use the same access modes as the C ones; their verdict is the RC11 one read through the
 * C11 proxy (opaque = relaxed, getAcquire/setRelease = acquire/release, volatile = seq_cst, plain = na),
 * which is a proxy for the JMM's modes, not the JMM itself.
 */
public final class FormalVerdicts {

    /**
     * One variant's verdicts.
     *
     * @param scenario        the scenario ID
     * @param variant         the variant name
     * @param expect          the table's EXPECT column as written
     * @param verdicts        whether each model lets the test reach the forbidden outcome
     * @param racy            RC11 finds a data race on a plain access (undefined behaviour)
     * @param armNeedsAddrDep the ARMv8 verdict is FORBIDDEN only thanks to an address dependency
     * @param protections     per protection of a fixed variant, the verdicts with it removed
     * @param problems        what makes this row a failure (empty: none)
     */
    public record Row(String scenario, String variant, String expect, Map<MemoryModel, ModelVerdict> verdicts, boolean racy,
                      boolean armNeedsAddrDep, Map<String, Map<MemoryModel, ModelVerdict>> protections, List<String> problems) {
        /** The verdict for the Java twin: RC11 through the C11 proxy. */
        public ModelVerdict javaProxy() {
            return verdicts.get(MemoryModel.RC11);
        }
    }

    private final List<Row> rows;

    private FormalVerdicts(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Checks every variant of {@code table}. */
    public static FormalVerdicts check(LitmusTable table) {
        List<Row> rows = new ArrayList<>();
        for (LitmusScenario s : table.scenarios()) {
            for (LitmusScenario.Variant v : s.variants()) {
                rows.add(row(s, v));
            }
        }
        for (VariantPrograms.Spec spec : VariantPrograms.all()) {
            boolean inTable = table.scenarios().stream().anyMatch(s -> s.id().equals(spec.scenario())
                    && s.variants().stream().anyMatch(v -> v.name().equals(spec.variant())));
            if (!inTable) {
                rows.add(new Row(spec.scenario(), spec.variant(), "-", Map.of(), false, false, Map.of(),
                        List.of("a litmus test for a variant that litmus.table does not have")));
            }
        }
        return new FormalVerdicts(rows);
    }

    private static Row row(LitmusScenario s, LitmusScenario.Variant v) {
        VariantPrograms.Spec spec;
        try {
            spec = VariantPrograms.of(s.id(), v.name());
        } catch (IllegalArgumentException e) {
            return new Row(s.id(), v.name(), v.expectText(), Map.of(), false, false, Map.of(),
                    List.of("no litmus test in VariantPrograms for this variant"));
        }
        Program p = spec.program();
        Checker.Result r = Checker.check(p);
        Map<MemoryModel, ModelVerdict> verdicts = r.verdicts();
        boolean addr = false;
        if (p.hasAddressDependencies() && verdicts.get(MemoryModel.ARMV8) == ModelVerdict.FORBIDDEN) {
            addr = Checker.check(p.withoutAddressDependencies()).verdict(MemoryModel.ARMV8).allowed();
        }
        Map<String, Map<MemoryModel, ModelVerdict>> protections = new LinkedHashMap<>();
        for (String pr : spec.protections()) {
            protections.put(pr, Checker.check(spec.program(Set.of(pr))).verdicts());
        }
        List<String> problems = new ArrayList<>();
        ModelVerdict tso = verdicts.get(MemoryModel.TSO), arm = verdicts.get(MemoryModel.ARMV8), rc11 = verdicts.get(MemoryModel.RC11);
        switch (v.expect()) {
            case NEVER -> {
                verdicts.forEach((m, mv) -> {
                    if (mv.allowed()) {
                        problems.add("fixed variant, but " + m.label() + " allows the forbidden outcome (" + mv + ")");
                    }
                });
                protections.forEach((pr, vs) -> {
                    if (vs.values().stream().noneMatch(ModelVerdict::allowed)) {
                        problems.add("tests nothing about '" + pr + "': without it the forbidden outcome is still forbidden under every model");
                    }
                });
            }
            case WEAK_ONLY -> {
                if (!arm.allowed() && !rc11.allowed()) {
                    problems.add("WEAK_ONLY, but forbidden under ARMv8 and RC11: it can never fail");
                }
                if (tso.allowed()) {
                    problems.add("WEAK_ONLY, but x86-TSO allows the outcome: grade it OBSERVABLE");
                }
            }
            case OBSERVABLE -> {
                if (!tso.allowed() && !v.cpus().equals(List.of(CpuModel.ARMV8))) {
                    problems.add("OBSERVABLE, but x86-TSO forbids the outcome: it cannot show on x86");
                }
                List<CpuModel> allow = new ArrayList<>();
                if (tso.allowed()) {
                    allow.add(CpuModel.TSO);
                }
                if (arm.allowed()) {
                    allow.add(CpuModel.ARMV8);
                }
                List<CpuModel> said = v.cpus().isEmpty() ? List.of(CpuModel.values()) : v.cpus();
                if (!said.equals(allow)) {
                    problems.add("EXPECT " + v.expectText() + " says the CPU models " + said + " can show it; the checker says " + allow);
                }
            }
        }
        return new Row(s.id(), v.name(), v.expectText(), verdicts, r.racy(), addr, protections, problems);
    }

    public List<Row> rows() {
        return rows;
    }

    /** The row of one variant; IllegalArgumentException when there is none. */
    public Row row(String scenario, String variant) {
        return rows.stream().filter(r -> r.scenario().equals(scenario) && r.variant().equals(variant)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no formal verdict for " + scenario + "/" + variant));
    }

    /** Every problem, "SCENARIO/VARIANT: problem". */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> r.problems().forEach(p -> out.add(r.scenario() + "/" + r.variant() + ": " + p)));
        return out;
    }

    /** True when no row has a problem. */
    public boolean ok() {
        return rows.stream().allMatch(r -> r.problems().isEmpty());
    }

    /** A verdict as the report prints it: {@code allowed}, {@code forbidden}, {@code racy}, {@code allowed+race}. */
    public static String word(ModelVerdict v, boolean racy, MemoryModel m) {
        String w = v.name().toLowerCase(java.util.Locale.ROOT);
        return m == MemoryModel.RC11 && racy && v == ModelVerdict.ALLOWED ? w + "+race" : w;
    }

    /** The table: one line per variant (the verdict columns of docs/PARITY.md), then the problems. */
    public String text() {
        return text(null);
    }

    /**
     * The table with a first verdict column {@code here} (what this CPU showed, per variant; null: no such
     * column), then the problems.
     */
    public String text(java.util.function.Function<Row, String> here) {
        StringBuilder b = new StringBuilder();
        String format = "%-13s %-21s %-15s " + (here == null ? "%s" : "%-30s ") + "%-10s %-10s %-10s %-13s %-13s%n";
        b.append(String.format(format, "scenario", "variant", "expect", here == null ? "" : "this CPU showed", "SC", "x86-TSO",
                "ARMv8", "RC11 (C)", "Java (C11 proxy)"));
        for (Row r : rows) {
            String h = here == null ? "" : here.apply(r);
            if (h == null) {
                continue; // not run here
            }
            if (r.verdicts().isEmpty()) {
                b.append(String.format(format, r.scenario(), r.variant(), r.expect(), h, "-", "-", "-", "-", "-"));
                continue;
            }
            b.append(String.format(format, r.scenario(), r.variant(), r.expect(), h,
                    word(r.verdicts().get(MemoryModel.SC), r.racy(), MemoryModel.SC),
                    word(r.verdicts().get(MemoryModel.TSO), r.racy(), MemoryModel.TSO),
                    word(r.verdicts().get(MemoryModel.ARMV8), r.racy(), MemoryModel.ARMV8) + (r.armNeedsAddrDep() ? "*" : ""),
                    word(r.verdicts().get(MemoryModel.RC11), r.racy(), MemoryModel.RC11),
                    word(r.javaProxy(), r.racy(), MemoryModel.RC11)));
        }
        b.append("  (forbidden/allowed: whether the model lets the test reach the outcome the table grades FORBIDDEN; "
                + "+race: RC11 also finds a data race on a plain access; * ARMv8 forbids it only through an address dependency)\n");
        List<String> problems = problems();
        b.append(problems.isEmpty() ? "  every formal verdict is as the table requires\n"
                : "  FORMAL FAILURES:\n    " + String.join("\n    ", problems) + "\n");
        return b.toString();
    }

    /** The verdicts as maps and lists (JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> models = new LinkedHashMap<>();
        for (MemoryModel mm : MemoryModel.values()) {
            models.put(mm.label(), mm.mapping());
        }
        m.put("models", models);
        m.put("java_proxy", "RC11 verdict of the same test: opaque = relaxed, getAcquire/setRelease = acquire/release, "
                + "volatile = seq_cst, plain = na (a C11 proxy for the JMM's modes)");
        List<Object> vs = new ArrayList<>();
        for (Row r : rows) {
            vs.add(rowMap(r));
        }
        m.put("variants", vs);
        m.put("problems", problems());
        m.put("ok", ok());
        return m;
    }

    /** One row as a map. */
    public static Map<String, Object> rowMap(Row r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("scenario", r.scenario());
        o.put("variant", r.variant());
        o.put("expect", r.expect());
        Map<String, Object> v = new LinkedHashMap<>();
        r.verdicts().forEach((mm, mv) -> v.put(mm.label(), mv.name()));
        o.put("verdicts", v);
        o.put("java_c11_proxy", r.verdicts().isEmpty() ? null : r.javaProxy().name());
        o.put("rc11_race", r.racy());
        o.put("armv8_needs_address_dependency", r.armNeedsAddrDep());
        Map<String, Object> p = new LinkedHashMap<>();
        r.protections().forEach((name, vs) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            vs.forEach((mm, mv) -> x.put(mm.label(), mv.name()));
            p.put(name, x);
        });
        o.put("without_protection", p);
        o.put("problems", r.problems());
        return o;
    }
}
