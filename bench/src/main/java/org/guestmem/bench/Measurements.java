package org.guestmem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

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
     * One JMH fork's figure of a repeated benchmark ({@link JmhBenches#runOneFork}, once per round of
     * {@link BenchRunner#interleaved}): see {@link #keepBest}; the same benchmark with the same parameters is
     * the same figure.
     */
    void addJavaBest(String benchmark, Map<String, String> params, double ns) {
        Map<String, String> p = new TreeMap<>(params);
        keepBest(java, new Figure("jmh", benchmark, p, ns, Double.NaN), f -> {
            Map<String, String> q = new TreeMap<>(f.params());
            q.remove(BEST_OF);
            return f.benchmark().equals(benchmark) && q.equals(p);
        });
    }

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
     * As {@link #addNative(String, String, String, int, long, double, Map)}, for a repeated process: see
     * {@link #keepBest}; the same bench, variant, impl, threads and param is the same figure (the further
     * fields, such as a checksum, may differ between processes).
     */
    void addNativeBest(String bench, String variant, String impl, int threads, long param, double ns, Map<String, String> extra) {
        Map<String, String> p = nativeParams(variant, impl, threads, param, extra);
        keepBest(natives, new Figure("native", bench, p, ns, Double.NaN), f -> f.benchmark().equals(bench)
                && NATIVE_KEY.stream().allMatch(k -> p.get(k).equals(f.params().get(k))));
    }

    private static final List<String> NATIVE_KEY = List.of("variant", "impl", "threads", "param");

    /** The parameter that counts the processes (C runs or JMH forks) a figure is the best of. */
    static final String BEST_OF = "best_of";

    /**
     * Replaces the figure of {@code in} that {@code same} picks with the lower of it and {@code candidate},
     * counting in {@link #BEST_OF} the processes it is the best of (a figure without the count is one); adds
     * {@code candidate} when there is none.
     */
    private static void keepBest(List<Figure> in, Figure candidate, Predicate<Figure> same) {
        for (int i = 0; i < in.size(); i++) {
            Figure f = in.get(i);
            if (same.test(f)) {
                Figure keep = candidate.ns() < f.ns() ? candidate : f;
                Map<String, String> kp = new TreeMap<>(keep.params());
                kp.put(BEST_OF, Integer.toString(Integer.parseInt(f.params().getOrDefault(BEST_OF, "1")) + 1));
                in.set(i, new Figure(keep.source(), keep.benchmark(), kp, keep.ns(), Double.NaN));
                return;
            }
        }
        in.add(candidate);
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
