package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The java.util.concurrent peers of {@link RcuReadBench}, same body (load the shared reference, read its
 * value) on 1 and 2 threads: {@link ReentrantReadWriteLock#readLock()} lock + unlock (its native peer is
 * pthread_rwlock in native/bench/rwlock_bench.c), and {@link StampedLock}'s optimistic read
 * ({@code tryOptimisticRead} + {@code validate}, falling back to a read lock if a writer intervened;
 * there is no writer here, so the fallback never runs). {@code bodyOnly} is the body without any lock:
 * the floor of every read-side figure here, JMH's own per-call cost included (its native twin,
 * {@code read_body_only}, is a plain C loop).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class LockReadBench {
    private final ReentrantReadWriteLock rwLock = new ReentrantReadWriteLock();
    private final StampedLock stampedLock = new StampedLock();
    // Set once at construction (before JMH starts the threads); read under the lock or the stamp.
    private volatile RcuReadBench.Node node = new RcuReadBench.Node(1);

    @Benchmark
    @Threads(1)
    public long bodyOnly1() {
        return node.value;
    }

    @Benchmark
    @Threads(2)
    public long bodyOnly2() {
        return node.value;
    }

    @Benchmark
    @Threads(1)
    public long rwLockRead1() {
        return rwLockRead();
    }

    @Benchmark
    @Threads(2)
    public long rwLockRead2() {
        return rwLockRead();
    }

    @Benchmark
    @Threads(1)
    public long stampedOptimistic1() {
        return stampedOptimistic();
    }

    @Benchmark
    @Threads(2)
    public long stampedOptimistic2() {
        return stampedOptimistic();
    }

    private long rwLockRead() {
        ReentrantReadWriteLock.ReadLock lock = rwLock.readLock();
        lock.lock();
        try {
            return node.value;
        } finally {
            lock.unlock();
        }
    }

    private long stampedOptimistic() {
        long stamp = stampedLock.tryOptimisticRead();
        long v = node.value;
        if (!stampedLock.validate(stamp)) {
            stamp = stampedLock.readLock();
            try {
                v = node.value;
            } finally {
                stampedLock.unlockRead(stamp);
            }
        }
        return v;
    }
}
