package org.guestmem.parity.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A litmus test: straight-line threads of loads, stores, read-modify-writes and fences, each optionally
 * guarded by an {@code if} on registers the thread read before; initial values (0 unless given); a filter
 * (the executions a spin loop lets through: herd's {@code filter}) and the {@code exists} outcome asked
 * about (the forbidden one, for the project's variants).
 *
 * @param name    the test name (herd's first line)
 * @param threads the instructions of each thread, in program order
 * @param init    initial values of the locations that do not start at 0
 * @param filter  executions outside it are not executions of the program (a spin loop that has not exited)
 * @param exists  the outcome asked about
 */
public record Program(String name, List<List<Instr>> threads, Map<String, Long> init, Cond filter, Cond exists) {

    public Program {
        threads = threads.stream().map(List::copyOf).toList();
        init = Map.copyOf(init);
        if (threads.isEmpty() || threads.size() > 4) {
            throw new IllegalArgumentException(name + ": a litmus test has 1..4 threads, not " + threads.size());
        }
        for (int t = 0; t < threads.size(); t++) {
            Set<String> defined = new TreeSet<>();
            for (Instr i : threads.get(t)) {
                Set<String> used = new TreeSet<>();
                if (i.guard() != null) {
                    i.guard().regs(used);
                }
                if (i instanceof Store s) {
                    s.value().regs(used);
                }
                i.addrDeps().forEach(used::add);
                used.removeAll(defined);
                if (!used.isEmpty()) {
                    throw new IllegalArgumentException(name + ": thread " + t + " uses registers " + used
                            + " before a load of that thread defines them");
                }
                if (i instanceof Load l && !defined.add(l.reg()) || i instanceof Rmw r && !defined.add(r.reg())) {
                    throw new IllegalArgumentException(name + ": thread " + t + " defines a register twice");
                }
            }
        }
    }

    /** Fence kinds: C11's three, and the kernel's smp_wmb/smp_rmb (for textbook tests). */
    public enum FenceKind {
        ACQ, REL, SC,
        /** smp_wmb: DMB ISHST on ARMv8; a release fence in C11 terms. */
        WMB,
        /** smp_rmb: DMB ISHLD on ARMv8; an acquire fence in C11 terms. */
        RMB;

        /** The C11 fence mode this kind counts as under RC11. */
        public Mode c11() {
            return switch (this) {
                case ACQ, RMB -> Mode.ACQ;
                case REL, WMB -> Mode.REL;
                case SC -> Mode.SC;
            };
        }
    }

    /** One instruction. {@code guard}: runs only when it evaluates non-zero (null: always). */
    public sealed interface Instr {
        Expr guard();

        /** Registers this access's address depends on (an address dependency, for ARMv8's dob). */
        List<String> addrDeps();

        /** A comment: the ORDERING.md step it implements. */
        String note();
    }

    public record Load(String reg, String loc, Mode mode, Expr guard, List<String> addrDeps, String note) implements Instr {
    }

    public record Store(String loc, Expr value, Mode mode, Expr guard, List<String> addrDeps, String note) implements Instr {
        public Store {
            if (mode.acquire() && mode != Mode.SC) {
                throw new IllegalArgumentException("a store cannot be " + mode);
            }
        }
    }

    /** An atomic read-modify-write: {@code reg = loc; loc = add ? reg + operand : operand}. */
    public record Rmw(String reg, String loc, boolean add, long operand, Mode mode, Expr guard, List<String> addrDeps,
                      String note) implements Instr {
        public Rmw {
            if (!mode.atomic()) {
                throw new IllegalArgumentException("a read-modify-write must be atomic");
            }
        }
    }

    public record Fence(FenceKind kind, Expr guard, String note) implements Instr {
        public List<String> addrDeps() {
            return List.of();
        }
    }

    /** This program with every address dependency dropped (what a compiler that breaks them leaves). */
    public Program withoutAddressDependencies() {
        List<List<Instr>> ts = threads.stream().map(t -> t.stream().map(i -> (Instr) switch (i) {
            case Load l -> new Load(l.reg(), l.loc(), l.mode(), l.guard(), List.of(), l.note());
            case Store s -> new Store(s.loc(), s.value(), s.mode(), s.guard(), List.of(), s.note());
            case Rmw r -> new Rmw(r.reg(), r.loc(), r.add(), r.operand(), r.mode(), r.guard(), List.of(), r.note());
            case Fence f -> f;
        }).toList()).toList();
        return new Program(name, ts, init, filter, exists);
    }

    /** True when some access carries an address dependency. */
    public boolean hasAddressDependencies() {
        return threads.stream().flatMap(List::stream).anyMatch(i -> !i.addrDeps().isEmpty());
    }

    /** Every location the program touches, sorted. */
    public Set<String> locations() {
        Set<String> out = new TreeSet<>(init.keySet());
        for (List<Instr> t : threads) {
            for (Instr i : t) {
                switch (i) {
                    case Load l -> out.add(l.loc());
                    case Store s -> out.add(s.loc());
                    case Rmw r -> out.add(r.loc());
                    case Fence f -> { }
                }
            }
        }
        return out;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a program. */
    public static final class Builder {
        private final String name;
        private final List<List<Instr>> threads = new ArrayList<>();
        private final Map<String, Long> init = new LinkedHashMap<>();
        private Cond filter = new Cond.True();
        private Cond exists;

        Builder(String name) {
            this.name = name;
        }

        public Builder init(String loc, long value) {
            init.put(loc, value);
            return this;
        }

        public Builder thread(Consumer<ThreadBuilder> body) {
            ThreadBuilder t = new ThreadBuilder();
            body.accept(t);
            threads.add(t.out);
            return this;
        }

        public Builder filter(Cond c) {
            filter = c;
            return this;
        }

        public Builder exists(Cond c) {
            exists = c;
            return this;
        }

        public Program build() {
            if (exists == null) {
                throw new IllegalStateException(name + ": no exists clause");
            }
            return new Program(name, threads, init, filter, exists);
        }
    }

    /** Builds one thread; {@link #when} guards the instructions its body adds. */
    public static final class ThreadBuilder {
        private final List<Instr> out = new ArrayList<>();
        private Expr guard;
        private List<String> deps = List.of();
        private String note = "";
        private final Map<String, Expr> lets = new LinkedHashMap<>();

        /** The next instruction's comment. */
        public ThreadBuilder note(String text) {
            note = text;
            return this;
        }

        /** The next access's address depends on these registers. */
        public ThreadBuilder addrDep(String... regs) {
            deps = List.of(regs);
            return this;
        }

        private String takeNote() {
            String n = note;
            note = "";
            return n;
        }

        private List<String> takeDeps() {
            List<String> d = deps;
            deps = List.of();
            return d;
        }

        public ThreadBuilder load(String reg, String loc, Mode mode) {
            out.add(new Load(reg, loc, mode, guard, takeDeps(), takeNote()));
            return this;
        }

        public ThreadBuilder store(String loc, long value, Mode mode) {
            return store(loc, Expr.k(value), mode);
        }

        /** Names {@code value} (over earlier registers) {@code name}: later guards and stored values may use it. */
        public ThreadBuilder let(String name, Expr value) {
            lets.put(name, value.subst(lets));
            return this;
        }

        public ThreadBuilder store(String loc, Expr value, Mode mode) {
            out.add(new Store(loc, value.subst(lets), mode, guard, takeDeps(), takeNote()));
            return this;
        }

        public ThreadBuilder fetchAdd(String reg, String loc, long add, Mode mode) {
            out.add(new Rmw(reg, loc, true, add, mode, guard, takeDeps(), takeNote()));
            return this;
        }

        public ThreadBuilder exchange(String reg, String loc, long value, Mode mode) {
            out.add(new Rmw(reg, loc, false, value, mode, guard, takeDeps(), takeNote()));
            return this;
        }

        public ThreadBuilder fence(FenceKind kind) {
            out.add(new Fence(kind, guard, takeNote()));
            return this;
        }

        /** Adds {@code body}'s instructions guarded by {@code cond} (and by any enclosing guard). */
        public ThreadBuilder when(Expr cond, Consumer<ThreadBuilder> body) {
            Expr outer = guard;
            Expr c = cond.subst(lets);
            guard = outer == null ? c : Expr.and(outer, c);
            body.accept(this);
            guard = outer;
            return this;
        }
    }
}
