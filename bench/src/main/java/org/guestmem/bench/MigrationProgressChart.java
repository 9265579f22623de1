package org.guestmem.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The {@code migration-progress} suite: runs {@code guestmem demo --json} (in a child JVM from this class
 * path) and charts its progress samples, the dirty pages remaining over time, with a marker at each bitmap
 * sync (iteration) and at the switch-over. Writes {@code migration-progress.json} (the demo's output),
 * {@code migration-progress.md} and {@code migration-progress.png} to the results directory.
 */
final class MigrationProgressChart {
    /** The demo run charted: a 1 GiB guest, 2 vCPUs at 20000 writes/s, 256 MiB/s bandwidth cap. */
    static final List<String> DEMO_ARGS = List.of("demo", "--json", "--size", "1G", "--bandwidth", "256M");

    private static final Pattern OBJECT = Pattern.compile("\\{([^{}\\[\\]]*)\\}");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\\s*(\"([^\"]*)\"|[-0-9.eE+]+|true|false)");

    private MigrationProgressChart() {
    }

    /** Runs the demo, writes the files; returns the chart's file name. */
    static String run(Path out, String nativeLib) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Dguestmem.native.lib=" + nativeLib,
                "-cp", System.getProperty("java.class.path"), "org.guestmem.cli.Main"));
        cmd.addAll(DEMO_ARGS);
        System.out.println("demo: guestmem " + String.join(" ", DEMO_ARGS));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("guestmem " + String.join(" ", DEMO_ARGS) + " failed (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "): " + json);
        }
        Files.writeString(out.resolve("migration-progress.json"), json, StandardCharsets.UTF_8);
        Map<String, String> stats = fields(section(json, "\"stats\": {", '}'));
        String name = chart(samples(json), stats, out);
        Files.writeString(out.resolve("migration-progress.md"), markdown(stats, name), StandardCharsets.UTF_8);
        return name;
    }

    /** The flat fields of each object in the demo JSON's {@code progress} array. */
    static List<Map<String, String>> samples(String json) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher m = OBJECT.matcher(section(json, "\"progress\": [", ']'));
        while (m.find()) {
            out.add(fields(m.group(1)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the demo JSON has no progress samples");
        }
        return out;
    }

    private static String section(String json, String start, char end) {
        int from = json.indexOf(start);
        if (from < 0) {
            throw new IllegalArgumentException("the demo JSON has no " + start);
        }
        return json.substring(from + start.length(), json.indexOf(end, from + start.length()));
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(text);
        while (m.find()) {
            f.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return f;
    }

    static String chart(List<Map<String, String>> samples, Map<String, String> stats, Path out) throws IOException {
        XYSeries remaining = new XYSeries("dirty pages remaining (4 KiB pages)");
        XYPlot plot = new XYPlot();
        long lastIteration = -1;
        int markers = 0;
        for (Map<String, String> s : samples) {
            double t = Double.parseDouble(s.get("t_ms"));
            long pages = Long.parseLong(s.get("remaining_pages"));
            long iteration = Long.parseLong(s.get("iteration"));
            remaining.add(t, Math.max(1, pages));                  // log axis: "none left" drawn as 1
            String label = null;
            if (s.get("phase").equals("stop-and-copy")) {
                label = "stop-and-copy";
            } else if (iteration != lastIteration && lastIteration >= 0) {
                label = "sync " + iteration;
            }
            if (label != null) {
                ValueMarker marker = new ValueMarker(t, label.startsWith("stop") ? Color.RED : Color.GRAY, new BasicStroke(1f));
                marker.setLabel(label);
                marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                marker.setLabelOffset(new RectangleInsets(4 + 14 * (markers++ % 5), 2, 2, 2));   // close syncs: stagger the labels
                plot.addDomainMarker(marker);
            }
            lastIteration = iteration;
        }
        plot.setDataset(new XYSeriesCollection(remaining));
        plot.setDomainAxis(new NumberAxis("time since setup (ms)"));
        LogAxis y = ResultCharts.decades("dirty pages remaining (log; none left drawn as 1)", 10);
        y.setSmallestValue(1);
        plot.setRangeAxis(y);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        JFreeChart chart = new JFreeChart("Live migration progress: guestmem demo", plot);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
                "guestmem %s; total %s ms, downtime %s ms, %s bitmap syncs, %.1f MiB sent",
                String.join(" ", DEMO_ARGS), stats.get("total_time_ms"), stats.get("downtime_ms"), stats.get("iterations"),
                Long.parseLong(stats.getOrDefault("transferred_bytes", "0")) / 1048576.0), new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.addSubtitle(new TextTitle(Machine.current().oneLine(), new Font(Font.SANS_SERIF, Font.PLAIN, 9)));
        String name = "migration-progress.png";
        ChartUtils.saveChartAsPNG(out.resolve(name).toFile(), chart, 1000, 560);
        return name;
    }

    private static String markdown(Map<String, String> stats, String chart) {
        Machine machine = Machine.current();
        StringBuilder sb = new StringBuilder("# guestmem demo: migration progress\n\n");
        sb.append("- Command: `guestmem ").append(String.join(" ", DEMO_ARGS)).append("`\n");
        sb.append("- Machine: ").append(machine.cpu()).append(", ").append(machine.cores()).append(" cores, ").append(machine.os()).append('\n');
        sb.append("- JDK: ").append(machine.jdk()).append('\n');
        sb.append("- Date: ").append(machine.date()).append('\n');
        sb.append("- Load average at the end of the run (1, 5, 15 min): ").append(machine.load()).append("\n\n");
        sb.append("|statistic|value|\n|---|---|\n");
        stats.forEach((k, v) -> sb.append('|').append(k).append('|').append(v).append("|\n"));
        sb.append("\nEvery progress sample is in [migration-progress.json](migration-progress.json) (`progress`).\n\n");
        sb.append("![").append(chart).append("](").append(chart).append(")\n");
        return sb.toString();
    }
}
