package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The java.util.concurrent peers of {@link RcuReadBench}: {@code ReentrantReadWriteLock.readLock()}
 * lock+unlock and a {@code StampedLock} optimistic read (tryOptimisticRead + validate), 1 and 2 threads
 * on one shared lock. The C peer is native/bench/rwlock_bench.c (pthread_rwlock). {@code baseline} is an
 * empty benchmark: JMH's own cost per call, the floor under every Java figure of this suite (the C loops
 * time 4096 operations per clock read and have no such floor). The {@code …Batch} benchmarks time a loop of
 * {@link RcuReadBench#BATCH} lock+unlock pairs per call, as the C loop and {@code RcuReadBench}'s batch rows do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class LockReadBench {
    final Lock readLock = new ReentrantReadWriteLock().readLock();
    final StampedLock stamped = new StampedLock();

    @Benchmark
    public void baseline() {
        // empty: the harness alone
    }

    @Benchmark
    public void reentrantReadLock() {
        readLock.lock();
        readLock.unlock();
    }

    @Benchmark
    @Threads(2)
    public void reentrantReadLock2() {
        readLock.lock();
        readLock.unlock();
    }

    @Benchmark
    public boolean stampedOptimistic() {
        long stamp = stamped.tryOptimisticRead();
        return stamped.validate(stamp);
    }

    @Benchmark
    @Threads(2)
    public boolean stampedOptimistic2() {
        long stamp = stamped.tryOptimisticRead();
        return stamped.validate(stamp);
    }

    @Benchmark
    @OperationsPerInvocation(RcuReadBench.BATCH)
    public void reentrantReadLockBatch() {
        Lock l = readLock;
        for (int k = 0; k < RcuReadBench.BATCH; k++) {
            l.lock();
            l.unlock();
        }
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(RcuReadBench.BATCH)
    public void reentrantReadLockBatch2() {
        reentrantReadLockBatch();
    }
}
