package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuFences;
import org.guestmem.rcu.RcuReader;
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
 * Read-side lock+unlock of an empty section, per flavor, with 1 and 2 threads in one domain. Peers:
 * native/bench/urcu_bench.c (liburcu memb, qsbr, mb) and {@link LockReadBench}. QSBR threads are
 * registered online (liburcu's qsbr benchmark does the same), so their sections are the free fast path.
 * {@code readSection} goes through {@link Rcu#read()} (thread-local lookup); {@code readerHandle} keeps
 * the thread's {@link RcuReader} as a hot loop would (liburcu's inlined read lock reaches its per-thread
 * state through TLS with no lookup either).
 *
 * <p>The {@code …Batch} benchmarks time what the C peer times: a loop of {@link #BATCH} sections per
 * measured call, each with a compiler-only barrier inside ({@link RcuFences#readerCompilerOnly()}, no
 * instruction on x86, as the C loop's {@code GM_COMPILER_BARRIER()}), reported per section. The one-section
 * benchmarks add JMH's own per-call cost ({@link LockReadBench#baseline}) to every figure, which the C loop
 * does not pay; the goals are judged on the batch rows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class RcuReadBench {
    /** Sections per measured call, as READ_BATCH in native/bench/urcu_bench.c. */
    static final int BATCH = 4096;

    @Param({"FENCE", "MEMBARRIER", "QSBR"})
    Rcu.Flavor flavor;

    Rcu rcu;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(flavor);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rcu.close();
    }

    /**
     * One worker thread's registration; unregistered after each iteration so close() never waits for it. The
     * benchmarks read through {@code r.rcu}, the domain this state registered in: JMH may hand this helper a
     * different instance of the benchmark class than the benchmark method's.
     */
    @State(Scope.Thread)
    public static class Reader {
        RcuReader reader;
        Rcu rcu;

        @Setup(Level.Iteration)
        public void register(RcuReadBench bench) {
            rcu = bench.rcu;
            rcu.registerThread();
            reader = rcu.reader();
        }

        @TearDown(Level.Iteration)
        public void unregister() {
            rcu.unregisterThread();
        }
    }

    @Benchmark
    public void readSection(Reader r) {
        try (ReadSection s = r.rcu.read()) {
            // empty: the cost of entering and leaving
        }
    }

    @Benchmark
    @Threads(2)
    public void readSection2(Reader r) {
        try (ReadSection s = r.rcu.read()) {
            // empty
        }
    }

    @Benchmark
    public void readerHandle(Reader r) {
        try (ReadSection s = r.reader.read()) {
            // empty
        }
    }

    @Benchmark
    @Threads(2)
    public void readerHandle2(Reader r) {
        try (ReadSection s = r.reader.read()) {
            // empty
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void readSectionBatch(Reader r) {
        Rcu rcu = r.rcu;
        for (int k = 0; k < BATCH; k++) {
            try (ReadSection s = rcu.read()) {
                RcuFences.readerCompilerOnly();
            }
        }
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BATCH)
    public void readSectionBatch2(Reader r) {
        readSectionBatch(r);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void readerHandleBatch(Reader r) {
        RcuReader reader = r.reader;
        for (int k = 0; k < BATCH; k++) {
            try (ReadSection s = reader.read()) {
                RcuFences.readerCompilerOnly();
            }
        }
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BATCH)
    public void readerHandleBatch2(Reader r) {
        readerHandleBatch(r);
    }
}
