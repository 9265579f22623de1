package org.guestmem.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.guestmem.parity.LitmusScenario.Expectation;
import org.guestmem.parity.LitmusScenario.Grade;
import org.guestmem.parity.LitmusScenario.TsanExpectation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LitmusTableTest {

    /** The real table; surefire runs in the java/ module directory. */
    private static final Path TABLE = Path.of("..", "..", "native", "harness", "litmus.table");

    private static final String HEAD = "scenario S a title\nobserve x old new\nobserve y no yes\n";

    @Test
    void theRealTableHoldsTheFiveScenariosOfOrdering() throws IOException {
        LitmusTable t = LitmusTable.load(TABLE);
        assertEquals(List.of("MP-version", "RCU-gp", "MRU-clear", "VERSION-drop", "SB-reader"),
                t.scenarios().stream().map(LitmusScenario::id).toList());
        for (LitmusScenario s : t.scenarios()) {
            assertEquals(Expectation.NEVER, s.variant("fixed").expect(), s.id());
            assertTrue(s.outcomes().stream().anyMatch(o -> o.grade() == Grade.FORBIDDEN), s.id());
            assertEquals(Grade.FORBIDDEN, s.otherGrade(), s.id());
            assertTrue(s.variants().stream().anyMatch(v -> v.expect() != Expectation.NEVER), s.id() + " has a broken variant");
        }
    }

    @Test
    void gradesAndKeysFollowTheLabels() throws IOException {
        LitmusTable t = LitmusTable.load(TABLE);
        LitmusScenario sb = t.scenario("SB-reader");
        assertEquals(Grade.FORBIDDEN, sb.grade(0, 0));
        assertEquals("ptr=old,ctr=idle", sb.key(0, 0));
        assertEquals(Grade.ALLOWED, sb.grade(1, 1));
        assertEquals("ptr=new,ctr=?7", sb.key(1, 7));
        assertEquals(Grade.FORBIDDEN, sb.grade(1, 7), "an unlisted outcome takes the catch-all grade");
        assertEquals(Expectation.OBSERVABLE, sb.variant("broken-nofence").expect());
        LitmusScenario mru = t.scenario("MRU-clear");
        assertEquals(Grade.ALLOWED_INTERESTING, mru.grade(1, 1, 0));
        assertEquals(TsanExpectation.RACE, mru.variant("broken-plain").tsan());
        assertThrows(IllegalArgumentException.class, () -> sb.grade(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sb.variant("nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("broken-acqrel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.scenario("SB"));
        assertTrue(e.getMessage().contains("'SB'") && e.getMessage().contains("SB-reader"), e.getMessage());
    }

    /** The C reader (gm-litmus --list) and this one read the same scenarios, variants and expectations. */
    @Test
    void theCHarnessReadsTheSameTable() throws Exception {
        Path lib = Path.of(System.getProperty("guestmem.native.lib", "missing"));
        Path harness = lib.resolveSibling("harness").resolve("gm-litmus");
        Assumptions.assumeTrue(Files.isExecutable(harness), "gm-litmus not built at " + harness);
        Process p = new ProcessBuilder(harness.toString(), "--list", "--table", TABLE.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gm-litmus --list did not finish");
        assertEquals(0, p.exitValue(), out);
        List<String> fromC = out.lines().map(l -> String.join(" ", Arrays.asList(l.strip().split(" +", 5)).subList(0, 4))).toList();
        assertEquals(LitmusTable.load(TABLE).variantLines(), fromC);
    }

    @Test
    void theClasspathCopyIsFoundAndAMissingOneIsNamed(@TempDir Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("org/guestmem/parity"));
        Files.copy(TABLE, pkg.resolve(LitmusTable.RESOURCE));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            LitmusTable t = LitmusTable.fromClasspath(loader);
            assertEquals(5, t.scenarios().size());
            assertTrue(t.source().startsWith("classpath:org/guestmem/parity/litmus.table"), t.source());
        }
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LitmusTable.fromClasspath(empty));
            assertTrue(e.getMessage().contains("org/guestmem/parity/litmus.table"), e.getMessage());
        }
    }

    @Test
    void aMinimalTableParses() {
        LitmusTable t = LitmusTable.parse(HEAD + "threads w r\noutcome x=new,y=yes ALLOWED_INTERESTING i\n"
                + "outcome * ALLOWED rest\nvariant v WEAK_ONLY any how it is built\n", "t");
        LitmusScenario s = t.scenario("S");
        assertEquals("a title", s.title());
        assertEquals(List.of("w", "r"), s.threads());
        assertEquals(List.of(1, 1), s.outcomes().get(0).values());
        assertEquals(Grade.ALLOWED, s.otherGrade());
        assertEquals("how it is built", s.variant("v").text());
        assertEquals(List.of("S v WEAK_ONLY any"), t.variantLines());
    }

    @Test
    void expectMayNameTheCpuModelsThatCanShowTheOutcome() {
        LitmusTable t = LitmusTable.parse(HEAD + "outcome x=old,y=no ALLOWED fine\nvariant v OBSERVABLE/TSO clean a\n"
                + "variant w WEAK_ONLY/ARMV8,TSO any b\n", "t");
        assertEquals(List.of(LitmusScenario.CpuModel.TSO), t.scenario("S").variant("v").cpus());
        assertEquals(List.of(LitmusScenario.CpuModel.TSO, LitmusScenario.CpuModel.ARMV8), t.scenario("S").variant("w").cpus());
        assertEquals(List.of("S v OBSERVABLE/TSO clean", "S w WEAK_ONLY/TSO,ARMV8 any"), t.variantLines());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LitmusTable.parse(
                HEAD + "outcome x=old,y=no ALLOWED fine\nvariant v OBSERVABLE/POWER clean a\n", "t"));
        assertTrue(e.getMessage().contains("CPU model 'POWER' in EXPECT is not TSO or ARMV8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LitmusTable.parse(
                HEAD + "outcome x=old,y=no ALLOWED fine\nvariant v NEVER/TSO clean a\n", "t"));
        assertTrue(e.getMessage().contains("a NEVER variant shows on no CPU"), e.getMessage());
    }

    @Test
    void textAndNamesKeepTheCReadersLimits() {
        String longText = "x".repeat(240);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LitmusTable.parse("scenario S " + longText + "\n", "t"));
        assertEquals("t:1: text of 240 characters, at most 239", e.getMessage());
        String longName = "n".repeat(48);
        e = assertThrows(IllegalArgumentException.class, () -> LitmusTable.parse("scenario " + longName + " t\n", "t"));
        assertTrue(e.getMessage().contains("is longer than 47 characters"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "observe x a b|t:1: 'observe' before the first scenario line",
        "HEAD outcome x=old ALLOWED|t:4: outcome key 'x=old' names 1 values, the scenario observes 2",
        "HEAD outcome y=no,x=old ALLOWED|observed value 1 is 'x', not 'y'",
        "HEAD outcome x=mid,y=no ALLOWED|'mid' is not a label of 'x'",
        "HEAD outcome x=old,y=no MAYBE|t:4: grade 'MAYBE' is not ALLOWED, ALLOWED_INTERESTING or FORBIDDEN",
        "HEAD outcome x=old,y=no ALLOWED a;outcome x=old,y=no FORBIDDEN b|t:5: outcome x=old,y=no is listed twice",
        "HEAD outcome x=old,y=no ALLOWED;variant v SOMETIMES clean t|expectation 'SOMETIMES' is not NEVER",
        "HEAD outcome x=old,y=no ALLOWED;variant v NEVER dirty t|TSan expectation 'dirty' is not clean, race or any",
        "HEAD outcome x=old,y=no ALLOWED;variant v NEVER CLEAN t|TSan expectation 'CLEAN'",
        "HEAD outcome x=old,y=no ALLOWED;variant v NEVER clean;variant v NEVER clean|variant v of S is listed twice",
        "HEAD outcome x=old,y=no ALLOWED|t: scenario S needs observe, outcome and variant lines",
        "HEAD outcome x=old,y=no ALLOWED;variant v NEVER clean;scenario S again|t:6: scenario S is defined twice",
        "scenario S t;observe x only|t:2: observe x needs 2 to 8 labels",
        "scenario S t;frobnicate|t:2: unknown keyword 'frobnicate'",
        "# nothing|t: no scenario in the table",
    })
    void everyBrokenRuleIsRejectedWithItsLine(String table, String message) {
        String text = table.replace("HEAD ", HEAD).replace(';', '\n') + "\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LitmusTable.parse(text, "t"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
