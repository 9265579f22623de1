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
     * How long to run: {@code samples} cells normally, stopping early after {@code maxSeconds}; a broken
     * OBSERVABLE variant that has not failed yet keeps going up to {@code patience} cells or
     * {@code patienceSeconds}.
     */
    public record Budget(long samples, double maxSeconds, long patience, double patienceSeconds, int batch) {
        public Budget {
            Validate.isTrue(samples >= 1 && patience >= samples, "budget needs 1 <= samples (%d) <= patience (%d)", samples, patience);
            Validate.isTrue(batch >= 1 && batch <= 1_000_000, "batch %d is outside 1..1000000", batch);
            Validate.isTrue(maxSeconds > 0 && patienceSeconds > 0, "budget times must be positive");
        }

        /** The default of {@code guestmem parity}: 4000 samples or 0.4 s per run; a broken OBSERVABLE run up to 100 000 samples or 3 s. */
        public static Budget quick() {
            return new Budget(4_000, 0.4, 100_000, 3.0, 1_000);
        }

        /** {@code --full}: a million samples per run. */
        public static Budget full() {
            return new Budget(1_000_000, 60, 1_000_000, 60, 10_000);
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
                return new LitmusResult(scenario.id(), variant, pairing, 0, 0, counts, 0, 0, Verdict.SKIPPED, 0);
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
            while (true) {
                double elapsed = (System.nanoTime() - start) * 1e-9;
                long limit = budget.samples();
                if (variant.expect() == LitmusScenario.Expectation.OBSERVABLE && forbidden == 0
                        && elapsed < budget.patienceSeconds()) {
                    limit = budget.patience(); // keep trying until the broken variant shows its failure
                } else if (elapsed >= budget.maxSeconds()) {
                    break; // the samples so far are reported as they are
                }
                if (samples >= limit) {
                    break;
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
        Verdict verdict = Verdict.of(variant, forbidden, raced, cpus(), LitmusScenario.CpuModel.current());
        return new LitmusResult(scenario.id(), variant, pairing, samples, raced, counts, forbidden, interesting, verdict,
                seconds);
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
