package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Read-side cost of an {@link Rcu} domain, per flavor, on 1 and 2 threads: open a section, load the
 * RCU-protected reference, read the value it points to, close the section. The liburcu peer
 * (native/bench/rcu_bench.c, {@code read_lock_unlock}) runs the same body; the lock peers are in
 * {@link LockReadBench}.
 *
 * <p>Two entry points: {@code read*} goes through {@link Rcu#read()} (the documented API: a thread-local
 * lookup, then the section), {@code handle*} through the thread's {@link RcuReader} kept from
 * {@link Rcu#reader()} (the section alone, as liburcu's inlined TLS access). Every thread registers before
 * the measurement (QSBR: {@link Rcu#registerThread()} puts it online, so sections cost no fence), so
 * registration is not timed. The fork needs {@code -Dguestmem.native.lib} for MEMBARRIER; BenchRunner adds it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class RcuReadBench {

    /** The RCU-protected datum (liburcu peer: {@code struct node}). */
    public static final class Node {
        final long value;

        Node(long value) {
            this.value = value;
        }
    }

    /** The domain and the published node, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Domain {
        @Param({"FENCE", "MEMBARRIER", "QSBR"})
        public Rcu.Flavor flavor;

        public Rcu rcu;
        // Registered benchmark threads: incremented in Reader#register, decremented in Reader#unregister; the
        // thread that takes it to zero closes the domain (see Reader#unregister for why not this state).
        final AtomicInteger registered = new AtomicInteger();
        // Published before the benchmark threads start (JMH's setup happens-before them); read by every
        // reader inside its section (volatile: the Java spelling of rcu_dereference; a plain mov on x86).
        public volatile Node node;

        @Setup(Level.Trial)
        public void open() {
            rcu = Rcu.create(flavor);
            node = new Node(1);
        }

    }

    /**
     * Each benchmark thread's registration, done in setup so that the measurement sees only sections. The
     * last thread to unregister closes the domain: JMH tears the shared {@link Domain} down before the
     * threads' own states, and closing drains the reclaimer, whose grace period would wait for a QSBR thread
     * that is still online (here: the closing thread itself).
     */
    @State(Scope.Thread)
    public static class Reader {
        public RcuReader handle;
        private Domain domain;

        @Setup(Level.Trial)
        public void register(Domain d) {
            domain = d;
            d.registered.incrementAndGet();
            d.rcu.registerThread();
            handle = d.rcu.reader();
        }

        @TearDown(Level.Trial)
        public void unregister() {
            domain.rcu.unregisterThread();
            if (domain.registered.decrementAndGet() == 0) {
                domain.rcu.close();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public long read1(Domain d, Reader r) {
        return section(d);
    }

    @Benchmark
    @Threads(2)
    public long read2(Domain d, Reader r) {
        return section(d);
    }

    @Benchmark
    @Threads(1)
    public long handle1(Domain d, Reader r) {
        return handleSection(d, r);
    }

    @Benchmark
    @Threads(2)
    public long handle2(Domain d, Reader r) {
        return handleSection(d, r);
    }

    private static long section(Domain d) {
        try (ReadSection s = d.rcu.read()) {
            return d.node.value;
        }
    }

    private static long handleSection(Domain d, Reader r) {
        try (ReadSection s = r.handle.read()) {
            return d.node.value;
        }
    }
}
