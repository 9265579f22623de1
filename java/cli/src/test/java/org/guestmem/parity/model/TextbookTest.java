package org.guestmem.parity.model;

import static org.guestmem.parity.model.MemoryModel.ARMV8;
import static org.guestmem.parity.model.MemoryModel.RC11;
import static org.guestmem.parity.model.MemoryModel.SC;
import static org.guestmem.parity.model.MemoryModel.TSO;
import static org.guestmem.parity.model.Mode.ACQ;
import static org.guestmem.parity.model.Mode.NA;
import static org.guestmem.parity.model.Mode.REL;
import static org.guestmem.parity.model.Mode.RLX;
import static org.guestmem.parity.model.ModelVerdict.ALLOWED;
import static org.guestmem.parity.model.ModelVerdict.FORBIDDEN;
import static org.guestmem.parity.model.ModelVerdict.RACY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.guestmem.parity.model.Program.FenceKind;
import org.junit.jupiter.api.Test;

/**
 * The checker against the textbook verdicts (the table of well-known results in the weak-memory reference
 * notes, plus a few classic ones: 2+2W, CoRR, atomicity of RMW, address dependencies), before it is trusted
 * on the project's own tests.
 */
class TextbookTest {

    private static void expect(Program p, ModelVerdict sc, ModelVerdict tso, ModelVerdict arm, ModelVerdict rc11) {
        Map<MemoryModel, ModelVerdict> want = new EnumMap<>(MemoryModel.class);
        want.put(SC, sc);
        want.put(TSO, tso);
        want.put(ARMV8, arm);
        want.put(RC11, rc11);
        assertEquals(want, Checker.check(p).verdicts(), p.name());
    }

    private static Program mp(Mode st, Mode ld, FenceKind wf, FenceKind rf) {
        return Program.builder("MP")
                .thread(t -> {
                    t.store("x", 1, st == NA ? NA : RLX);
                    if (wf != null) {
                        t.fence(wf);
                    }
                    t.store("y", 1, st);
                })
                .thread(t -> {
                    t.load("r0", "y", ld);
                    if (rf != null) {
                        t.fence(rf);
                    }
                    t.load("r1", "x", ld == NA ? NA : RLX);
                })
                .exists(Cond.and(Cond.reg(1, "r0", 1), Cond.reg(1, "r1", 0))).build();
    }

    @Test
    void messagePassing() {
        expect(mp(RLX, RLX, null, null), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        expect(mp(REL, ACQ, null, null), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(mp(RLX, RLX, FenceKind.WMB, FenceKind.RMB), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(mp(RLX, RLX, FenceKind.REL, FenceKind.ACQ), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        // one side only is not enough
        expect(mp(REL, RLX, null, null), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        expect(mp(RLX, ACQ, null, null), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        // plain accesses: a data race in C11, relaxed-like on the hardware
        expect(mp(NA, NA, null, null), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        assertTrue(Checker.check(mp(NA, NA, null, null)).racy());
        assertFalse(Checker.check(mp(REL, ACQ, null, null)).racy());
        // a race alone makes RC11 allow any outcome: two plain stores to one location race, and no
        // execution leaves a value neither wrote
        Program racyOnly = Program.builder("racy-store")
                .thread(t -> t.store("x", 1, NA))
                .thread(t -> t.store("x", 2, NA))
                .exists(Cond.loc("x", 3)).build();
        expect(racyOnly, FORBIDDEN, FORBIDDEN, FORBIDDEN, RACY);
    }

    private static Program sb(Mode st, Mode ld, FenceKind f) {
        return Program.builder("SB")
                .thread(t -> {
                    t.store("x", 1, st);
                    if (f != null) {
                        t.fence(f);
                    }
                    t.load("r0", "y", ld);
                })
                .thread(t -> {
                    t.store("y", 1, st);
                    if (f != null) {
                        t.fence(f);
                    }
                    t.load("r1", "x", ld);
                })
                .exists(Cond.and(Cond.reg(0, "r0", 0), Cond.reg(1, "r1", 0))).build();
    }

    @Test
    void storeBuffering() {
        expect(sb(RLX, RLX, null), FORBIDDEN, ALLOWED, ALLOWED, ALLOWED);
        expect(sb(RLX, RLX, FenceKind.SC), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(sb(Mode.SC, Mode.SC, null), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        // release/acquire does not order a store before a later load in C11 or on x86; ARMv8's STLR;LDAR does
        expect(sb(REL, ACQ, null), FORBIDDEN, ALLOWED, FORBIDDEN, ALLOWED);
        // a release fence is not enough in C11 and emits nothing on x86; on ARMv8 it compiles to DMB ISH, a full barrier
        expect(sb(RLX, RLX, FenceKind.REL), FORBIDDEN, ALLOWED, FORBIDDEN, ALLOWED);
        // smp_wmb (DMB ISHST) orders stores only
        expect(sb(RLX, RLX, FenceKind.WMB), FORBIDDEN, ALLOWED, ALLOWED, ALLOWED);
    }

    private static Program lb(boolean deps, Mode m) {
        return Program.builder("LB")
                .thread(t -> {
                    t.load("r0", "x", m);
                    t.store("y", deps ? Expr.r("r0") : Expr.k(1), m);
                })
                .thread(t -> {
                    t.load("r1", "y", m);
                    t.store("x", deps ? Expr.r("r1") : Expr.k(1), m);
                })
                .exists(Cond.and(Cond.reg(0, "r0", 1), Cond.reg(1, "r1", 1))).build();
    }

    @Test
    void loadBuffering() {
        // ARMv8 may satisfy the stores before the loads; RC11's no-thin-air axiom (po | rf acyclic) forbids load
        // buffering outright, its deliberate strengthening of C11 (which allows it)
        expect(lb(false, RLX), FORBIDDEN, FORBIDDEN, ALLOWED, FORBIDDEN);
        // data dependencies: the value 1 would come out of thin air; no model allows it
        expect(lb(true, RLX), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
    }

    private static Program iriw(Mode ld, FenceKind f) {
        return Program.builder("IRIW")
                .thread(t -> t.store("x", 1, ld == ACQ ? REL : ld))
                .thread(t -> t.store("y", 1, ld == ACQ ? REL : ld))
                .thread(t -> {
                    t.load("r0", "x", ld);
                    if (f != null) {
                        t.fence(f);
                    }
                    t.load("r1", "y", ld);
                })
                .thread(t -> {
                    t.load("r2", "y", ld);
                    if (f != null) {
                        t.fence(f);
                    }
                    t.load("r3", "x", ld);
                })
                .exists(Cond.and(Cond.reg(2, "r0", 1), Cond.reg(2, "r1", 0), Cond.reg(3, "r2", 1), Cond.reg(3, "r3", 0)))
                .build();
    }

    @Test
    void independentReadsOfIndependentWrites() {
        expect(iriw(ACQ, null), FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED);
        expect(iriw(RLX, null), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        expect(iriw(RLX, FenceKind.SC), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(iriw(Mode.SC, null), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
    }

    @Test
    void twoPlusTwoWrites() {
        // 2+2W: x=1;y=2 || y=1;x=2, final x=1 /\ y=1
        Program p = Program.builder("2+2W")
                .thread(t -> t.store("x", 1, RLX).store("y", 2, RLX))
                .thread(t -> t.store("y", 1, RLX).store("x", 2, RLX))
                .exists(Cond.and(Cond.loc("x", 1), Cond.loc("y", 1))).build();
        expect(p, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
        Program rel = Program.builder("2+2W+rel")
                .thread(t -> t.store("x", 1, REL).store("y", 2, REL))
                .thread(t -> t.store("y", 1, REL).store("x", 2, REL))
                .exists(Cond.and(Cond.loc("x", 1), Cond.loc("y", 1))).build();
        // ARMv8 orders STLR after STLR (po;[L]); RC11 allows it (no hb between the threads)
        expect(rel, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED);
    }

    @Test
    void coherenceOfReadReadOnOneLocation() {
        Program corr = Program.builder("CoRR")
                .thread(t -> t.store("x", 1, RLX))
                .thread(t -> t.load("r0", "x", RLX).load("r1", "x", RLX))
                .exists(Cond.and(Cond.reg(1, "r0", 1), Cond.reg(1, "r1", 0))).build();
        expect(corr, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
    }

    @Test
    void readModifyWritesAreAtomic() {
        Program p = Program.builder("2xFAA")
                .thread(t -> t.fetchAdd("r0", "x", 1, RLX))
                .thread(t -> t.fetchAdd("r1", "x", 1, RLX))
                .exists(Cond.loc("x", 1)).build();
        expect(p, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        Program both = Program.builder("2xFAA-ok")
                .thread(t -> t.fetchAdd("r0", "x", 1, RLX))
                .thread(t -> t.fetchAdd("r1", "x", 1, RLX))
                .exists(Cond.loc("x", 2)).build();
        expect(both, ALLOWED, ALLOWED, ALLOWED, ALLOWED);
    }

    @Test
    void addressDependencyOrdersAReadOnArmOnly() {
        // MP with a release store and an address-dependent second load: ARMv8 keeps the order, RC11 does not
        Program p = Program.builder("MP+rel+addr")
                .thread(t -> t.store("x", 1, RLX).store("y", 1, REL))
                .thread(t -> t.load("r0", "y", RLX).addrDep("r0").load("r1", "x", RLX))
                .exists(Cond.and(Cond.reg(1, "r0", 1), Cond.reg(1, "r1", 0))).build();
        expect(p, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED);
        expect(p.withoutAddressDependencies(), FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED);
    }

    @Test
    void aControlDependencyOrdersAStoreOnArm() {
        Program p = Program.builder("LB+ctrl")
                .thread(t -> t.load("r0", "x", RLX).when(Expr.eq(Expr.r("r0"), Expr.k(1)), u -> u.store("y", 1, RLX)))
                .thread(t -> t.load("r1", "y", RLX).when(Expr.eq(Expr.r("r1"), Expr.k(1)), u -> u.store("x", 1, RLX)))
                .exists(Cond.and(Cond.reg(0, "r0", 1), Cond.reg(1, "r1", 1))).build();
        expect(p, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN);
    }
}
