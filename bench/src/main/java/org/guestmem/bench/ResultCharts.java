package org.guestmem.bench;

import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a run (JFreeChart, headless): read-side cost per flavor against liburcu and the lock
 * peers, and lookup cost against the number of blocks (ours, the linear scan, their C twins). Both on
 * log axes: the figures span three orders of magnitude.
 */
final class ResultCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private ResultCharts() {
    }

    /** Writes {@code <suite>-read-side.png}; returns its file name, or none when nothing was measured. */
    static Optional<String> readSide(Measurements m, Path dir, String suite) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int t = 1; t <= 2; t++) {
            String suffix = t == 1 ? "" : "2";
            String threads = t == 1 ? "1 thread" : "2 threads";
            for (String f : Comparisons.FLAVORS) {
                String peer = Comparisons.liburcuPeer(f);
                add(data, m.java("RcuReadBench.readSectionBatch" + suffix, "flavor=" + f), "Java, " + threads, f + " / " + peer);
                add(data, m.nativeFigure("read", "impl=" + peer, "threads=" + t), "C, " + threads, f + " / " + peer);
            }
            add(data, m.java("LockReadBench.reentrantReadLockBatch" + suffix), "Java, " + threads, "RRWL.readLock / pthread_rwlock");
            add(data, m.nativeFigure("read", "impl=pthread-rwlock", "threads=" + t), "C, " + threads, "RRWL.readLock / pthread_rwlock");
            add(data, m.java("LockReadBench.stampedOptimistic" + suffix), "Java, " + threads, "StampedLock optimistic");
        }
        if (data.getRowCount() == 0) {
            return Optional.empty();
        }
        LogAxis y = decades("ns per lock+unlock (log)", 10);
        CategoryAxis x = new CategoryAxis("flavor / peer");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        BarRenderer bars = new BarRenderer();
        bars.setShadowVisible(false);
        bars.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        String name = suite + "-read-side.png";
        ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), new JFreeChart("RCU read-side cost: guestmem vs liburcu and locks", plot), WIDTH, HEIGHT);
        return Optional.of(name);
    }

    /** Writes {@code <suite>-lookup.png}; returns its file name, or none when nothing was measured. */
    static Optional<String> lookup(Measurements m, Path dir, String suite, List<Integer> blockCounts) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        List<XYSeries> series = new ArrayList<>();
        series.add(series("miss, binary search (Java)", blockCounts, b -> m.java("RamListLookupBench.missBinarySearch", "blocks=" + b)));
        series.add(series("miss, linear scan (Java)", blockCounts, b -> m.java("RamListLookupBench.missLinearScanQemu", "blocks=" + b)));
        series.add(series("miss, binary search (C)", blockCounts, b -> m.nativeFigure("lookup", "variant=miss_bsearch", "param=" + b)));
        series.add(series("miss, linear scan (C)", blockCounts, b -> m.nativeFigure("lookup", "variant=miss_scan", "param=" + b)));
        series.add(series("MRU hit (Java)", blockCounts, b -> m.java("RamListLookupBench.hit", "blocks=" + b)));
        series.add(series("MRU hit (C)", blockCounts, b -> m.nativeFigure("lookup", "variant=hit", "param=" + b)));
        series.stream().filter(s -> s.getItemCount() > 0).forEach(data::addSeries);
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        LogAxis x = decades("RAM blocks (log)", 2);
        LogAxis y = decades("ns per lookup (log)", 10);
        XYPlot plot = new XYPlot(data, x, y, new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(Color.GRAY);
        String name = suite + "-lookup.png";
        ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), new JFreeChart("RAM address lookup cost vs number of blocks", plot), WIDTH, HEIGHT);
        return Optional.of(name);
    }

    /** A log axis with a tick at each power of {@code base}, labelled with plain numbers. */
    static LogAxis decades(String label, double base) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(base);
        axis.setSmallestValue(base == 2 ? 4 : 0.05);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("0.##"));
        return axis;
    }

    private static XYSeries series(String name, List<Integer> xs, java.util.function.IntFunction<Optional<Measurements.Figure>> f) {
        XYSeries s = new XYSeries(name);
        for (int b : xs) {
            f.apply(b).ifPresent(fig -> s.add(b, fig.ns()));
        }
        return s;
    }

    private static void add(DefaultCategoryDataset data, Optional<Measurements.Figure> f, String series, String category) {
        f.ifPresent(fig -> data.addValue(fig.ns(), series, category));
    }
}
