package org.guestmem.parity.model;

import static org.guestmem.parity.model.Expr.and;
import static org.guestmem.parity.model.Expr.eq;
import static org.guestmem.parity.model.Expr.k;
import static org.guestmem.parity.model.Expr.ne;
import static org.guestmem.parity.model.Expr.or;
import static org.guestmem.parity.model.Expr.r;
import static org.guestmem.parity.model.Mode.ACQ;
import static org.guestmem.parity.model.Mode.NA;
import static org.guestmem.parity.model.Mode.REL;
import static org.guestmem.parity.model.Mode.RLX;
import static org.guestmem.parity.model.Mode.SC;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.guestmem.parity.model.Program.FenceKind;
import org.guestmem.parity.model.Program.ThreadBuilder;

/**
 * Every variant of {@code litmus.table} as a litmus test, with the access modes and fences its C twin in
 * {@code native/src/litmus_*.c} uses (the Java twins use the same modes: opaque = relaxed, getAcquire /
 * setRelease, volatile = seq_cst, fullFence / releaseFence / acquireFence = seq_cst / release / acquire
 * fence). This is the one place where a variant's steps and modes are written for the checker and for the
 * exported litmus files; the table stays the one place for scenarios, outcomes and grades.
 *
 * <p>Thread 0 is the updater, thread 1 the reader, as in the table. Each test names the outcome the table
 * grades FORBIDDEN in its {@code exists} clause. A spin loop (the grace period's wait) is one load whose
 * exit value the {@code filter} requires, herd's usual encoding.
 *
 * <p>A fixed variant lists its <em>protections</em>: the steps that make its forbidden outcome
 * unreachable. {@link Spec#program(Set)} builds the test with some of them removed (an acquire or release
 * weakened to relaxed, a fence or check dropped), so that the checker can show each one is needed: a
 * fixed variant whose forbidden outcome stays unreachable with a protection removed tests nothing.
 *
 * <p>Simplifications, each of which only adds executions (so a FORBIDDEN verdict stands): the reader's
 * RU-2 fence and RU-3 wake-up, the writer's GP-4/GP-5 parking and the slot-limit and owner loads are left
 * out; the version bump's plain read of the old value is the writer's own and is folded into the constant it
 * stores. membarrier(2) is modelled as a seq_cst fence in the caller plus one in the reader at its compiler
 * barrier (RL-3), the one place where the IPI's full barrier matters: landing before the reader's store or
 * after its load orders the whole reader access pair against the caller like any full fence.
 */
public final class VariantPrograms {

    /** One variant's test: its protections and how to build it with some of them removed. */
    public record Spec(String scenario, String variant, List<String> protections, Function<Set<String>, Program> build) {
        /** The test as the C twin has it. */
        public Program program() {
            return build.apply(Set.of());
        }

        /** The test with these protections removed. */
        public Program program(Set<String> removed) {
            for (String p : removed) {
                if (!protections.contains(p)) {
                    throw new IllegalArgumentException(scenario + "/" + variant + " has no protection '" + p + "'; it has " + protections);
                }
            }
            return build.apply(removed);
        }
    }

    private static final List<Spec> SPECS = build();

    private VariantPrograms() {}

    /** Every variant's test, in table order. */
    public static List<Spec> all() {
        return SPECS;
    }

    /** The test of one variant; IllegalArgumentException when there is none. */
    public static Spec of(String scenario, String variant) {
        return SPECS.stream().filter(s -> s.scenario().equals(scenario) && s.variant().equals(variant)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no litmus test for " + scenario + "/" + variant));
    }

    private static String name(String scenario, String variant) {
        return scenario + "+" + variant;
    }

    private static List<Spec> build() {
        List<Spec> out = new ArrayList<>();
        mpVersion(out);
        rcuGp(out);
        mruClear(out);
        versionDrop(out);
        sbReader(out);
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ MP-version

    private static void mpVersion(List<Spec> out) {
        // fixed: release W-1-2, acquire R-1-1; fences: smp_wmb / smp_rmb around relaxed accesses
        out.add(new Spec("MP-version", "fixed", List.of("W-1-2 release", "R-1-1 acquire"),
                rm -> mp("fixed", rm.contains("W-1-2 release") ? RLX : REL, rm.contains("R-1-1 acquire") ? RLX : ACQ, false, false)));
        out.add(new Spec("MP-version", "fences", List.of("smp_wmb", "smp_rmb"),
                rm -> mp("fences", RLX, RLX, !rm.contains("smp_wmb"), !rm.contains("smp_rmb"))));
        out.add(new Spec("MP-version", "broken-relaxed", List.of(), rm -> mp("broken-relaxed", RLX, RLX, false, false)));
        out.add(new Spec("MP-version", "broken-plain", List.of(), rm -> mp("broken-plain", NA, NA, false, false)));
    }

    private static Program mp(String variant, Mode bump, Mode load, boolean wmb, boolean rmb) {
        return Program.builder(name("MP-version", variant))
                .thread(t -> {
                    t.note("W-1-1: publish the list that holds the new block").store("list", 1, REL);
                    if (wmb) {
                        t.note("W-1-2, old form: smp_wmb").fence(FenceKind.REL);
                    }
                    t.note("W-1-2: version bump").store("version", 1, bump);
                })
                .thread(t -> {
                    t.note("R-1-1").load("r0", "version", load);
                    if (rmb) {
                        t.note("R-1-1, old form: smp_rmb").fence(FenceKind.ACQ);
                    }
                    t.note("R-1-2").load("r1", "list", ACQ);
                })
                .exists(Cond.and(Cond.reg(1, "r0", 1), Cond.reg(1, "r1", 0)))
                .build();
    }

    // ------------------------------------------------------------------ RCU domain (one reader slot)

    /** GP-1 forms. */
    private enum Gp1 { FENCE, MEMBARRIER, NONE }

    /** RL-1..RL-3 of gm_rcu_reader_lock: the slot's CTR takes the GP_CTR snapshot; {@code fence}: RL-3. */
    private static void lock(ThreadBuilder t, String g, boolean fence, boolean ipi) {
        t.note("RL-1").load(g, "gp", RLX);
        t.note("RL-2").store("ctr", r(g), RLX);
        if (fence) {
            t.note("RL-3: smp_mb (FENCE flavor)").fence(FenceKind.SC);
        } else if (ipi) {
            t.note("RL-3 is a compiler barrier; the updater's membarrier(2) runs a full barrier here").fence(FenceKind.SC);
        }
    }

    private static void unlock(ThreadBuilder t) {
        t.note("RU-1: release; pairs with GP-3's acquire").store("ctr", 0, REL);
    }

    /** gm_rcu_synchronize: GP-1, GP-2, GP-3 (the wait: one acquire load of CTR that the filter lets exit). */
    private static void synchronize(ThreadBuilder t, Gp1 gp1, boolean wait) {
        if (gp1 != Gp1.NONE) {
            t.note(gp1 == Gp1.MEMBARRIER ? "GP-1: smp_mb + membarrier(2)" : "GP-1: smp_mb").fence(FenceKind.SC);
        }
        if (wait) {
            t.note("GP-2").store("gp", 2, REL);
            t.note("GP-3: spin until CTR is 0 or the new GP_CTR (filter)").load("g0", "ctr", ACQ);
        }
    }

    /** GP-3's exit condition, for thread 0. */
    private static Cond waited() {
        return Cond.or(Cond.reg(0, "g0", 0), Cond.reg(0, "g0", 2));
    }

    // ------------------------------------------------------------------ RCU-gp

    private static void rcuGp(List<Spec> out) {
        out.add(new Spec("RCU-gp", "fixed", List.of("RL-3 smp_mb", "GP-1 smp_mb", "GP-3 wait"),
                rm -> gp("fixed", !rm.contains("RL-3 smp_mb"), false, rm.contains("GP-1 smp_mb") ? Gp1.NONE : Gp1.FENCE,
                        !rm.contains("GP-3 wait"))));
        out.add(new Spec("RCU-gp", "membarrier", List.of("membarrier"),
                rm -> gp("membarrier", false, !rm.contains("membarrier"), rm.contains("membarrier") ? Gp1.FENCE : Gp1.MEMBARRIER, true)));
        out.add(new Spec("RCU-gp", "broken-nofence", List.of(), rm -> gp("broken-nofence", false, false, Gp1.FENCE, true)));
        out.add(new Spec("RCU-gp", "broken-nowait", List.of(), rm -> gp("broken-nowait", true, false, Gp1.FENCE, false)));
    }

    private static Program gp(String variant, boolean rl3, boolean ipi, Gp1 gp1, boolean wait) {
        Program.Builder b = Program.builder(name("RCU-gp", variant)).init("gp", 1)
                .thread(t -> {
                    t.note("unlink A (W-2-1)").store("ptr", 1, REL);
                    synchronize(t, gp1, wait);
                    t.note("reclaim A").store("a", 1, NA);
                })
                .thread(t -> {
                    lock(t, "r0", rl3, ipi);
                    t.note("dereference: A (0) or B (1)").load("r1", "ptr", ACQ);
                    t.when(eq(r("r1"), k(0)), u -> u.note("use A (1 = reclaimed)").addrDep("r1").load("r2", "a", NA));
                    unlock(t);
                })
                .exists(Cond.and(Cond.reg(1, "r1", 0), Cond.reg(1, "r2", 1)));
        if (wait) {
            b.filter(waited());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ MRU-clear

    private static void mruClear(List<Spec> out) {
        out.add(new Spec("MRU-clear", "fixed", List.of("version tag", "W-2-2 release", "tag acquire"),
                rm -> mru("fixed", rm)));
        out.add(new Spec("MRU-clear", "fixed-removed", List.of("removed mark", "removed check"), rm -> mru("fixed-removed", rm)));
        out.add(new Spec("MRU-clear", "broken-untagged", List.of(), rm -> mru("broken-untagged", rm)));
        out.add(new Spec("MRU-clear", "broken-plain", List.of(), rm -> mru("broken-plain", rm)));
    }

    /** mruBlock values: 0 empty; A filled under version v is 2v+1 (gm_mru_pack); an untagged A is 1. */
    private static Program mru(String variant, Set<String> rm) {
        boolean tagged = variant.equals("fixed") && !rm.contains("version tag");
        boolean removed = variant.equals("fixed-removed");
        Mode mruMode = variant.equals("broken-plain") ? NA : RLX;
        return Program.builder(name("MRU-clear", variant)).init("gp", 1).init("list", 1)
                .thread(t -> {
                    t.note("W-2-1: unlink A").store("list", 0, REL);
                    if (removed && !rm.contains("removed mark")) {
                        t.note("mark A removed before clearing mruBlock").store("removed", 1, REL);
                    }
                    t.note("clear mruBlock").store("mru", 0, mruMode);
                    t.note("W-2-2").store("version", 1, rm.contains("W-2-2 release") ? RLX : REL);
                    synchronize(t, Gp1.FENCE, true);
                    t.note("reclaim A").store("a", 1, NA);
                    t.note("the reclaim is done (the reader's second lookup waits for it, relaxed)").store("done", 1, RLX);
                })
                .thread(t -> {
                    // lookup 1, in a read section: walks the list and fills mruBlock
                    lock(t, "r0", true, false);
                    lookup(t, "1", tagged, removed && !rm.contains("removed check"), mruMode, rm.contains("tag acquire") ? RLX : ACQ);
                    t.when(eq(r("h1"), k(0)), u -> {
                        u.note("walk").load("found", "list", ACQ);
                        u.when(eq(r("found"), k(1)), v -> v.note("late fill of mruBlock").store("mru",
                                tagged ? new Expr.Bin("+", new Expr.Bin("*", k(2), r("s1")), k(1)) : k(1), mruMode));
                    });
                    unlock(t);
                    // lookup 2, after the grace period: may it use A from mruBlock?
                    t.note("wait (bounded, relaxed) until the reclaim is done").load("d", "done", RLX);
                    lock(t, "r3", true, false);
                    lookup(t, "2", tagged, removed && !rm.contains("removed check"), mruMode, rm.contains("tag acquire") ? RLX : ACQ);
                    t.when(eq(r("h2"), k(1)), u -> u.note("use A (1 = reclaimed)").addrDep("m2").load("stale", "a", NA));
                    unlock(t);
                })
                .filter(Cond.and(waited(), Cond.reg(1, "d", 1)))
                .exists(Cond.and(Cond.reg(1, "found", 1), Cond.reg(1, "stale", 1)))
                .build();
    }

    /**
     * One mruBlock probe: sets register hN to 1 when the lookup would use A from mruBlock. Tagged: the word
     * must carry the version read now (acquire); removed: A's removed mark must be clear (acquire).
     */
    private static void lookup(ThreadBuilder t, String n, boolean tagged, boolean removedCheck, Mode mruMode, Mode tagMode) {
        String m = "m" + n, h = "h" + n, s = "s" + n;
        if (tagged) {
            t.note("the tag: the current version").load(s, "version", tagMode);
        }
        t.note("read mruBlock").load(m, "mru", mruMode);
        Expr hit = tagged ? eq(r(m), new Expr.Bin("+", new Expr.Bin("*", k(2), r(s)), k(1))) : eq(r(m), k(1));
        if (removedCheck) {
            String x = "x" + n;
            t.when(eq(r(m), k(1)), u -> u.note("a removed block is a miss").load(x, "removed", ACQ));
            hit = and(hit, eq(r(x), k(0)));
        }
        t.let(h, hit);
    }

    // ------------------------------------------------------------------ VERSION-drop

    private static void versionDrop(List<Spec> out) {
        out.add(new Spec("VERSION-drop", "fixed", List.of("W-1-2/W-2-2 release", "R-1-1 acquire", "R-2-1 check"),
                rm -> vd("fixed", rm.contains("W-1-2/W-2-2 release") ? RLX : REL, rm.contains("R-1-1 acquire") ? RLX : ACQ,
                        false, false, !rm.contains("R-2-1 check"), RLX)));
        out.add(new Spec("VERSION-drop", "fences", List.of("smp_wmb", "smp_rmb"),
                rm -> vd("fences", RLX, RLX, !rm.contains("smp_wmb"), !rm.contains("smp_rmb"), true, RLX)));
        out.add(new Spec("VERSION-drop", "broken-relaxed", List.of(), rm -> vd("broken-relaxed", RLX, RLX, false, false, true, RLX)));
        out.add(new Spec("VERSION-drop", "broken-nocheck", List.of(), rm -> vd("broken-nocheck", REL, ACQ, false, false, false, RLX)));
        out.add(new Spec("VERSION-drop", "broken-plain", List.of(), rm -> vd("broken-plain", NA, NA, false, false, true, NA)));
    }

    private static Program vd(String variant, Mode bump, Mode r11, boolean wmb, boolean rmb, boolean check, Mode r21) {
        return Program.builder(name("VERSION-drop", variant)).init("gp", 1)
                .thread(t -> {
                    t.note("W-1-1: insert B ([B, A])").store("list", 1, REL);
                    if (wmb) {
                        t.note("smp_wmb").fence(FenceKind.REL);
                    }
                    t.note("W-1-2").store("version", 1, bump);
                    t.note("W-2-1: unlink A ([B])").store("list", 2, REL);
                    if (wmb) {
                        t.note("smp_wmb").fence(FenceKind.REL);
                    }
                    t.note("W-2-2").store("version", 2, bump);
                    synchronize(t, Gp1.FENCE, true);
                    t.note("reclaim A").store("a", 1, NA);
                })
                .thread(t -> {
                    lock(t, "r0", true, false);
                    t.note("R-1-1").load("v1", "version", r11);
                    if (rmb) {
                        t.note("smp_rmb").fence(FenceKind.ACQ);
                    }
                    t.note("R-1-2: keep the list's last block (A unless the list is [B])").load("l", "list", ACQ);
                    unlock(t);
                    lock(t, "r1", true, false);
                    Expr keep = ne(r("l"), k(2));
                    if (check) {
                        t.note("R-2-1").load("v2", "version", r21);
                        keep = and(keep, eq(r("v2"), r("v1")));
                    }
                    t.when(keep, u -> u.note("R-2-2: version unchanged, use A (1 = reclaimed)").load("w", "a", NA));
                    unlock(t);
                })
                .filter(waited())
                .exists(Cond.and(Cond.or(Cond.reg(1, "l", 0), Cond.reg(1, "l", 1)), Cond.reg(1, "w", 1)))
                .build();
    }

    // ------------------------------------------------------------------ SB-reader

    private static void sbReader(List<Spec> out) {
        out.add(new Spec("SB-reader", "fixed", List.of("updater smp_mb", "reader smp_mb"),
                rm -> sb("fixed", REL, !rm.contains("updater smp_mb"), ACQ, RLX, !rm.contains("reader smp_mb"), ACQ, false)));
        out.add(new Spec("SB-reader", "fixed-sc", List.of("updater seq_cst", "reader seq_cst"),
                rm -> {
                    boolean u = !rm.contains("updater seq_cst"), r = !rm.contains("reader seq_cst");
                    return sb("fixed-sc", u ? SC : REL, false, u ? SC : ACQ, r ? SC : REL, false, r ? SC : ACQ, false);
                }));
        out.add(new Spec("SB-reader", "membarrier", List.of("membarrier"),
                rm -> sb("membarrier", REL, true, ACQ, RLX, false, ACQ, !rm.contains("membarrier"))));
        out.add(new Spec("SB-reader", "broken-nofence", List.of(), rm -> sb("broken-nofence", RLX, false, RLX, RLX, false, RLX, false)));
        out.add(new Spec("SB-reader", "broken-acqrel", List.of(), rm -> sb("broken-acqrel", REL, false, ACQ, REL, false, ACQ, false)));
        out.add(new Spec("SB-reader", "broken-no-membarrier", List.of(),
                rm -> sb("broken-no-membarrier", REL, true, ACQ, RLX, false, ACQ, false)));
    }

    private static Program sb(String variant, Mode uStore, boolean uFence, Mode uLoad, Mode rStore, boolean rFence, Mode rLoad,
                              boolean ipi) {
        return Program.builder(name("SB-reader", variant))
                .thread(t -> {
                    t.note("pointer store (W-2-1)").store("ptr", 1, uStore);
                    if (uFence) {
                        t.note(variant.equals("membarrier") ? "membarrier(2)" : "smp_mb").fence(FenceKind.SC);
                    }
                    t.note("the scan: counter load").load("r0", "ctr", uLoad);
                })
                .thread(t -> {
                    t.note("counter store (RL-2)").store("ctr", 1, rStore);
                    if (rFence) {
                        t.note("smp_mb (RL-3)").fence(FenceKind.SC);
                    } else if (ipi) {
                        t.note("compiler barrier; the updater's membarrier(2) runs a full barrier here").fence(FenceKind.SC);
                    }
                    t.note("pointer load").load("r1", "ptr", rLoad);
                })
                .exists(Cond.and(Cond.reg(0, "r0", 0), Cond.reg(1, "r1", 0)))
                .build();
    }
}
