package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.guestmem.rcu.Rcu;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Rcu#callRcu(Runnable)} throughput, per flavor: a batch of {@value #BATCH} callbacks (each counts
 * itself), then {@link Rcu#drain()}; the figure is time per callback. {@code enqueue} times only the
 * {@code callRcu} calls (what the caller pays); the drain after each batch is outside the timing. The liburcu
 * peer is {@code call_rcu} / {@code call_rcu_enqueue} in native/bench/rcu_bench.c (call_rcu of the same
 * batch, then rcu_barrier). Note for the comparison: drain() makes the reclaimer skip its batching delay,
 * while liburcu's call_rcu thread sleeps about 10 ms before taking each batch, rcu_barrier or not.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class RcuCallbackBench {
    static final int BATCH = 10_000;

    /** The domain and the callback; the callback is one object, so the benchmark allocates only queue nodes. */
    @State(Scope.Benchmark)
    public static class Domain {
        @Param({"FENCE", "MEMBARRIER", "QSBR"})
        public Rcu.Flavor flavor;

        public Rcu rcu;
        // Incremented by the reclaimer thread, read by checkAllRan() after drain() (drain orders it).
        final AtomicLong ran = new AtomicLong();
        long queued; // benchmark thread only
        final Runnable count = ran::incrementAndGet;

        @Setup(Level.Trial)
        public void open() {
            rcu = Rcu.create(flavor);
        }

        @TearDown(Level.Trial)
        public void checkAllRan() {
            rcu.drain();
            rcu.close();
            if (ran.get() != queued) {
                throw new IllegalStateException(queued + " callbacks queued but " + ran.get() + " ran after drain()");
            }
        }
    }

    /** Drains after each invocation of {@link #enqueue(Domain, Drained)}, outside the timing. */
    @State(Scope.Thread)
    public static class Drained {
        private Rcu rcu;

        @Setup(Level.Trial)
        public void bind(Domain d) {
            rcu = d.rcu;
        }

        @TearDown(Level.Invocation)
        public void drain() {
            rcu.drain();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batchDrain(Domain d) {
        Rcu rcu = d.rcu;
        for (int i = 0; i < BATCH; i++) {
            rcu.callRcu(d.count);
        }
        d.queued += BATCH;
        rcu.drain();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void enqueue(Domain d, Drained drained) {
        Rcu rcu = d.rcu;
        for (int i = 0; i < BATCH; i++) {
            rcu.callRcu(d.count);
        }
        d.queued += BATCH;
    }
}
