package org.guestmem.parity.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.guestmem.parity.LitmusScenario.Expectation;
import org.guestmem.parity.LitmusTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checker on every variant of litmus.table: fixed variants forbidden under every model, each of their
 * protections needed by some model, the weak-only variants allowed where they matter, the observable ones
 * on x86-TSO; and the rules catch a table that says otherwise.
 */
class FormalVerdictsTest {
    private static final Path TABLE = Path.of("..", "..", "native", "harness", "litmus.table");
    private static String text;
    private static FormalVerdicts formal;

    @BeforeAll
    static void check() throws IOException {
        text = Files.readString(TABLE);
        formal = FormalVerdicts.check(LitmusTable.parse(text, TABLE.toString()));
    }

    @Test
    void everyVariantOfTheTableHasTheVerdictItsExpectSays() {
        assertEquals(List.of(), formal.problems(), formal.text());
        assertTrue(formal.ok());
        assertEquals(LitmusTable.parse(text, "t").variantLines().size(), formal.rows().size(), "one row per variant");
    }

    @Test
    void everyFixedVariantIsForbiddenUnderEveryModelAndNeedsEachProtection() {
        LitmusTable table = LitmusTable.parse(text, "t");
        int fixed = 0;
        for (var s : table.scenarios()) {
            for (var v : s.variants()) {
                FormalVerdicts.Row r = formal.row(s.id(), v.name());
                if (v.expect() == Expectation.NEVER) {
                    fixed++;
                    for (MemoryModel m : MemoryModel.values()) {
                        assertEquals(ModelVerdict.FORBIDDEN, r.verdicts().get(m), s.id() + "/" + v.name() + " under " + m);
                    }
                    assertFalse(r.racy(), s.id() + "/" + v.name() + " has a data race under RC11");
                    assertFalse(r.protections().isEmpty(), s.id() + "/" + v.name() + " names no protection");
                    r.protections().forEach((p, vs) -> assertTrue(vs.values().stream().anyMatch(ModelVerdict::allowed),
                            s.id() + "/" + v.name() + " without " + p + " is still forbidden everywhere: " + vs));
                }
                if (v.expect() == Expectation.OBSERVABLE) {
                    assertTrue(r.verdicts().get(MemoryModel.TSO).allowed(), s.id() + "/" + v.name() + " under x86-TSO");
                }
            }
        }
        assertEquals(11, fixed, "fixed variants in the table");
    }

    @Test
    void theReleaseAcquireStepsAreNeededOnArmAndInC11AndInvisibleOnX86() {
        for (String id : List.of("MP-version", "VERSION-drop")) {
            FormalVerdicts.Row r = formal.row(id, "broken-relaxed");
            assertTrue(r.verdicts().get(MemoryModel.ARMV8).allowed(), id);
            assertTrue(r.verdicts().get(MemoryModel.RC11).allowed(), id);
            assertEquals(ModelVerdict.FORBIDDEN, r.verdicts().get(MemoryModel.TSO), id);
            assertEquals(ModelVerdict.FORBIDDEN, r.verdicts().get(MemoryModel.SC), id);
        }
        // R-1-1's acquire and W-1-2's release: each one alone removed lets ARMv8 and RC11 show the outcome
        FormalVerdicts.Row mp = formal.row("MP-version", "fixed");
        assertEquals(ModelVerdict.ALLOWED, mp.protections().get("R-1-1 acquire").get(MemoryModel.ARMV8));
        assertEquals(ModelVerdict.ALLOWED, mp.protections().get("W-1-2 release").get(MemoryModel.ARMV8));
    }

    @Test
    void storeBufferingWithReleaseAcquireCannotShowOnArm() {
        FormalVerdicts.Row r = formal.row("SB-reader", "broken-acqrel");
        assertEquals(ModelVerdict.ALLOWED, r.verdicts().get(MemoryModel.TSO));
        assertEquals(ModelVerdict.FORBIDDEN, r.verdicts().get(MemoryModel.ARMV8)); // STLR then LDAR stay ordered
        assertEquals(ModelVerdict.ALLOWED, r.verdicts().get(MemoryModel.RC11));
        assertEquals("OBSERVABLE/TSO", r.expect());
    }

    @Test
    void theRulesCatchATableThatSaysOtherwise() {
        String wrong = text.replace("variant  broken-acqrel OBSERVABLE/TSO clean", "variant  broken-acqrel OBSERVABLE clean")
                .replace("variant  broken-relaxed WEAK_ONLY clean relaxed version store", "variant  broken-relaxed NEVER clean relaxed version store")
                .replace("variant  broken-nofence OBSERVABLE clean relaxed", "variant  broken-nofence WEAK_ONLY clean relaxed");
        List<String> problems = FormalVerdicts.check(LitmusTable.parse(wrong, "t")).problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("SB-reader/broken-acqrel: EXPECT OBSERVABLE says")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("MP-version/broken-relaxed: fixed variant, but ARMv8 allows")),
                problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("SB-reader/broken-nofence: WEAK_ONLY, but x86-TSO allows")),
                problems::toString);
        assertEquals(4, problems.size(), problems::toString); // MP-version/broken-relaxed: under ARMv8 and under RC11
    }

    /** MRU-clear fixed-removed as the harness once observed it: the removed mark read after both threads ended. */
    private static Program mruObservedAfterTheJoin(boolean check) {
        return Program.builder("MRU-clear+fixed-removed+after-join").init("gp", 1).init("list", 1)
                .thread(t -> t.store("list", 0, Mode.REL).store("removed", 1, Mode.REL).store("mru", 0, Mode.RLX)
                        .store("version", 1, Mode.REL).fence(Program.FenceKind.SC).store("gp", 2, Mode.REL)
                        .load("g0", "ctr", Mode.ACQ).store("a", 1, Mode.NA))
                .thread(t -> {
                    t.load("g", "gp", Mode.RLX).store("ctr", Expr.r("g"), Mode.RLX).fence(Program.FenceKind.SC);
                    t.load("m", "mru", Mode.RLX);
                    Expr hit = Expr.eq(Expr.r("m"), Expr.k(1));
                    if (check) {
                        t.when(Expr.eq(Expr.r("m"), Expr.k(1)), u -> u.load("x", "removed", Mode.ACQ));
                        hit = Expr.and(hit, Expr.eq(Expr.r("x"), Expr.k(0)));
                    }
                    t.let("h", hit);
                    t.when(Expr.eq(Expr.r("h"), Expr.k(0)), u -> u.load("found", "list", Mode.ACQ)
                            .when(Expr.eq(Expr.r("found"), Expr.k(1)), w -> w.store("mru", 1, Mode.RLX)));
                    t.store("ctr", 0, Mode.REL);
                })
                .filter(Cond.or(Cond.reg(0, "g0", 0), Cond.reg(0, "g0", 2)))
                // stale as the old observe function computed it: A in mruBlock and A not marked removed, after the join
                .exists(Cond.and(Cond.reg(1, "found", 1), Cond.loc("mru", 1), Cond.loc("removed", 0)))
                .build();
    }

    @Test
    void anObservationAfterTheJoinCouldNotFailWhateverTheLookupDid() {
        // the old MRU-clear fixed-removed: with or without the lookup's removed check, forbidden under every
        // model (the mark is always set by then), so the protection rule would call the variant a test of nothing
        for (boolean check : new boolean[] {true, false}) {
            Checker.check(mruObservedAfterTheJoin(check)).verdicts()
                    .forEach((m, v) -> assertEquals(ModelVerdict.FORBIDDEN, v, m + " check=" + check));
        }
        // the restructured test (a second lookup after the reclaim) needs the check: without it SC already fails
        FormalVerdicts.Row now = formal.row("MRU-clear", "fixed-removed");
        assertEquals(ModelVerdict.ALLOWED, now.protections().get("removed check").get(MemoryModel.SC));
    }

    @Test
    void aVariantWithoutATestIsAProblem() {
        String extra = text.replace("variant  broken-plain WEAK_ONLY race plain (non-atomic) version store and load, no fence",
                "variant  broken-plain WEAK_ONLY race plain (non-atomic) version store and load, no fence\n"
                        + "variant  broken-other WEAK_ONLY race a variant without a litmus test");
        assertTrue(FormalVerdicts.check(LitmusTable.parse(extra, "t")).problems()
                .contains("MP-version/broken-other: no litmus test in VariantPrograms for this variant"));
    }
}
