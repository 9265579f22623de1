package org.guestmem.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.guestmem.parity.LitmusScenario;
import org.guestmem.parity.LitmusTable;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;

/**
 * Ties every jcstress test of this module to {@code native/harness/litmus.table}, the one definition of the
 * scenarios: the class names a scenario and a variant the table has (or a declared Java-only variant), and its
 * {@code @Outcome} annotations list exactly the table's outcome keys with the same grades, plus the catch-all.
 */
class LitmusOutcomesTest {
    /** Variants that exist only on the Java side (no C twin in the table). */
    private static final Set<String> JAVA_ONLY = Set.of("java-qsbr");

    @Test
    void everyJcstressTestMatchesTheSharedTable() throws Exception {
        LitmusTable table = LitmusTable.fromClasspath();
        List<Class<?>> tests = jcstressTests();
        assertTrue(tests.size() >= 10, "found only " + tests);
        for (Class<?> test : tests) {
            String scenarioId = (String) test.getField("SCENARIO").get(null);
            String variant = (String) test.getField("VARIANT").get(null);
            LitmusScenario scenario = table.scenario(scenarioId);
            if (!JAVA_ONLY.contains(variant)) {
                scenario.variant(variant); // throws, naming the table's variants, if it has no such variant
            }
            Map<String, Expect> annotated = new TreeMap<>();
            Expect catchAll = null;
            for (Outcome o : test.getAnnotationsByType(Outcome.class)) {
                for (String id : o.id()) {
                    if (id.isEmpty()) {
                        catchAll = o.expect(); // jcstress's catch-all: an @Outcome without id
                    } else {
                        annotated.put(id, o.expect());
                    }
                }
            }
            Map<String, Expect> expected = new TreeMap<>();
            for (LitmusScenario.Outcome o : scenario.outcomes()) {
                expected.put(o.key(), expect(o.grade()));
            }
            assertEquals(expected, annotated, test.getSimpleName() + " grades other outcomes than " + table.source());
            assertEquals(expect(scenario.otherGrade()), catchAll, test.getSimpleName() + ": catch-all outcome");
        }
    }

    @Test
    void theKeysTheTestsReportAreTheTablesKeys() {
        LitmusTable table = LitmusTable.fromClasspath();
        LitmusScenario gp = table.scenario(RcuLitmusOutcomes.RCU_GP);
        LitmusScenario sb = table.scenario(RcuLitmusOutcomes.SB_READER);
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                assertEquals(gp.key(a, b), RcuLitmusOutcomes.gp(a, b));
                assertEquals(sb.key(a, b), RcuLitmusOutcomes.sb(a, b));
            }
        }
        assertFalse(gp.outcome(0, 1).isEmpty(), "saw=old,block=dead is listed");
    }

    private static Expect expect(LitmusScenario.Grade grade) {
        return switch (grade) {
            case ALLOWED -> Expect.ACCEPTABLE;
            case ALLOWED_INTERESTING -> Expect.ACCEPTABLE_INTERESTING;
            case FORBIDDEN -> Expect.FORBIDDEN;
        };
    }

    private static List<Class<?>> jcstressTests() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(RcuLitmusOutcomes.class.getResource("RcuLitmusOutcomes.class").toURI()).getParent();
        List<Class<?>> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$") && !name.contains("_jcstress")) {
                    Class<?> c = Class.forName("org.guestmem.stress." + name.substring(0, name.length() - 6), false,
                            LitmusOutcomesTest.class.getClassLoader());
                    if (c.isAnnotationPresent(JCStressTest.class)) {
                        tests.add(c);
                    }
                }
            }
        }
        return tests;
    }
}
