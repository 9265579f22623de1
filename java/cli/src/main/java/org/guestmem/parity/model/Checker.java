package org.guestmem.parity.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.guestmem.parity.model.Program.Fence;
import org.guestmem.parity.model.Program.FenceKind;
import org.guestmem.parity.model.Program.Instr;
import org.guestmem.parity.model.Program.Load;
import org.guestmem.parity.model.Program.Rmw;
import org.guestmem.parity.model.Program.Store;

/**
 * Decides a {@link Program} exhaustively under each {@link MemoryModel}: every reads-from choice of every
 * load and every coherence order of every location's stores is enumerated, the values (and which guarded
 * instructions run) follow from them, and each candidate execution is tested against each model's axioms.
 * A read-modify-write is two events (its read and its write) joined by {@code rmw}, as in RC11 and herd.
 *
 * <p>Relations are bit sets over at most 64 events (the initial writes included), which is ample for
 * litmus tests of a handful of accesses per thread.
 */
public final class Checker {
    private static final int R = 1, W = 2, F = 4;

    /** What the checker found for one program. */
    public record Result(Program program, Map<MemoryModel, ModelVerdict> verdicts, boolean racy, long candidates) {
        public ModelVerdict verdict(MemoryModel m) {
            return verdicts.get(m);
        }
    }

    /** Results by program (programs are values): the same test is decided once per JVM. */
    private static final Map<Program, Result> DECIDED = new java.util.concurrent.ConcurrentHashMap<>();

    private Checker() {}

    /** Decides {@code p} under every model. */
    public static Result check(Program p) {
        Result r = DECIDED.get(p);
        if (r == null) {
            r = new Run(p).run();
            DECIDED.putIfAbsent(p, r);
        }
        return r;
    }

    private static final class Ev {
        int id, thread, index, kind, loc = -1;
        Mode mode;            // C11 mode of this event (an RMW's read part acquire-ish, write part release-ish)
        FenceKind fence;
        Instr instr;
        int rmwPartner = -1;  // the other half of an RMW
        boolean rmwRead;      // the read half
        long initValue;
        boolean init;
        String reg;           // a read's register
        List<Integer> guardLoads = List.of(), addrLoads = List.of(), dataLoads = List.of();
        boolean locked;       // x86: a LOCK-prefixed RMW or an XCHG (seq_cst store)
    }

    private static final class Run {
        final Program p;
        final List<Ev> evs = new ArrayList<>();
        final List<String> locs;
        final List<Integer> reads = new ArrayList<>();
        final List<List<Integer>> writesOf = new ArrayList<>();   // per location, non-init writes
        final int[] initOf;
        final List<Map<String, Integer>> regDef = new ArrayList<>(); // per thread: reg -> load event
        int n;

        Run(Program p) {
            this.p = p;
            this.locs = new ArrayList<>(p.locations());
            initOf = new int[locs.size()];
            for (int l = 0; l < locs.size(); l++) {
                Ev e = new Ev();
                e.id = evs.size();
                e.thread = -1;
                e.kind = W;
                e.loc = l;
                e.init = true;
                e.mode = Mode.NA;
                e.initValue = p.init().getOrDefault(locs.get(l), 0L);
                evs.add(e);
                initOf[l] = e.id;
                writesOf.add(new ArrayList<>());
            }
            for (int t = 0; t < p.threads().size(); t++) {
                Map<String, Integer> defs = new HashMap<>();
                regDef.add(defs);
                int index = 0;
                for (Instr i : p.threads().get(t)) {
                    List<Integer> guardLoads = loadsOf(defs, guardRegs(i));
                    List<Integer> addr = i.addrDeps().stream().map(defs::get).toList();
                    switch (i) {
                        case Load l -> {
                            Ev e = add(t, index++, R, l.loc(), l.mode(), i, guardLoads, addr);
                            e.reg = l.reg();
                            defs.put(l.reg(), e.id);
                        }
                        case Store s -> {
                            Ev e = add(t, index++, W, s.loc(), s.mode(), i, guardLoads, addr);
                            Set<String> used = new TreeSet<>();
                            s.value().regs(used);
                            e.dataLoads = loadsOf(defs, used);
                            e.locked = s.mode() == Mode.SC;
                        }
                        case Rmw m -> {
                            Mode rm = m.mode().acquire() ? (m.mode() == Mode.SC ? Mode.SC : Mode.ACQ) : Mode.RLX;
                            Mode wm = m.mode().release() ? (m.mode() == Mode.SC ? Mode.SC : Mode.REL) : Mode.RLX;
                            Ev r = add(t, index++, R, m.loc(), rm, i, guardLoads, addr);
                            Ev w = add(t, index++, W, m.loc(), wm, i, guardLoads, addr);
                            r.reg = m.reg();
                            r.rmwRead = true;
                            r.rmwPartner = w.id;
                            w.rmwPartner = r.id;
                            r.locked = w.locked = true;
                            defs.put(m.reg(), r.id);
                        }
                        case Fence f -> {
                            Ev e = add(t, index++, F, null, f.kind().c11(), i, guardLoads, List.of());
                            e.fence = f.kind();
                        }
                    }
                }
            }
            n = evs.size();
            if (n > 64) {
                throw new IllegalArgumentException(p.name() + ": " + n + " events (with the initial writes); the checker takes at most 64");
            }
            poAll = new long[n];
            sameLocAll = new long[n];
            extAll = new long[n];
            for (Ev a : evs) {
                for (Ev b : evs) {
                    if (a.id == b.id) {
                        continue;
                    }
                    if (a.init && !b.init || !a.init && a.thread == b.thread && a.index < b.index) {
                        poAll[a.id] |= 1L << b.id;
                    }
                    if (a.loc >= 0 && a.loc == b.loc) {
                        sameLocAll[a.id] |= 1L << b.id;
                    }
                    if (a.thread != b.thread || a.init || b.init) {
                        extAll[a.id] |= 1L << b.id;
                    }
                }
            }
        }

        final long[] poAll, sameLocAll, extAll;

        private static Set<String> guardRegs(Instr i) {
            Set<String> s = new TreeSet<>();
            if (i.guard() != null) {
                i.guard().regs(s);
            }
            return s;
        }

        private static List<Integer> loadsOf(Map<String, Integer> defs, Set<String> regs) {
            return regs.stream().map(defs::get).toList();
        }

        private Ev add(int t, int index, int kind, String loc, Mode mode, Instr i, List<Integer> guardLoads, List<Integer> addr) {
            Ev e = new Ev();
            e.id = evs.size();
            e.thread = t;
            e.index = index;
            e.kind = kind;
            e.mode = mode;
            e.instr = i;
            e.guardLoads = guardLoads;
            e.addrLoads = addr;
            if (loc != null) {
                e.loc = locs.indexOf(loc);
                if (kind == R) {
                    reads.add(e.id);
                } else {
                    writesOf.get(e.loc).add(e.id);
                }
            }
            evs.add(e);
            return e;
        }

        // ------------------------------------------------------------------ enumeration

        int[][] rfChoices;
        int[] rf;            // per event: the write a read reads from
        List<int[][]> coPerms = new ArrayList<>();
        long[] val;
        boolean[] enabled;
        int[] state;
        boolean bad;

        Result run() {
            rfChoices = new int[reads.size()][];
            for (int k = 0; k < reads.size(); k++) {
                Ev r = evs.get(reads.get(k));
                List<Integer> c = new ArrayList<>();
                c.add(initOf[r.loc]);
                for (int w : writesOf.get(r.loc)) {
                    if (w != r.rmwPartner) {
                        c.add(w);
                    }
                }
                rfChoices[k] = c.stream().mapToInt(Integer::intValue).toArray();
            }
            for (List<Integer> ws : writesOf) {
                coPerms.add(permutations(ws.stream().mapToInt(Integer::intValue).toArray()));
            }
            Map<MemoryModel, Boolean> reach = new EnumMap<>(MemoryModel.class);
            Map<MemoryModel, Long> consistent = new EnumMap<>(MemoryModel.class);
            for (MemoryModel m : MemoryModel.values()) {
                reach.put(m, false);
                consistent.put(m, 0L);
            }
            boolean racy = false;
            boolean mayRace = mayRace();
            long candidates = 0;
            int[] rfIdx = new int[reads.size()];
            int[] rfRadix = java.util.Arrays.stream(rfChoices).mapToInt(a -> a.length).toArray();
            rf = new int[n];
            val = new long[n];
            enabled = new boolean[n];
            state = new int[n];
            search:
            do {
                for (int k = 0; k < reads.size(); k++) {
                    rf[reads.get(k)] = rfChoices[k][rfIdx[k]];
                }
                if (!evaluate(rfIdx)) {
                    continue;
                }
                // coherence (po-loc | rf | co | fr acyclic) and atomicity are per location: keep, per location,
                // only the coherence orders that pass them for this rf, and combine those
                int[][] valid = new int[locs.size()][];
                for (int l = 0; l < locs.size(); l++) {
                    valid[l] = coherentOrders(l);
                    if (valid[l].length == 0) {
                        continue search;
                    }
                }
                int[] validIdx = new int[locs.size()];
                int[] validRadix = java.util.Arrays.stream(valid).mapToInt(a -> a.length).toArray();
                int[] coIdx = new int[locs.size()];
                do {
                    for (int l = 0; l < locs.size(); l++) {
                        coIdx[l] = valid[l][validIdx[l]];
                    }
                    candidates++;
                    Exec x = new Exec(coIdx);
                    // coherence per location and atomicity (which every model requires) hold already
                    if (!x.filterHolds) {
                        continue;
                    }
                    for (MemoryModel m : MemoryModel.values()) {
                        boolean needed = x.existsHolds && !reach.get(m) || m == MemoryModel.RC11 && mayRace && !racy;
                        if (needed && x.consistent(m)) {
                            consistent.merge(m, 1L, Long::sum);
                            if (x.existsHolds) {
                                reach.put(m, true);
                            }
                            if (m == MemoryModel.RC11 && mayRace && !racy && x.racy()) {
                                racy = true;
                            }
                        }
                    }
                    if (!reach.containsValue(false) && (racy || !mayRace)) {
                        break search; // nothing more to learn
                    }
                } while (next(validIdx, validRadix));
            } while (next(rfIdx, rfRadix));
            Map<MemoryModel, ModelVerdict> verdicts = new EnumMap<>(MemoryModel.class);
            for (MemoryModel m : MemoryModel.values()) {
                verdicts.put(m, reach.get(m) ? ModelVerdict.ALLOWED
                        : m == MemoryModel.RC11 && racy ? ModelVerdict.RACY : ModelVerdict.FORBIDDEN);
            }
            return new Result(p, verdicts, racy, candidates);
        }

        /** The coherence orders of location l (indexes into coPerms) that are coherent and atomic with the current rf. */
        private int[] coherentOrders(int l) {
            long locMask = 0;
            for (Ev e : evs) {
                if (e.loc == l && enabled[e.id]) {
                    locMask |= 1L << e.id;
                }
            }
            List<Integer> ok = new ArrayList<>();
            int[][] perms = coPerms.get(l);
            long[] rel = new long[n], co = new long[n];
            perm:
            for (int k = 0; k < perms.length; k++) {
                java.util.Arrays.fill(co, 0);
                List<Integer> order = new ArrayList<>();
                order.add(initOf[l]);
                boolean canonical = true;
                int lastDisabled = -1;
                for (int w : perms[k]) {
                    if (enabled[w]) {
                        order.add(w);
                    } else {
                        // writes that do not run: one placement is enough (ascending, at the end)
                        if (w < lastDisabled) {
                            canonical = false;
                        }
                        lastDisabled = w;
                    }
                }
                if (!canonical || !disabledLast(perms[k])) {
                    continue;
                }
                for (int i = 0; i < order.size(); i++) {
                    for (int j = i + 1; j < order.size(); j++) {
                        co[order.get(i)] |= 1L << order.get(j);
                    }
                }
                for (int i = 0; i < n; i++) {
                    rel[i] = (locMask & (1L << i)) != 0 ? (poAll[i] & locMask) | co[i] : 0;
                }
                for (Ev e : evs) {
                    if (e.loc == l && e.kind == R && enabled[e.id]) {
                        int w = rf[e.id];
                        rel[w] |= 1L << e.id;
                        long fr = co[w] & ~(1L << e.id);
                        rel[e.id] |= fr;
                        if (e.rmwPartner >= 0) {
                            // atomicity: no write between the read's source and the RMW's own write
                            long between = fr & ~(1L << e.rmwPartner);
                            for (long b = between; b != 0; b &= b - 1) {
                                int x = Long.numberOfTrailingZeros(b);
                                if ((co[x] & (1L << e.rmwPartner)) != 0) {
                                    continue perm;
                                }
                            }
                        }
                    }
                }
                if (acyclic(rel)) {
                    ok.add(k);
                }
            }
            return ok.stream().mapToInt(Integer::intValue).toArray();
        }

        private boolean disabledLast(int[] perm) {
            boolean seenDisabled = false;
            for (int w : perm) {
                if (!enabled[w]) {
                    seenDisabled = true;
                } else if (seenDisabled) {
                    return false;
                }
            }
            return true;
        }

        /** Two threads access a location, one of them with a write, one of them plainly. */
        private boolean mayRace() {
            for (Ev a : evs) {
                for (Ev b : evs) {
                    if (!a.init && !b.init && a.thread != b.thread && a.loc >= 0 && a.loc == b.loc
                            && (a.kind == W || b.kind == W) && (!a.mode.atomic() || !b.mode.atomic())) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean next(int[] idx, int[] radix) {
            for (int k = 0; k < idx.length; k++) {
                if (++idx[k] < radix[k]) {
                    return true;
                }
                idx[k] = 0;
            }
            return false;
        }

        private static int[][] permutations(int[] a) {
            List<int[]> out = new ArrayList<>();
            permute(a.clone(), 0, out);
            return out.toArray(new int[0][]);
        }

        private static void permute(int[] a, int k, List<int[]> out) {
            if (k >= a.length) {
                out.add(a.clone());
                return;
            }
            for (int i = k; i < a.length; i++) {
                int t = a[k];
                a[k] = a[i];
                a[i] = t;
                permute(a, k + 1, out);
                a[i] = a[k];
                a[k] = t;
            }
        }

        /** Values and enabled events for the current rf; false for an impossible or duplicate candidate. */
        private boolean evaluate(int[] rfIdx) {
            java.util.Arrays.fill(state, 0);
            bad = false;
            for (Ev e : evs) {
                eval(e.id);
                if (bad) {
                    return false;
                }
            }
            for (int k = 0; k < reads.size(); k++) {
                int r = reads.get(k);
                if (!enabled[r] && rfIdx[k] != 0) {
                    return false; // a read that does not run: one candidate is enough
                }
            }
            return true;
        }

        private void eval(int id) {
            if (state[id] == 2 || bad) {
                return;
            }
            if (state[id] == 1) {
                bad = true; // a value that depends on itself (out of thin air): no execution
                return;
            }
            state[id] = 1;
            Ev e = evs.get(id);
            if (e.init) {
                enabled[id] = true;
                val[id] = e.initValue;
                state[id] = 2;
                return;
            }
            Instr i = e.instr;
            boolean en = i.guard() == null || i.guard().eval(regs(e.thread, e.guardLoads)) != 0;
            if (bad) {
                return;
            }
            enabled[id] = en;
            if (en) {
                if (e.kind == R) {
                    int w = rf[id];
                    eval(w);
                    if (bad) {
                        return;
                    }
                    if (!enabled[w]) {
                        bad = true; // reads from a store that does not run
                        return;
                    }
                    val[id] = val[w];
                } else if (e.kind == W) {
                    if (i instanceof Rmw m) {
                        eval(e.rmwPartner);
                        if (bad) {
                            return;
                        }
                        val[id] = m.add() ? val[e.rmwPartner] + m.operand() : m.operand();
                    } else {
                        val[id] = ((Store) i).value().eval(regs(e.thread, e.dataLoads));
                    }
                }
            }
            state[id] = 2;
        }

        private Map<String, Long> regs(int thread, List<Integer> loads) {
            Map<String, Long> m = new HashMap<>();
            for (int l : loads) {
                eval(l);
                if (bad) {
                    return m;
                }
                m.put(evs.get(l).reg, enabled[l] ? val[l] : 0L);
            }
            return m;
        }

        // ------------------------------------------------------------------ one candidate execution

        private final class Exec {
            final long[] po = new long[n], rfR = new long[n], co = new long[n], fr = new long[n], rmw = new long[n];
            final long[] sameLoc = new long[n];
            long mask, readsM, writesM, fencesM, initM;
            final boolean filterHolds, existsHolds;
            final long[] ext = new long[n];

            Exec(int[] coIdx) {
                for (Ev e : evs) {
                    if (enabled[e.id]) {
                        mask |= bit(e.id);
                        if (e.kind == R) {
                            readsM |= bit(e.id);
                        } else if (e.kind == W) {
                            writesM |= bit(e.id);
                        } else {
                            fencesM |= bit(e.id);
                        }
                        if (e.init) {
                            initM |= bit(e.id);
                        }
                    }
                }
                for (Ev a : evs) {
                    if (!enabled[a.id]) {
                        continue;
                    }
                    po[a.id] = poAll[a.id] & mask;
                    sameLoc[a.id] = sameLocAll[a.id] & mask;
                    ext[a.id] = extAll[a.id] & mask;
                    if (a.rmwPartner >= 0 && a.rmwRead) {
                        rmw[a.id] |= bit(a.rmwPartner);
                    }
                }
                // coherence: the initial write first, then the chosen permutation of the running writes
                long[] last = new long[locs.size()];
                for (int l = 0; l < locs.size(); l++) {
                    List<Integer> order = new ArrayList<>();
                    order.add(initOf[l]);
                    for (int w : coPerms.get(l)[coIdx[l]]) {
                        if (enabled[w]) {
                            order.add(w);
                        }
                    }
                    for (int i = 0; i < order.size(); i++) {
                        for (int j = i + 1; j < order.size(); j++) {
                            co[order.get(i)] |= bit(order.get(j));
                        }
                    }
                    last[l] = val[order.get(order.size() - 1)];
                }
                for (int r : reads) {
                    if (enabled[r]) {
                        rfR[rf[r]] |= bit(r);
                        fr[r] = co[rf[r]] & ~bit(r);
                    }
                }
                List<Map<String, Long>> regs = new ArrayList<>();
                for (int t = 0; t < p.threads().size(); t++) {
                    Map<String, Long> m = new LinkedHashMap<>();
                    for (Map.Entry<String, Integer> d : regDef.get(t).entrySet()) {
                        m.put(d.getKey(), enabled[d.getValue()] ? val[d.getValue()] : 0L);
                    }
                    regs.add(m);
                }
                Map<String, Long> memory = new HashMap<>();
                for (int l = 0; l < locs.size(); l++) {
                    memory.put(locs.get(l), last[l]);
                }
                filterHolds = p.filter().holds(regs, memory);
                existsHolds = p.exists().holds(regs, memory);
            }

            /** SC per location: acyclic(po-loc | rf | co | fr); implied by every model here. */
            boolean coherent() {
                return acyclic(union(restrict(po, sameLoc), rfR, co, fr));
            }

            /** The model's axioms, given {@link #coherent()} and {@link #atomic()}. */
            boolean consistent(MemoryModel m) {
                return switch (m) {
                    case SC -> acyclic(union(po, rfR, co, fr));
                    case TSO -> tso();
                    case ARMV8 -> arm();
                    case RC11 -> rc11();
                };
            }

            /** rmw and fr;co are disjoint: nothing is written between an RMW's read and its write. */
            boolean atomic() {
                long[] frco = compose(fr, co);
                for (int i = 0; i < n; i++) {
                    if ((rmw[i] & frco[i]) != 0) {
                        return false;
                    }
                }
                return true;
            }

            boolean tso() {
                long mfences = 0, locked = 0;
                for (Ev e : evs) {
                    if (enabled[e.id] && e.kind == F && e.fence == FenceKind.SC) {
                        mfences |= bit(e.id);
                    }
                    if (enabled[e.id] && e.locked) {
                        locked |= bit(e.id);
                    }
                }
                long mem = readsM | writesM;
                long[] ppo = new long[n];
                for (int a = 0; a < n; a++) {
                    if ((mem & bit(a)) == 0) {
                        continue;
                    }
                    long targets = po[a] & mem;
                    if ((writesM & bit(a)) != 0 && (locked & bit(a)) == 0) {
                        targets &= ~(readsM & ~locked); // a store may pass to a later load (not a locked one)
                        targets |= po[a] & locked;
                    }
                    ppo[a] = targets;
                }
                long[] fenced = compose(compose(po, ident(mfences)), po);
                return acyclic(union(ppo, restrictTo(fenced, mem, mem), restrict(rfR, ext), co, fr));
            }

            boolean arm() {
                long acq = 0, rel = 0, full = 0, ld = 0, st = 0;
                for (Ev e : evs) {
                    if (!enabled[e.id] || e.init) {
                        continue;
                    }
                    if (e.kind == R && e.mode.acquire()) {
                        acq |= bit(e.id);
                    }
                    if (e.kind == W && e.mode.release()) {
                        rel |= bit(e.id);
                    }
                    if (e.kind == F) {
                        switch (e.fence) {
                            case SC, REL -> full |= bit(e.id);
                            case ACQ, RMB -> ld |= bit(e.id);
                            case WMB -> st |= bit(e.id);
                        }
                    }
                }
                long[] obs = union(restrict(rfR, ext), restrict(co, ext), restrict(fr, ext));
                long[] addr = new long[n], data = new long[n], ctrl = new long[n];
                for (Ev e : evs) {
                    if (!enabled[e.id] || e.init) {
                        continue;
                    }
                    for (int l : e.addrLoads) {
                        addr[l] |= bit(e.id);
                    }
                    for (int l : e.dataLoads) {
                        data[l] |= bit(e.id);
                    }
                    for (int l : e.guardLoads) {
                        if (enabled[l]) {
                            ctrl[l] |= bit(e.id) | po[e.id]; // the branch precedes e: all of e and after
                        }
                    }
                }
                long[] rfi = restrict(rfR, complement(ext));
                long[] dob = union(addr, data, restrictTo(ctrl, mask, writesM),
                        restrictTo(compose(addr, po), mask, writesM), compose(union(addr, data), rfi));
                long rmwRange = 0;
                for (int i = 0; i < n; i++) {
                    rmwRange |= rmw[i];
                }
                long[] aob = union(rmw, restrictTo(compose(ident(rmwRange), rfi), mask, acq));
                long[] bob = union(
                        compose(compose(po, ident(full)), po),
                        restrictTo(compose(ident(rel), po), mask, acq),
                        compose(compose(ident(readsM), compose(po, ident(ld))), po),
                        compose(ident(acq), po),
                        restrictTo(compose(compose(ident(writesM), compose(po, ident(st))), po), mask, writesM),
                        restrictTo(po, mask, rel));
                return acyclic(union(obs, dob, aob, bob));
            }

            long[] hbCache;

            boolean rc11() {
                long[] sb = po;
                long atomicW = 0, atomicR = 0, relE = 0, acqE = 0, fenceM = fencesM, scE = 0, scF = 0;
                for (Ev e : evs) {
                    if (!enabled[e.id]) {
                        continue;
                    }
                    long b = bit(e.id);
                    if (e.kind == W && e.mode.atomic() && !e.init) {
                        atomicW |= b;
                    }
                    if (e.kind == R && e.mode.atomic()) {
                        atomicR |= b;
                    }
                    if (e.mode.release() && (e.kind == W || e.kind == F)) {
                        relE |= b;
                    }
                    if (e.mode.acquire() && (e.kind == R || e.kind == F)) {
                        acqE |= b;
                    }
                    if (e.mode == Mode.SC && e.kind != F) {
                        scE |= b;
                    }
                    if (e.mode == Mode.SC && e.kind == F) {
                        scF |= b;
                    }
                }
                // rs = [W]; sb|loc?; [W_atomic]; (rf; rmw)*
                long[] rs0 = new long[n];
                for (int a = 0; a < n; a++) {
                    if ((writesM & bit(a)) != 0) {
                        rs0[a] = ((sb[a] & sameLoc[a]) | bit(a)) & atomicW;
                    }
                }
                long[] rfrmw = compose(rfR, rmw);
                long[] rs = compose(rs0, reflexive(closure(rfrmw)));
                // sw = [E_rel]; ([F]; sb)?; rs; rf; [R_atomic]; (sb; [F])?; [E_acq]
                long[] pre = union(ident(relE), compose(ident(relE & fenceM), sb));
                long[] post = union(ident(acqE), restrictTo(sb, mask, acqE & fenceM));
                long[] sw = compose(compose(compose(pre, rs), restrictTo(rfR, mask, atomicR)), restrictFrom(post, atomicR));
                long[] hb = closure(union(sb, sw));
                hbCache = hb;
                long[] eco = closure(union(rfR, co, fr));
                if (!irreflexive(hb) || !irreflexive(compose(hb, eco))) {
                    return false;
                }
                if (!acyclic(union(sb, rfR))) {
                    return false;
                }
                long[] neq = new long[n];
                long[] hbLoc = new long[n];
                for (int a = 0; a < n; a++) {
                    neq[a] = sb[a] & ~sameLoc[a];
                    hbLoc[a] = hb[a] & sameLoc[a];
                }
                long[] scb = union(sb, compose(compose(neq, hb), neq), hbLoc, co, fr);
                long[] left = union(ident(scE), compose(ident(scF), reflexive(hb)));
                long[] right = union(ident(scE), compose(reflexive(hb), ident(scF)));
                long[] pscBase = compose(compose(left, scb), right);
                long[] pscF = compose(compose(ident(scF), union(hb, compose(compose(hb, eco), hb))), ident(scF));
                return acyclic(union(pscBase, pscF));
            }

            /** After rc11() said consistent: a race on a plain access. */
            boolean racy() {
                long[] hb = hbCache;
                for (Ev a : evs) {
                    for (Ev b : evs) {
                        if (a.id >= b.id || !enabled[a.id] || !enabled[b.id] || a.init || b.init || a.thread == b.thread
                                || a.loc < 0 || a.loc != b.loc || (a.kind != W && b.kind != W)
                                || (a.mode.atomic() && b.mode.atomic())) {
                            continue;
                        }
                        if ((hb[a.id] & bit(b.id)) == 0 && (hb[b.id] & bit(a.id)) == 0) {
                            return true;
                        }
                    }
                }
                return false;
            }

            long[] ident(long set) {
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    if ((set & bit(i)) != 0) {
                        r[i] = bit(i);
                    }
                }
                return r;
            }

            long[] reflexive(long[] a) {
                long[] r = a.clone();
                for (int i = 0; i < n; i++) {
                    if ((mask & bit(i)) != 0) {
                        r[i] |= bit(i);
                    }
                }
                return r;
            }

            long[] restrictFrom(long[] a, long from) {
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    if ((from & bit(i)) != 0) {
                        r[i] = a[i];
                    }
                }
                return r;
            }
        }

        // ------------------------------------------------------------------ relations as bit sets

        static long bit(int i) {
            return 1L << i;
        }

        long[] union(long[]... rs) {
            long[] r = new long[n];
            for (long[] a : rs) {
                for (int i = 0; i < n; i++) {
                    r[i] |= a[i];
                }
            }
            return r;
        }

        long[] compose(long[] a, long[] b) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                long row = a[i];
                while (row != 0) {
                    int j = Long.numberOfTrailingZeros(row);
                    row &= row - 1;
                    r[i] |= b[j];
                }
            }
            return r;
        }

        long[] restrict(long[] a, long[] by) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                r[i] = a[i] & by[i];
            }
            return r;
        }

        long[] complement(long[] a) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                r[i] = ~a[i];
            }
            return r;
        }

        long[] restrictTo(long[] a, long from, long to) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                if ((from & bit(i)) != 0) {
                    r[i] = a[i] & to;
                }
            }
            return r;
        }

        long[] closure(long[] a) {
            long[] r = a.clone();
            for (int k = 0; k < n; k++) {
                long bk = bit(k);
                for (int i = 0; i < n; i++) {
                    if ((r[i] & bk) != 0) {
                        r[i] |= r[k];
                    }
                }
            }
            return r;
        }

        boolean irreflexive(long[] a) {
            for (int i = 0; i < n; i++) {
                if ((a[i] & bit(i)) != 0) {
                    return false;
                }
            }
            return true;
        }

        boolean acyclic(long[] a) {
            return irreflexive(closure(a));
        }
    }
}
