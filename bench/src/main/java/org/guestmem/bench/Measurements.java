package org.guestmem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every figure of one run, in nanoseconds per operation: JMH results (benchmark {@code Class.method} and
 * its parameters) and native results (the JSON lines of native/bench). Confined to the runner thread.
 */
final class Measurements {
    /** One measured figure; {@code error} is JMH's 99.9% half-interval (NaN for native figures). */
    record Figure(String source, String benchmark, Map<String, String> params, double ns, double error) {
        String label() {
            return params.isEmpty() ? benchmark : benchmark + " " + params;
        }
    }

    private final List<Figure> java = new ArrayList<>();
    private final List<Figure> natives = new ArrayList<>();

    void addJava(String benchmark, Map<String, String> params, double ns, double error) {
        java.add(new Figure("jmh", benchmark, new TreeMap<>(params), ns, error));
    }

    /**
     * A JMH figure that is the best (lowest) of {@code forks} forks, merged with an earlier best figure of the same
     * benchmark and parameters: the lower of the two is kept and {@code best_of_forks} counts every fork of both
     * (see {@link JmhBenches#runBestFork}, called once per round of {@link BenchRunner#interleaved}).
     */
    void addJavaBest(String benchmark, Map<String, String> params, double ns, int forks) {
        Map<String, String> p = new TreeMap<>(params);
        p.remove(BEST_OF_FORKS);
        for (int i = 0; i < java.size(); i++) {
            Figure f = java.get(i);
            Map<String, String> q = new TreeMap<>(f.params());
            String earlier = q.remove(BEST_OF_FORKS);
            if (earlier != null && f.benchmark().equals(benchmark) && q.equals(p)) {
                p.put(BEST_OF_FORKS, Integer.toString(Integer.parseInt(earlier) + forks));
                java.set(i, new Figure("jmh", benchmark, p, Math.min(ns, f.ns()), Double.NaN));
                return;
            }
        }
        p.put(BEST_OF_FORKS, Integer.toString(forks));
        java.add(new Figure("jmh", benchmark, p, ns, Double.NaN));
    }

    /** The parameter of a {@link #addJavaBest} figure that counts the forks it is the best of. */
    static final String BEST_OF_FORKS = "best_of_forks";

    /** A native figure: bench, variant, impl, threads and param of one JSON line. */
    void addNative(String bench, String variant, String impl, int threads, long param, double ns) {
        addNative(bench, variant, impl, threads, param, ns, Map.of());
    }

    /** A native figure with the line's further fields (such as a checksum of the work done) kept as parameters. */
    void addNative(String bench, String variant, String impl, int threads, long param, double ns, Map<String, String> extra) {
        natives.add(new Figure("native", bench, nativeParams(variant, impl, threads, param, extra), ns, Double.NaN));
    }

    private static Map<String, String> nativeParams(String variant, String impl, int threads, long param, Map<String, String> extra) {
        Map<String, String> p = new TreeMap<>(extra);
        p.put("variant", variant);
        p.put("impl", impl);
        p.put("threads", Integer.toString(threads));
        p.put("param", Long.toString(param));
        return p;
    }

    /**
     * As {@link #addNative(String, String, String, int, long, double, Map)}, for a repeated process: the
     * figure with the same bench, variant, impl, threads and param keeps the lower of the two (the best
     * process), and the figure counts the processes it was the best of ({@code best_of}).
     */
    void addNativeBest(String bench, String variant, String impl, int threads, long param, double ns, Map<String, String> extra) {
        Map<String, String> p = nativeParams(variant, impl, threads, param, extra);
        for (int i = 0; i < natives.size(); i++) {
            Figure f = natives.get(i);
            Map<String, String> q = f.params();
            if (f.benchmark().equals(bench) && variant.equals(q.get("variant")) && impl.equals(q.get("impl"))
                    && p.get("threads").equals(q.get("threads")) && p.get("param").equals(q.get("param"))) {
                int n = Integer.parseInt(q.getOrDefault("best_of", "1")) + 1;
                Figure keep = ns < f.ns() ? new Figure("native", bench, p, ns, Double.NaN) : f;
                Map<String, String> kp = new TreeMap<>(keep.params());
                kp.put("best_of", Integer.toString(n));
                natives.set(i, new Figure("native", bench, kp, keep.ns(), Double.NaN));
                return;
            }
        }
        natives.add(new Figure("native", bench, p, ns, Double.NaN));
    }

    /** The JMH figure of {@code Class.method} whose parameters include every {@code key=value} given. */
    Optional<Figure> java(String benchmark, String... keyValues) {
        return find(java, benchmark, keyValues);
    }

    /** The native figure of {@code bench} whose fields include every {@code key=value} given. */
    Optional<Figure> nativeFigure(String bench, String... keyValues) {
        return find(natives, bench, keyValues);
    }

    List<Figure> javaFigures() {
        return List.copyOf(java);
    }

    List<Figure> nativeFigures() {
        return List.copyOf(natives);
    }

    private static Optional<Figure> find(List<Figure> in, String benchmark, String... keyValues) {
        outer:
        for (Figure f : in) {
            if (!f.benchmark().equals(benchmark)) {
                continue;
            }
            for (String kv : keyValues) {
                int eq = kv.indexOf('=');
                if (!kv.substring(eq + 1).equals(f.params().get(kv.substring(0, eq)))) {
                    continue outer;
                }
            }
            return Optional.of(f);
        }
        return Optional.empty();
    }
}
