package org.guestmem.parity.model;

import java.util.Map;

/**
 * A tiny integer expression over one thread's registers: what a guard ({@code if}) tests and what a store
 * writes. Comparisons and logic yield 1 or 0, as in C. {@link #c()} prints it as C.
 */
public sealed interface Expr {
    /** Its value; a register whose load did not run (its guard was false) reads 0, as in C's {@code int r = 0;}. */
    long eval(Map<String, Long> regs);

    /** As a C expression. */
    String c();

    /** Registers it reads, added to {@code out}. */
    void regs(java.util.Set<String> out);

    /** This expression with the named registers replaced by their definitions. */
    default Expr subst(Map<String, Expr> defs) {
        return switch (this) {
            case Reg g -> defs.getOrDefault(g.name(), g);
            case Bin b -> new Bin(b.op(), b.a().subst(defs), b.b().subst(defs));
            case Const c -> c;
        };
    }

    /** A constant. */
    record Const(long value) implements Expr {
        public long eval(Map<String, Long> regs) {
            return value;
        }

        public String c() {
            return Long.toString(value);
        }

        public void regs(java.util.Set<String> out) {
        }
    }

    /** A register of the thread. */
    record Reg(String name) implements Expr {
        public long eval(Map<String, Long> regs) {
            return regs.getOrDefault(name, 0L);
        }

        public String c() {
            return name;
        }

        public void regs(java.util.Set<String> out) {
            out.add(name);
        }
    }

    /** {@code a OP b} with OP one of {@code + * == != && ||}. */
    record Bin(String op, Expr a, Expr b) implements Expr {
        public Bin {
            if (!java.util.List.of("+", "*", "==", "!=", "&&", "||").contains(op)) {
                throw new IllegalArgumentException("operator '" + op + "' is not one of + * == != && ||");
            }
        }

        public long eval(Map<String, Long> regs) {
            long x = a.eval(regs), y = b.eval(regs);
            return switch (op) {
                case "+" -> x + y;
                case "*" -> x * y;
                case "==" -> x == y ? 1 : 0;
                case "!=" -> x != y ? 1 : 0;
                case "&&" -> x != 0 && y != 0 ? 1 : 0;
                default -> x != 0 || y != 0 ? 1 : 0;
            };
        }

        public String c() {
            return "(" + a.c() + " " + op + " " + b.c() + ")";
        }

        public void regs(java.util.Set<String> out) {
            a.regs(out);
            b.regs(out);
        }
    }

    static Expr k(long v) {
        return new Const(v);
    }

    static Expr r(String name) {
        return new Reg(name);
    }

    static Expr eq(Expr a, Expr b) {
        return new Bin("==", a, b);
    }

    static Expr ne(Expr a, Expr b) {
        return new Bin("!=", a, b);
    }

    static Expr and(Expr a, Expr b) {
        return new Bin("&&", a, b);
    }

    static Expr or(Expr a, Expr b) {
        return new Bin("||", a, b);
    }
}
