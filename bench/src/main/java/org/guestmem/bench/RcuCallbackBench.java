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
import org.openjdk.jmh.annotations.Warmup;

/**
 * callRcu throughput: a batch of {@value #BATCH} callbacks (each counts itself) queued, then
 * {@link Rcu#drain()}; reported per callback, queueing, grace periods and running included. Peer:
 * native/bench/urcu_bench.c (call_rcu of the same batch, then rcu_barrier). {@code callRcuEnqueue} times
 * the callRcu calls alone (what a caller pays; the drain after each batch is outside the timing), beside
 * call_rcu alone. The batch figures compare policies more than machinery: drain() makes the reclaimer skip
 * its batching delay, while liburcu's call_rcu thread sleeps about 10 ms before taking each batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class RcuCallbackBench {
    static final int BATCH = 10_000;

    @Param({"FENCE", "MEMBARRIER", "QSBR"})
    Rcu.Flavor flavor;

    Rcu rcu;
    final AtomicLong run = new AtomicLong();
    final Runnable count = run::incrementAndGet;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(flavor);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rcu.close();
    }

    /** Drains after each invocation of {@link #callRcuEnqueue(Drained)}, outside the timing. */
    @State(Scope.Thread)
    public static class Drained {
        Rcu rcu;

        @Setup(Level.Trial)
        public void bind(RcuCallbackBench bench) {
            rcu = bench.rcu;
        }

        @TearDown(Level.Invocation)
        public void drain() {
            rcu.drain();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void callRcuEnqueue(Drained d) {
        for (int i = 0; i < BATCH; i++) {
            d.rcu.callRcu(count); // the domain Drained drains (JMH may give its helper another instance of this class)
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long callRcuBatch() {
        for (int i = 0; i < BATCH; i++) {
            rcu.callRcu(count);
        }
        rcu.drain();
        return run.get();
    }
}
