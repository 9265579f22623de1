package org.guestmem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Rcu#synchronize()} latency from an unregistered writer thread, with one idle reader thread
 * ({@code idle}: registered, blocked outside any section; QSBR: offline while it blocks) and with
 * cores - 1 (at least 1) reader threads entering and leaving short sections in a loop ({@code busy}; QSBR
 * readers announce a quiescent state after each section). Peer: native/bench/urcu_bench.c
 * (synchronize_rcu with the same readers). The idle reader is registered on both sides because liburcu
 * returns at once when no thread is registered (memb then skips membarrier), which a program with reader
 * threads never sees.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class RcuSynchronizeBench {
    @Param({"FENCE", "MEMBARRIER", "QSBR"})
    Rcu.Flavor flavor;

    @Param({"idle", "busy"})
    String readers;

    Rcu rcu;
    final List<Thread> threads = new ArrayList<>();
    /** Written by tearDown, read by the reader threads (plain volatile; no ordering step). */
    volatile boolean stop;
    /** Counted down by tearDown; the idle reader waits on it (the latch orders the two). */
    final CountDownLatch release = new CountDownLatch(1);
    /** The "protected" value the readers load; never changes. */
    volatile int value = 1;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        rcu = Rcu.create(flavor);
        if (readers.equals("idle")) {
            CountDownLatch registered = new CountDownLatch(1);
            threads.add(Thread.ofPlatform().daemon().name("idle-reader").start(() -> idleReader(registered)));
            registered.await();
        } else if (readers.equals("busy")) {
            int n = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
            for (int i = 0; i < n; i++) {
                Thread t = Thread.ofPlatform().daemon().name("busy-reader-" + i).start(this::readLoop);
                threads.add(t);
            }
        }
    }

    private void idleReader(CountDownLatch registered) {
        rcu.registerThread();
        rcu.threadOffline();    // QSBR: offline before blocking; a no-op for the other flavors
        registered.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rcu.unregisterThread();
    }

    private void readLoop() {
        rcu.registerThread();
        long sum = 0;
        while (!stop) {
            try (ReadSection s = rcu.read()) {
                sum += value;
            }
            rcu.quiescentState();
        }
        rcu.unregisterThread();
        if (sum == 42) {
            System.out.print("");   // keeps the loads alive
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stop = true;
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        rcu.close();
    }

    @Benchmark
    public void synchronize() {
        rcu.synchronize();
    }
}
