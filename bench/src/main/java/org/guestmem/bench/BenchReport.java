package org.guestmem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.guestmem.cli.Json;

/**
 * The result of one suite run: the comparison rows, every raw figure, the machine, and notes. Renders
 * itself as the console table, as markdown ({@code SUITE-latest.md}) and as JSON ({@code SUITE-DATE.json}).
 */
public record BenchReport(String suite, boolean full, MachineInfo machine, List<Comparison> rows,
                          List<Figure> java, List<Figure> natives, List<String> missingNative, List<String> notes) {
    private static final String[] HEADER = {"benchmark", "Java", "peer", "peer figure", "ratio", "goal", "met?"};

    public int goalsTotal() {
        return (int) rows.stream().filter(r -> r.goal().kind() != Goal.Kind.NONE).count();
    }

    public int goalsMet() {
        return (int) rows.stream().filter(r -> Boolean.TRUE.equals(r.met())).count();
    }

    /** One line per goal that was judged and missed, with the factor it was missed by. */
    public List<String> missedGoals() {
        List<String> out = new ArrayList<>();
        for (Comparison r : rows) {
            if (Boolean.FALSE.equals(r.met())) {
                out.add(String.format("%s vs %s: ratio %s, goal %s (missed by %.3gx)", r.benchmark(), r.peerName(),
                        r.ratioText(), r.goal(), r.goal().missedBy(r.ratio())));
            }
        }
        return out;
    }

    private String title() {
        return "guestmem bench " + suite + " (" + (full ? "full" : "quick") + ")";
    }

    private String summary() {
        String s = "Goals met: " + goalsMet() + " of " + goalsTotal();
        long unjudged = rows.stream().filter(r -> r.goal().kind() != Goal.Kind.NONE && r.met() == null).count();
        return unjudged > 0 ? s + " (" + unjudged + " not judged: a figure is missing)" : s;
    }

    /** The console table: fixed-width columns, a blank line between sections. */
    public String table() {
        List<String[]> cells = new ArrayList<>();
        for (Comparison r : rows) {
            cells.add(new String[] {r.benchmark(), r.javaText(), r.peerName(), r.peerText(), r.ratioText(), r.goal().toString(), r.metText()});
        }
        int[] w = new int[HEADER.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = HEADER[i].length();
            for (String[] c : cells) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder(title()).append('\n');
        machine.lines().forEach(l -> b.append(l).append('\n'));
        b.append('\n');
        String section = null;
        for (int k = 0; k < rows.size(); k++) {
            if (!rows.get(k).section().equals(section)) {
                section = rows.get(k).section();
                b.append(k == 0 ? "" : "\n").append(section).append('\n');
                row(b, HEADER, w);
            }
            row(b, cells.get(k), w);
        }
        b.append('\n').append(summary()).append('\n');
        missedGoals().forEach(m -> b.append("  missed: ").append(m).append('\n'));
        missingNative.forEach(m -> b.append("  not built, its peers show n/a: native/bench ").append(m).append('\n'));
        notes.forEach(n -> b.append("* ").append(n).append('\n'));
        return b.toString();
    }

    private static void row(StringBuilder b, String[] c, int[] w) {
        for (int i = 0; i < c.length; i++) {
            boolean numeric = i == 1 || i == 3 || i == 4;
            String cell = numeric ? " ".repeat(w[i] - c[i].length()) + c[i] : c[i] + " ".repeat(w[i] - c[i].length());
            b.append(i == 0 ? "  " : "  ").append(cell);
        }
        b.append('\n');
    }

    /** The markdown report. */
    public String markdown() {
        StringBuilder b = new StringBuilder("# ").append(title()).append("\n\n");
        machine.lines().forEach(l -> b.append("- ").append(l).append('\n'));
        b.append("- ").append(summary()).append("\n\n");
        String section = null;
        for (Comparison r : rows) {
            if (!r.section().equals(section)) {
                section = r.section();
                b.append("\n## ").append(section).append("\n\n|").append(String.join("|", HEADER)).append("|\n")
                        .append("|---|---:|---|---:|---:|---|---|\n");
            }
            b.append('|').append(String.join("|", r.benchmark(), r.javaText(), r.peerName(), r.peerText(),
                    r.ratioText(), r.goal().toString(), r.met() == Boolean.FALSE ? "**NO**" : r.metText())).append("|\n");
        }
        List<String> missed = missedGoals();
        if (!missed.isEmpty()) {
            b.append("\n## Goals missed\n\n");
            missed.forEach(m -> b.append("- ").append(m).append('\n'));
        }
        if (!missingNative.isEmpty()) {
            b.append("\nNot built on this machine (their peers show n/a): ").append(String.join(", ", missingNative)).append('\n');
        }
        b.append("\n## Notes\n\n");
        notes.forEach(n -> b.append("- ").append(n).append('\n'));
        return b.toString();
    }

    /** The JSON report. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", suite);
        m.put("mode", full ? "full" : "quick");
        m.put("machine", machine.toJson());
        m.put("goals_met", goalsMet());
        m.put("goals_total", goalsTotal());
        m.put("goals_missed", missedGoals());
        m.put("rows", rows.stream().map(Comparison::toJson).toList());
        m.put("java", java.stream().map(Figure::toJson).toList());
        m.put("native", natives.stream().map(Figure::toJson).toList());
        m.put("native_missing", missingNative);
        m.put("notes", notes);
        return m;
    }

    /** Writes {@code SUITE-DATE.json} and {@code SUITE-latest.md} into {@code dir}; returns their paths. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String day = machine.date().atOffset(ZoneOffset.UTC).toLocalDate().toString();
        Path json = dir.resolve(suite + "-" + day + ".json");
        Path md = dir.resolve(suite + "-latest.md");
        Files.writeString(json, Json.write(toJson()));
        Files.writeString(md, markdown());
        return List.of(json, md);
    }
}
