package org.guestmem.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The scaling suite's curves (JFreeChart, headless PNG): total reader throughput against threads per
 * flavor beside liburcu and the locks, and bitmap sync time against guest size. The lookup curve is
 * {@link ResultCharts#lookup} over {@link ScalingSuite#BLOCKS}.
 */
final class ScalingCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private ScalingCharts() {
    }

    /** Writes {@code scaling-readers.png}: million read sections per second over all threads. */
    static Optional<String> readers(Measurements m, Path dir, List<String> flavors) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String f : flavors) {
            add(data, "Java " + f, t -> m.java("RcuReadBench.readSection", "flavor=" + f, "threads=" + t));
            add(data, Comparisons.liburcuPeer(f), t -> m.nativeFigure("read", "impl=" + Comparisons.liburcuPeer(f), "threads=" + t));
        }
        add(data, "ReentrantReadWriteLock.readLock", t -> m.java("LockReadBench.reentrantReadLock", "threads=" + t));
        add(data, "pthread_rwlock", t -> m.nativeFigure("read", "impl=pthread-rwlock", "threads=" + t));
        add(data, "StampedLock optimistic", t -> m.java("LockReadBench.stampedOptimistic", "threads=" + t));
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        NumberAxis x = new NumberAxis("reader threads (in one domain / on one lock)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0.5, ScalingSuite.threadCounts().getLast() + 0.5);
        LogAxis y = ResultCharts.decades("million read sections per second, all threads (log)", 10);
        y.setSmallestValue(0.5);
        return save(data, x, y, dir, "scaling-readers.png", "Reader throughput vs threads: guestmem RCU vs liburcu and locks");
    }

    /** Writes {@code scaling-bitmap-sync.png}: microseconds per sync against guest GiB. */
    static Optional<String> bitmapSync(Measurements m, Path dir) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String method : List.of("snapshotAndClear", "migrationSync")) {
            for (String state : ScalingSuite.SYNC_STATES) {
                XYSeries s = new XYSeries(ScalingSuite.syncName(method) + ", " + ScalingSuite.stateName(state));
                XYSeries c = new XYSeries("C twin: " + (method.equals("snapshotAndClear") ? "snapshot" : "sync") + ", " + ScalingSuite.stateName(state));
                for (int gib : ScalingSuite.GUEST_GIB) {
                    ScalingSuite.sync(m, method, gib, state).ifPresent(f -> s.add(gib, f.ns() / 1000));
                    ScalingSuite.syncTwin(m, method, gib, state).ifPresent(f -> c.add(gib, f.ns() / 1000));
                }
                for (XYSeries x : List.of(s, c)) {
                    if (x.getItemCount() > 0) {
                        data.addSeries(x);
                    }
                }
            }
        }
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        LogAxis x = ResultCharts.decades("guest RAM, GiB (log)", 2);
        x.setSmallestValue(0.5);
        LogAxis y = ResultCharts.decades("microseconds per sync (log)", 10);
        return save(data, x, y, dir, "scaling-bitmap-sync.png", "Dirty bitmap sync time vs guest size (lazily allocated RAM)");
    }

    private static void add(XYSeriesCollection data, String name, java.util.function.IntFunction<Optional<Measurements.Figure>> figure) {
        XYSeries s = new XYSeries(name);
        for (int t : ScalingSuite.threadCounts()) {
            figure.apply(t).ifPresent(f -> s.add(t, t * 1000 / f.ns()));
        }
        if (s.getItemCount() > 0) {
            data.addSeries(s);
        }
    }

    private static Optional<String> save(XYSeriesCollection data, org.jfree.chart.axis.ValueAxis x, org.jfree.chart.axis.ValueAxis y,
            Path dir, String name, String title) throws IOException {
        XYPlot plot = new XYPlot(data, x, y, new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(Color.GRAY);
        ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), new JFreeChart(title, plot), WIDTH, HEIGHT);
        return Optional.of(name);
    }
}
