package org.guestmem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The run's comparisons as a plain-text table (stdout), a markdown page and a JSON document. */
final class ResultReport {
    private static final String[] HEADER = {"benchmark", "Java", "peer", "peer figure", "ratio Java/peer", "goal", "met?"};

    private final String suite;
    private final String mode;
    private final Machine machine;
    private final List<Comparison> rows;
    private final List<String> notes;
    /** Said before the table (what makes its figures incomplete, with the fix); the notes come after it. */
    private final List<String> banner;

    ResultReport(String suite, String mode, Machine machine, List<Comparison> rows, List<String> notes) {
        this(suite, mode, machine, rows, notes, List.of());
    }

    ResultReport(String suite, String mode, Machine machine, List<Comparison> rows, List<String> notes, List<String> banner) {
        this.banner = List.copyOf(banner);
        this.suite = suite;
        this.mode = mode;
        this.machine = machine;
        this.rows = List.copyOf(rows);
        this.notes = List.copyOf(notes);
    }

    private List<String[]> cells() {
        List<String[]> out = new ArrayList<>();
        for (Comparison c : rows) {
            out.add(new String[] {c.benchmark(), Comparison.time(c.java()), c.peerName(), Comparison.time(c.peer()),
                    c.ratioText(), c.goal().text(), c.met()});
        }
        return out;
    }

    String table() {
        List<String[]> cells = cells();
        int[] width = new int[HEADER.length];
        for (String[] r : concat(HEADER, cells)) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("guestmem bench ").append(suite).append(" (").append(mode).append(")\n").append(machine.oneLine()).append('\n');
        banner.forEach(b -> sb.append("!! ").append(b).append('\n'));
        for (String[] r : concat(HEADER, cells)) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == 0 ? "" : "  ").append(String.format("%-" + width[i] + "s", r[i]));
            }
            sb.append('\n');
            if (r == HEADER) {
                for (int i = 0; i < width.length; i++) {
                    sb.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
                }
                sb.append('\n');
            }
        }
        sb.append(summary()).append('\n');
        notes.forEach(n -> sb.append("note: ").append(n).append('\n'));
        return sb.toString();
    }

    String summary() {
        long goals = rows.stream().filter(c -> c.goal().isSet()).count();
        long met = rows.stream().filter(c -> c.met().equals("yes")).count();
        long missing = rows.stream().filter(c -> c.met().equals("n/a")).count();
        return String.format("goals met: %d of %d%s", met, goals, missing > 0 ? " (" + missing + " without a figure)" : "");
    }

    String markdown(List<String> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# guestmem bench ").append(suite).append(" (").append(mode).append(")\n\n");
        banner.forEach(b -> sb.append("> **").append(b).append("**\n>\n"));
        sb.append(banner.isEmpty() ? "" : "\n");
        sb.append("- Machine: ").append(machine.cpu()).append(", ").append(machine.cores()).append(" cores, ").append(machine.os()).append('\n');
        sb.append("- JDK: ").append(machine.jdk()).append('\n');
        sb.append("- Date: ").append(machine.date()).append('\n');
        sb.append("- Load average at the end of the run (1, 5, 15 min): ").append(machine.load()).append('\n');
        sb.append("- ").append(summary()).append("\n\n");
        sb.append("Every figure is nanoseconds (or us/ms) per operation, lower is better; Java and peer were measured in the same run. ")
                .append("Ratio = Java / peer.\n\n");
        sb.append('|').append(String.join("|", HEADER)).append("|\n|");
        sb.append("---|".repeat(HEADER.length)).append('\n');
        for (String[] r : cells()) {
            sb.append('|').append(String.join("|", r)).append("|\n");
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            notes.forEach(n -> sb.append("- Note: ").append(n).append('\n'));
        }
        if (!charts.isEmpty()) {
            sb.append("\n## Charts\n\n");
            charts.forEach(c -> sb.append("![").append(c).append("](").append(c).append(")\n\n"));
        }
        return sb.toString();
    }

    String json(Measurements m) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"suite\": ").append(q(suite)).append(",\n  \"mode\": ").append(q(mode)).append(",\n");
        sb.append("  \"machine\": {\"cpu\": ").append(q(machine.cpu())).append(", \"cores\": ").append(machine.cores())
                .append(", \"os\": ").append(q(machine.os())).append(", \"loadavg\": ").append(q(machine.load())).append("},\n");
        sb.append("  \"jdk\": ").append(q(machine.jdk())).append(",\n  \"date\": ").append(q(machine.date())).append(",\n");
        sb.append("  \"warnings\": [").append(String.join(", ", banner.stream().map(ResultReport::q).toList())).append("],\n");
        sb.append("  \"comparisons\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Comparison c = rows.get(i);
            sb.append("    {\"benchmark\": ").append(q(c.benchmark()))
                    .append(", \"java_ns\": ").append(num(c.java().map(Measurements.Figure::ns).orElse(Double.NaN)))
                    .append(", \"peer\": ").append(q(c.peerName()))
                    .append(", \"peer_ns\": ").append(num(c.peer().map(Measurements.Figure::ns).orElse(Double.NaN)))
                    .append(", \"ratio\": ").append(num(c.ratio()))
                    .append(", \"goal\": ").append(q(c.goal().text()))
                    .append(", \"met\": ").append(q(c.met())).append('}').append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"jmh\": [\n");
        appendFigures(sb, m.javaFigures());
        sb.append("  ],\n  \"native\": [\n");
        appendFigures(sb, m.nativeFigures());
        sb.append("  ],\n  \"notes\": [");
        for (int i = 0; i < notes.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(q(notes.get(i)));
        }
        return sb.append("]\n}\n").toString();
    }

    private static void appendFigures(StringBuilder sb, List<Measurements.Figure> figures) {
        for (int i = 0; i < figures.size(); i++) {
            Measurements.Figure f = figures.get(i);
            sb.append("    {\"benchmark\": ").append(q(f.benchmark())).append(", \"params\": {");
            int k = 0;
            for (var e : f.params().entrySet()) {
                sb.append(k++ == 0 ? "" : ", ").append(q(e.getKey())).append(": ").append(q(e.getValue()));
            }
            sb.append("}, \"ns_per_op\": ").append(num(f.ns())).append(", \"error_ns\": ").append(num(f.error()))
                    .append('}').append(i + 1 < figures.size() ? ",\n" : "\n");
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    private static List<String[]> concat(String[] header, List<String[]> rows) {
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
