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

    /**
     * Every jcstress class and the (scenario, variant) of the table it implements. A new class must be added
     * here, so a copied class that forgot to change its {@code VARIANT} (or its outcomes) is caught.
     */
    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("RcuGpFixed", "RCU-gp fixed"),
            Map.entry("RcuGpFixedMembarrier", "RCU-gp membarrier"),
            Map.entry("RcuGpFixedQsbr", "RCU-gp java-qsbr"),
            Map.entry("RcuGpBroken", "RCU-gp broken-nowait"),
            Map.entry("SbReaderFence", "SB-reader fixed"),
            Map.entry("SbReaderSeqCst", "SB-reader fixed-sc"),
            Map.entry("SbReaderMembarrier", "SB-reader membarrier"),
            Map.entry("SbReaderHeapMembarrier", "SB-reader membarrier"),
            Map.entry("SbReaderHeapBroken", "SB-reader broken-nofence"),
            Map.entry("SbReaderBroken", "SB-reader broken-nofence"),
            Map.entry("SbReaderAcqRel", "SB-reader broken-acqrel"),
            Map.entry("SbReaderNoMembarrier", "SB-reader broken-no-membarrier"),
            Map.entry("MpVersionFixed", "MP-version fixed"),
            Map.entry("MpVersionFences", "MP-version fences"),
            Map.entry("MpVersionNativeRoot", "MP-version fixed"),
            Map.entry("MpVersionBroken", "MP-version broken-relaxed"),
            Map.entry("MruClearFixed", "MRU-clear fixed-removed"),
            Map.entry("MruClearBroken", "MRU-clear broken-untagged"),
            Map.entry("VersionDropFixed", "VERSION-drop fixed"),
            Map.entry("VersionDropBroken", "VERSION-drop broken-nocheck"));

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
    void everyClassImplementsTheVariantItIsMappedTo() throws Exception {
        Map<String, String> found = new TreeMap<>();
        for (Class<?> test : jcstressTests()) {
            found.put(test.getSimpleName(), test.getField("SCENARIO").get(null) + " " + test.getField("VARIANT").get(null));
        }
        assertEquals(new TreeMap<>(CLASSES), found, "jcstress classes and their (scenario, variant)");
    }

    @Test
    void everyScenarioHasAFixedAndABrokenClass() {
        LitmusTable table = LitmusTable.fromClasspath();
        for (LitmusScenario s : table.scenarios()) {
            List<LitmusScenario.Expectation> covered = CLASSES.values().stream()
                    .filter(v -> v.startsWith(s.id() + " "))
                    .map(v -> v.substring(s.id().length() + 1))
                    .filter(v -> !JAVA_ONLY.contains(v))
                    .map(v -> s.variant(v).expect()).toList();
            assertTrue(covered.contains(LitmusScenario.Expectation.NEVER), s.id() + ": no jcstress class of a fixed variant");
            assertTrue(covered.stream().anyMatch(e -> e != LitmusScenario.Expectation.NEVER), s.id() + ": no jcstress class of a broken variant");
        }
    }

    /**
     * scripts/jcstress-check.sh (run by CI) lists the classes whose verdict it enforces: its fixed list must be
     * NEVER variants (they must pass), its broken list OBSERVABLE ones (they must fail on x86); every scenario
     * has a class in the fixed list, and every scenario with an OBSERVABLE class has one in the broken list.
     */
    @Test
    void theCiCheckEnforcesTheTablesExpectations() throws IOException {
        LitmusTable table = LitmusTable.fromClasspath();
        Path script = Path.of("../../scripts/jcstress-check.sh");
        assertTrue(Files.isRegularFile(script), "missing " + script.toAbsolutePath());
        List<String> lines = Files.readAllLines(script);
        Map<String, List<String>> lists = new TreeMap<>();
        for (String name : List.of("fixed", "broken")) {
            String line = lines.stream().filter(l -> l.startsWith(name + "=(") && l.endsWith(")")).findFirst()
                    .orElseThrow(() -> new AssertionError(script + " has no line " + name + "=(...)"));
            lists.put(name, List.of(line.substring(name.length() + 2, line.length() - 1).trim().split("\\s+")));
        }
        Map<String, Set<LitmusScenario.Expectation>> enforced = new TreeMap<>();
        for (var e : lists.entrySet()) {
            LitmusScenario.Expectation want = e.getKey().equals("fixed") ? LitmusScenario.Expectation.NEVER
                    : LitmusScenario.Expectation.OBSERVABLE;
            for (String c : e.getValue()) {
                String mapped = CLASSES.get(c);
                assertTrue(mapped != null, script + " names " + c + ", which is not a jcstress class here");
                String[] sv = mapped.split(" ");
                LitmusScenario.Expectation is = JAVA_ONLY.contains(sv[1]) ? LitmusScenario.Expectation.NEVER
                        : table.scenario(sv[0]).variant(sv[1]).expect();
                assertEquals(want, is, script + " lists " + c + " (" + mapped + ") as " + e.getKey());
                enforced.computeIfAbsent(sv[0], k -> new java.util.HashSet<>()).add(is);
            }
        }
        for (LitmusScenario s : table.scenarios()) {
            Set<LitmusScenario.Expectation> got = enforced.getOrDefault(s.id(), Set.of());
            assertTrue(got.contains(LitmusScenario.Expectation.NEVER), script + " runs no fixed class of " + s.id());
            boolean observableClass = CLASSES.values().stream().filter(v -> v.startsWith(s.id() + " "))
                    .map(v -> v.substring(s.id().length() + 1)).filter(v -> !JAVA_ONLY.contains(v))
                    .anyMatch(v -> s.variant(v).expect() == LitmusScenario.Expectation.OBSERVABLE);
            assertEquals(observableClass, got.contains(LitmusScenario.Expectation.OBSERVABLE),
                    script + ": a broken class of " + s.id() + " that must fail on x86 is not checked to fail");
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
        LitmusScenario mp = table.scenario(RamLitmusOutcomes.MP_VERSION);
        LitmusScenario mru = table.scenario(RamLitmusOutcomes.MRU_CLEAR);
        LitmusScenario vd = table.scenario(RamLitmusOutcomes.VERSION_DROP);
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                assertEquals(mp.key(a, b), RamLitmusOutcomes.mp(a, b));
                for (int c = 0; c < 2; c++) {
                    assertEquals(mru.key(a, b, c), RamLitmusOutcomes.mru(a, b, c));
                }
            }
            for (int use : new int[] {RamLitmusOutcomes.DROP, RamLitmusOutcomes.LIVE, RamLitmusOutcomes.DEAD}) {
                assertEquals(vd.key(a, use), RamLitmusOutcomes.vd(a, use));
            }
        }
        assertEquals(LitmusScenario.Grade.FORBIDDEN, vd.grade(0, RamLitmusOutcomes.DEAD), "seen=A,use=dead");
        assertEquals(LitmusScenario.Grade.FORBIDDEN, mru.grade(1, 1, 1), "found=1,late=1,stale=1");
        assertEquals(LitmusScenario.Grade.FORBIDDEN, mp.grade(1, 0), "version=new,list=old");
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
