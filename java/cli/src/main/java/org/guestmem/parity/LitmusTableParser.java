package org.guestmem.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.guestmem.parity.LitmusScenario.Expectation;
import org.guestmem.parity.LitmusScenario.Grade;
import org.guestmem.parity.LitmusScenario.Observed;
import org.guestmem.parity.LitmusScenario.Outcome;
import org.guestmem.parity.LitmusScenario.TsanExpectation;
import org.guestmem.parity.LitmusScenario.Variant;

/**
 * Reads the text of a litmus table line by line (format: the top of {@code native/harness/litmus.table});
 * every broken rule is an IllegalArgumentException "source:line: rule", the same rules as the C reader
 * {@code native/harness/table.c}, with the same limits.
 */
final class LitmusTableParser {
    private static final int MAX_SCENARIOS = 16;
    private static final int MAX_OBSERVED = 4;
    private static final int MAX_OUTCOMES = 24;
    private static final int MAX_VARIANTS = 8;
    private static final int MAX_NAME = 47;
    private static final int MAX_TEXT = 239;

    private final String source;
    private final List<LitmusScenario> done = new ArrayList<>();
    private int line;
    private String id;
    private String title;
    private List<String> threads = List.of();
    private String steps = "";
    private final List<Observed> observed = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private Grade otherGrade;
    private String otherText;
    private final List<Variant> variants = new ArrayList<>();

    LitmusTableParser(String source) {
        this.source = source;
    }

    List<LitmusScenario> parse(String text) {
        for (String raw : text.split("\n", -1)) {
            line++;
            String s = raw.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                record(s);
            }
        }
        finish();
        if (done.isEmpty()) {
            throw new IllegalArgumentException(source + ": no scenario in the table");
        }
        return done;
    }

    private void record(String s) {
        String[] w = s.split("[ \t]+", 2);
        String rest = w.length > 1 ? w[1] : "";
        switch (w[0]) {
            case "scenario" -> {
                finish();
                String[] f = fields(rest, 1, "scenario needs an ID");
                if (done.stream().anyMatch(d -> d.id().equals(f[0]))) {
                    throw fail("scenario " + f[0] + " is defined twice");
                }
                id = name(f[0]);
                title = f[1];
                otherGrade = Grade.FORBIDDEN;
                otherText = "unexpected outcome";
            }
            case "threads", "steps", "observe", "outcome", "variant" -> {
                if (id == null) {
                    throw fail("'" + w[0] + "' before the first scenario line");
                }
                body(w[0], rest);
            }
            default -> throw fail("unknown keyword '" + w[0] + "' (scenario, threads, steps, observe, outcome, variant)");
        }
    }

    private void body(String keyword, String rest) {
        switch (keyword) {
            case "threads" -> {
                String[] f = fields(rest, 2, "threads needs two names");
                threads = List.of(name(f[0]), name(f[1]));
            }
            case "steps" -> steps = text(rest);
            case "observe" -> {
                String[] f = rest.strip().split("[ \t]+");
                if (!outcomes.isEmpty() || observed.size() == 4) {
                    throw fail("observe lines come before the outcomes, at most 4 per scenario");
                }
                if (f.length < 3 || f.length > 9) {
                    throw fail("observe " + f[0] + " needs 2 to 8 labels");
                }
                observed.add(new Observed(name(f[0]),
                        List.of(f).subList(1, f.length).stream().map(this::name).toList()));
            }
            case "outcome" -> outcome(fields(rest, 2, "outcome needs a KEY and a GRADE"));
            default -> variant(fields(rest, 3, "variant needs NAME EXPECT TSAN"));
        }
    }

    private void outcome(String[] f) {
        Grade grade = parseEnum(Grade.class, f[1], "grade '" + f[1] + "' is not ALLOWED, ALLOWED_INTERESTING or FORBIDDEN");
        if (f[0].equals("*")) {
            otherGrade = grade;
            otherText = f[2];
            return;
        }
        if (observed.isEmpty()) {
            throw fail("outcome needs observe lines before it");
        }
        List<Integer> values = keyValues(f[0]);
        if (outcomes.stream().anyMatch(o -> o.values().equals(values))) {
            throw fail("outcome " + f[0] + " is listed twice");
        }
        outcomes.add(new Outcome(f[0], values, grade, f[2]));
    }

    private List<Integer> keyValues(String key) {
        String[] parts = key.split(",", -1);
        if (parts.length != observed.size()) {
            throw fail("outcome key '" + key + "' names " + parts.length + " values, the scenario observes " + observed.size());
        }
        List<Integer> values = new ArrayList<>();
        for (int k = 0; k < parts.length; k++) {
            Observed o = observed.get(k);
            int eq = parts[k].indexOf('=');
            if (eq < 0) {
                throw fail("outcome key '" + key + "' must be NAME=LABEL for each of the " + observed.size() + " observe lines");
            }
            if (!parts[k].substring(0, eq).equals(o.name())) {
                throw fail("outcome key '" + key + "': observed value " + (k + 1) + " is '" + o.name() + "', not '"
                        + parts[k].substring(0, eq) + "'");
            }
            int label = o.labels().indexOf(parts[k].substring(eq + 1));
            if (label < 0) {
                throw fail("outcome key '" + key + "': '" + parts[k].substring(eq + 1) + "' is not a label of '" + o.name() + "'");
            }
            values.add(label);
        }
        return values;
    }

    private void variant(String[] f) {
        String[] e = f[1].split("/", -1);
        Expectation expect = parseEnum(Expectation.class, e[0], "expectation '" + e[0] + "' is not NEVER, OBSERVABLE or WEAK_ONLY");
        java.util.List<LitmusScenario.CpuModel> cpus = new java.util.ArrayList<>();
        if (e.length > 1) {
            for (String m : e[1].split(",", -1)) {
                LitmusScenario.CpuModel c = parseEnum(LitmusScenario.CpuModel.class, m, "CPU model '" + m + "' in EXPECT is not TSO or ARMV8");
                if (!cpus.contains(c)) {
                    cpus.add(c);
                }
            }
            cpus.sort(null);
            if (expect == Expectation.NEVER) {
                throw fail("a NEVER variant shows on no CPU: drop '/' and the CPU models");
            }
        }
        TsanExpectation tsan = f[2].equals(f[2].toLowerCase(Locale.ROOT))
                ? parseEnum(TsanExpectation.class, f[2].toUpperCase(Locale.ROOT), null) : null;
        if (tsan == null) {
            throw fail("TSan expectation '" + f[2] + "' is not clean, race or any");
        }
        if (variants.stream().anyMatch(v -> v.name().equals(f[0]))) {
            throw fail("variant " + f[0] + " of " + id + " is listed twice");
        }
        variants.add(new Variant(name(f[0]), expect, tsan, f[3], cpus));
    }

    private void finish() {
        if (id == null) {
            return;
        }
        if (observed.isEmpty() || outcomes.isEmpty() || variants.isEmpty()) {
            throw new IllegalArgumentException(source + ": scenario " + id + " needs observe, outcome and variant lines");
        }
        done.add(new LitmusScenario(id, title, threads, steps, observed, outcomes, otherGrade, otherText, variants));
        id = null;
        threads = List.of();
        steps = "";
        observed.clear();
        outcomes.clear();
        variants.clear();
    }

    /** The first n blank-separated words of rest, then the remaining text (maybe empty) as element n. */
    private String[] fields(String rest, int n, String rule) {
        String[] words = rest.strip().split("[ \t]+", n + 1);
        if (words.length < n || words[0].isEmpty()) {
            throw fail(rule);
        }
        String[] out = new String[n + 1];
        System.arraycopy(words, 0, out, 0, words.length);
        out[n] = text(Objects.requireNonNullElse(words.length > n ? words[n] : null, ""));
        return out;
    }

    /** Trailing text of a line, at most MAX_TEXT characters (the C reader's limit). */
    private String text(String raw) {
        String t = raw.strip();
        if (t.length() > MAX_TEXT) {
            throw fail("text of " + t.length() + " characters, at most " + MAX_TEXT);
        }
        return t;
    }

    /** A name (ID, variant, observed value, label), at most MAX_NAME characters (the C reader's limit). */
    private String name(String word) {
        if (word.length() > MAX_NAME) {
            throw fail("name '" + word + "' is longer than " + MAX_NAME + " characters");
        }
        return word;
    }

    private <E extends Enum<E>> E parseEnum(Class<E> type, String word, String rule) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(word)) {
                return e;
            }
        }
        if (rule == null) {
            return null;
        }
        throw fail(rule);
    }

    private IllegalArgumentException fail(String rule) {
        return new IllegalArgumentException(source + ":" + line + ": " + rule);
    }
}
