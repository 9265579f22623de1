package org.guestmem.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Rcu#synchronize()} latency, per flavor, with one reader thread that is either idle (registered,
 * blocked outside any section; QSBR: offline while it blocks) or busy (read sections back to back, the
 * body of {@link RcuReadBench}; QSBR: a quiescent state after each). The benchmark thread is the writer
 * and is not registered. The liburcu peer is {@code synchronize_idle} / {@code synchronize_busy} in
 * native/bench/rcu_bench.c, with the same reader.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class RcuSynchronizeBench {
    @Param({"FENCE", "MEMBARRIER", "QSBR"})
    public Rcu.Flavor flavor;

    @Param({"idle", "busy"})
    public String readers;

    private Rcu rcu;
    private Thread reader;
    // Counted down by tearDown(); awaited by the idle reader (the latch orders it).
    private final CountDownLatch stop = new CountDownLatch(1);
    // Written by tearDown(), read by the busy reader's loop (volatile: it must see the stop).
    private volatile boolean stopping;
    // Published before the reader starts (Thread.start orders it); read inside every section.
    private volatile RcuReadBench.Node node = new RcuReadBench.Node(1);
    // Written by the busy reader when it ends, so that its loop cannot be dropped; never read.
    volatile long sink;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        rcu = Rcu.create(flavor);
        CountDownLatch registered = new CountDownLatch(1);
        Runnable body = switch (readers) {
            case "idle" -> () -> idle(registered);
            case "busy" -> () -> busy(registered);
            default -> throw new IllegalArgumentException("readers must be idle or busy, got " + readers);
        };
        reader = Thread.ofPlatform().daemon().name("rcu-bench-reader-" + readers).start(body);
        registered.await();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        stopping = true;
        stop.countDown();
        reader.join();
        rcu.close();
    }

    @Benchmark
    public void synchronize() {
        rcu.synchronize();
    }

    private void idle(CountDownLatch registered) {
        rcu.registerThread();
        rcu.threadOffline(); // QSBR: offline before blocking; a no-op for the other flavors
        registered.countDown();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rcu.unregisterThread();
    }

    private void busy(CountDownLatch registered) {
        rcu.registerThread();
        RcuReader r = rcu.reader();
        boolean qsbr = flavor == Rcu.Flavor.QSBR;
        registered.countDown();
        long sum = 0;
        while (!stopping) {
            for (int k = 0; k < 64; k++) {
                try (ReadSection s = r.read()) {
                    sum += node.value;
                }
                if (qsbr) {
                    r.quiescentState();
                }
            }
        }
        sink = sum;
        rcu.unregisterThread();
    }
}
