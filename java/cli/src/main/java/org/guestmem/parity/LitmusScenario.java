package org.guestmem.parity;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One litmus scenario of {@code litmus.table}: what it observes, the grade of every outcome and the
 * variants that implement it, each with what its forbidden outcomes do on real hardware.
 *
 * <p>An implementation reports one small integer per {@link Observed} value (index {@code k} means the
 * table's label {@code k}); {@link #grade(int...)} grades such a tuple, {@link #key(int...)} prints it the
 * way the table and the C harness do ({@code version=new,list=old}).
 *
 * @param id         the scenario ID shared by the C harness, jcstress and the parity report
 * @param title      one line saying the property
 * @param threads    what thread 0 and thread 1 play (thread 0 is the updater side)
 * @param steps      the ORDERING.md steps the scenario races
 * @param observed   the observed values, in key order
 * @param outcomes   the listed outcomes
 * @param otherGrade the grade of every outcome not listed (the table's {@code *} line; FORBIDDEN if none)
 * @param otherText  what the catch-all means
 * @param variants   the implementations, in table order
 */
public record LitmusScenario(String id, String title, List<String> threads, String steps, List<Observed> observed,
                             List<Outcome> outcomes, Grade otherGrade, String otherText, List<Variant> variants) {

    /** Outcome grades, in jcstress's words. */
    public enum Grade { ALLOWED, ALLOWED_INTERESTING, FORBIDDEN }

    /** What the FORBIDDEN outcomes of a variant do on real hardware. */
    public enum Expectation {
        /** Must never show, on any CPU. */
        NEVER,
        /** Expected to show on every CPU, x86-TSO included (store-&gt;load reordering or a logic error). */
        OBSERVABLE,
        /** Needs load-&gt;load or store-&gt;store reordering: x86-TSO hides it, weaker CPUs may show it. */
        WEAK_ONLY
    }

    /** What a ThreadSanitizer build of the C variant reports (the table writes these in lower case). */
    public enum TsanExpectation { CLEAN, RACE, ANY }

    /**
     * One observed value.
     *
     * @param name   the name used in outcome keys
     * @param labels label {@code k} stands for the reported value {@code k}
     */
    public record Observed(String name, List<String> labels) {
        public Observed {
            labels = List.copyOf(labels);
        }
    }

    /**
     * One listed outcome.
     *
     * @param key    {@code NAME=LABEL,...} as written in the table
     * @param values the label index of each observed value
     * @param grade  its grade
     * @param text   what it means
     */
    public record Outcome(String key, List<Integer> values, Grade grade, String text) {
        public Outcome {
            values = List.copyOf(values);
        }
    }

    /**
     * One implementation of the scenario.
     *
     * @param name   the variant name shared by every language ({@code fixed}, {@code broken-plain}, ...)
     * @param expect what its forbidden outcomes do on hardware
     * @param tsan   what ThreadSanitizer reports for the C variant
     * @param text   how it is implemented
     * @param cpus   the CPU memory models that allow its forbidden outcome (the table's {@code EXPECT/TSO,ARMV8});
     *               empty: every CPU
     */
    public record Variant(String name, Expectation expect, TsanExpectation tsan, String text, List<CpuModel> cpus) {
        public Variant {
            cpus = List.copyOf(cpus);
        }

        /** A variant whose EXPECT names no CPU model. */
        public Variant(String name, Expectation expect, TsanExpectation tsan, String text) {
            this(name, expect, tsan, text, List.of());
        }

        /** The EXPECT column as the table writes it ({@code OBSERVABLE/TSO}). */
        public String expectText() {
            return cpus.isEmpty() ? expect.name()
                    : expect.name() + "/" + cpus.stream().map(Enum::name).collect(Collectors.joining(","));
        }

        /** False when this CPU's memory model is known and the table says it cannot show the forbidden outcome. */
        public boolean showsOn(CpuModel cpu) {
            return cpus.isEmpty() || cpu == null || cpus.contains(cpu);
        }
    }

    /** The CPU memory models EXPECT may name, in table order. */
    public enum CpuModel {
        TSO, ARMV8;

        /** This JVM's CPU: TSO on x86, ARMV8 on aarch64, null otherwise. */
        public static CpuModel current() {
            String arch = System.getProperty("os.arch", "");
            return switch (arch) {
                case "amd64", "x86_64", "x86", "i386" -> TSO;
                case "aarch64", "arm64" -> ARMV8;
                default -> null;
            };
        }
    }

    public LitmusScenario {
        threads = List.copyOf(threads);
        observed = List.copyOf(observed);
        outcomes = List.copyOf(outcomes);
        variants = List.copyOf(variants);
    }

    /** The listed outcome for these reported values, if the table lists one. */
    public Optional<Outcome> outcome(int... values) {
        checkArity(values);
        List<Integer> boxed = IntStream.of(values).boxed().toList();
        return outcomes.stream().filter(o -> o.values().equals(boxed)).findFirst();
    }

    /** The grade of these reported values: the listed outcome's, else {@link #otherGrade()}. */
    public Grade grade(int... values) {
        return outcome(values).map(Outcome::grade).orElse(otherGrade);
    }

    /** {@code NAME=LABEL,...} for these values; a value without a label prints as {@code NAME=?k}. */
    public String key(int... values) {
        checkArity(values);
        return IntStream.range(0, values.length).mapToObj(k -> {
            Observed o = observed.get(k);
            int v = values[k];
            return o.name() + "=" + (v >= 0 && v < o.labels().size() ? o.labels().get(v) : "?" + v);
        }).collect(Collectors.joining(","));
    }

    /** The variant with this name; IllegalArgumentException names the variants the table has. */
    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("scenario " + id + " has no variant '" + name + "'; it has "
                        + variants.stream().map(Variant::name).toList()));
    }

    private void checkArity(int[] values) {
        if (values.length != observed.size()) {
            throw new IllegalArgumentException("scenario " + id + " observes " + observed.size() + " values "
                    + observed.stream().map(Observed::name).toList() + ", got " + values.length);
        }
    }
}
