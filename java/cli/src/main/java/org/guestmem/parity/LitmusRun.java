package org.guestmem.parity;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.lang3.Validate;
import org.guestmem.nativeshim.CLitmusSide;
import org.guestmem.host.Membarrier;
import org.guestmem.parity.LitmusScenario.Grade;
import org.guestmem.parity.LitmusScenario.Variant;

/**
 * Runs one variant of one litmus scenario in one {@link Pairing}, litmus7 style: batches of fresh native
 * cells, two threads started per batch that meet at a spin rendezvous before every cell (the C side through
 * {@link CLitmusSide}, the Java side through its {@link JavaSide}), then every cell observed (the C
 * observe function, single-threaded after the join) and graded by the table.
 *
 * <p>Nothing is pinned: the JVM cannot place its threads, so a sample needs both threads running at once,
 * which the spin rendezvous arranges on two or more CPUs. A cell whose rendezvous one side left only after
 * yielding its CPU did not race; {@link LitmusResult#raced()} counts the others.
 */
public final class LitmusRun {
    /**
     * How long to run: {@code samples} cells normally, stopping early after {@code maxSeconds}. A broken
     * OBSERVABLE variant on two or more CPUs that has not failed yet keeps going until it does, or until
     * {@code bound} of its samples raced without it (then "never seen" is meaningful: FAIL_NOT_OBSERVED), or
     * until {@code patienceSeconds} (then it is INCONCLUSIVE).
     */
    public record Budget(long samples, double maxSeconds, long bound, double patienceSeconds, int batch) {
        public Budget {
            Validate.isTrue(samples >= 1 && bound >= 1, "budget needs samples (%d) >= 1 and bound (%d) >= 1", samples, bound);
            Validate.isTrue(batch >= 1 && batch <= 1_000_000, "batch %d is outside 1..1000000", batch);
            Validate.isTrue(maxSeconds > 0 && patienceSeconds > 0, "budget times must be positive");
        }

        /**
         * The default of {@code guestmem parity}: 4000 samples or 0.4 s per run; a broken OBSERVABLE run until
         * it shows, up to the {@link Verdict#NEVER_SEEN_BOUND} raced samples or 10 s.
         */
        public static Budget quick() {
            return new Budget(4_000, 0.4, Verdict.NEVER_SEEN_BOUND, 10.0, 1_000);
        }

        /** {@code --full}: a million samples per run (a minute at most); a broken OBSERVABLE one up to 2 minutes. */
        public static Budget full() {
            return new Budget(1_000_000, 60, Verdict.NEVER_SEEN_BOUND, 120, 10_000);
        }

        /** The same budget with {@code seconds} of patience for a broken OBSERVABLE variant not seen yet. */
        public Budget withPatience(double seconds) {
            return new Budget(samples, maxSeconds, bound, seconds, batch);
        }

        /** What it means, in one line (the head of {@code guestmem parity}'s output). */
        public String describe() {
            return String.format("%d samples or %.1f s per run; a broken OBSERVABLE variant not seen yet keeps going until it"
                    + " shows, or %d samples raced without it (FAIL_NOT_OBSERVED, exit 1), or %.1f s (INCONCLUSIVE, exit 3)",
                    samples, maxSeconds, bound, patienceSeconds);
        }
    }

    /** CPUs this JVM may use. */
    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** True on x86 (TSO: only store-&gt;load reordering can show). */
    public static boolean tso() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386");
    }

    private LitmusRun() {}

    /** Runs {@code variant} of {@code scenario} with the threads of {@code pairing}. */
    public static LitmusResult run(LitmusScenario scenario, Variant variant, Pairing pairing, Budget budget) {
        CLitmusSide c = CLitmusSide.of(scenario.id(), variant.name());
        JavaSide java = JavaSide.of(scenario.id());
        int v = java.variant(variant.name());
        if (java.cellSize() != c.cellSize() || c.observeCount() != scenario.observed().size()) {
            throw new IllegalStateException(scenario.id() + ": the Java side's cell is " + java.cellSize()
                    + " bytes and the C one " + c.cellSize() + "; C observes " + c.observeCount()
                    + " values, the table " + scenario.observed().size());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        scenario.outcomes().forEach(o -> counts.put(o.key(), 0L));
        if (java.needsMembarrier(v)) {
            if (!Membarrier.available()) {
                return new LitmusResult(scenario.id(), variant, pairing, 0, 0, counts, 0, 0, Verdict.SKIPPED, 0, budget.bound());
            }
            Membarrier.register();
        }
        long samples = 0, raced = 0, forbidden = 0, interesting = 0;
        int obs = c.observeCount();
        long start = System.nanoTime();
        try (Arena arena = Arena.ofShared()) {
            int batch = budget.batch();
            MemorySegment cells = arena.allocate(batch * c.cellSize(), 64);
            MemorySegment[] regs = { arena.allocate(batch * 8L, 64), arena.allocate(batch * 8L, 64) };
            MemorySegment sync = arena.allocate(CLitmusSide.SYNC_BYTES, 64);
            MemorySegment values = arena.allocate((long) batch * obs * 4, 64);
            int[] tuple = new int[obs];
            // a broken OBSERVABLE variant is hunted where this CPU's model can show it: until it shows, the bound or the
            // patience (one CPU cannot show it)
            boolean hunt = variant.expect() == LitmusScenario.Expectation.OBSERVABLE && cpus() >= 2
                    && Verdict.showsOn(variant, LitmusScenario.CpuModel.current());
            while (true) {
                double elapsed = (System.nanoTime() - start) * 1e-9;
                long limit;
                if (hunt && forbidden == 0) {
                    if (raced >= budget.bound() || elapsed >= budget.patienceSeconds()) {
                        break; // never seen in a meaningful number of raced samples, or out of time: the verdict says which
                    }
                    limit = samples + batch;
                } else {
                    if (samples >= budget.samples() || elapsed >= budget.maxSeconds()) {
                        break; // the samples so far are reported as they are
                    }
                    limit = budget.samples();
                }
                int n = (int) Math.min(batch, limit - samples);
                c.initCells(cells, n);
                sync.fill((byte) 0);
                race(pairing, c, java, v, cells, regs, n, sync);
                long yielded = LitmusWords.plain(sync, LitmusWords.YIELDED) + LitmusWords.plain(sync, 64 + LitmusWords.YIELDED);
                raced += n - Math.min(n, yielded);
                c.observe(cells, regs[0], regs[1], n, values);
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < obs; k++) {
                        tuple[k] = values.getAtIndex(ValueLayout.JAVA_INT, (long) i * obs + k);
                    }
                    Grade g = scenario.grade(tuple);
                    counts.merge(scenario.key(tuple), 1L, Long::sum);
                    forbidden += g == Grade.FORBIDDEN ? 1 : 0;
                    interesting += g == Grade.ALLOWED_INTERESTING ? 1 : 0;
                }
                samples += n;
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        Verdict verdict = Verdict.of(variant, forbidden, raced, budget.bound(), cpus(), LitmusScenario.CpuModel.current());
        return new LitmusResult(scenario.id(), variant, pairing, samples, raced, counts, forbidden, interesting, verdict,
                seconds, budget.bound());
    }

    /** One batch: both threads started, joined; a failure of either is rethrown after both ended. */
    private static void race(Pairing pairing, CLitmusSide c, JavaSide java, int v, MemorySegment cells,
                             MemorySegment[] regs, int n, MemorySegment sync) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[2];
        for (int role = 0; role < 2; role++) {
            int r = role;
            boolean inJava = pairing.java(role);
            threads[role] = Thread.ofPlatform().name("litmus-" + (r == 0 ? "updater" : "reader") + "-" + (inJava ? "java" : "c"))
                    .start(() -> {
                        try {
                            if (inJava) {
                                java.run(r, v, cells, regs[r], n, sync);
                            } else {
                                c.run(r, cells, regs[r], n, sync);
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                            // let the other side run through its rendezvous alone (release; pairs with its acquire)
                            LitmusWords.setRelease(sync, 64L * r, Long.MAX_VALUE);
                        }
                    });
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join(); // the sides cannot be cut short: they meet before every cell
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("litmus " + c.scenario() + "/" + c.variant() + " " + pairing.threads()
                    + " failed: " + failure.get(), failure.get());
        }
    }
}
