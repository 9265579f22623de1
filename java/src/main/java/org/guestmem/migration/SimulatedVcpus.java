package org.guestmem.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.commons.lang3.Validate;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;

/**
 * Threads that play vCPUs for migration demos and tests: each writes 8-byte values at random places of
 * the given blocks through {@link GuestMemory} (so the pages become dirty), at a total rate of
 * {@code writesPerSecond} (0 = as fast as they can). {@link #pause()} stops them between writes (what a
 * source does before stop-and-copy), {@link #resume()} lets them go on.
 *
 * <p>Pausing uses a read-write lock: every vCPU holds the read lock around a batch of writes; pause
 * takes the write lock, so when it returns no write is in flight. pause and resume must be called by the
 * same thread (the migration thread).
 */
public final class SimulatedVcpus implements AutoCloseable {
    private final GuestMemory memory;
    private final List<RamBlock> blocks;
    private final long writesPerSecond;
    private final ReentrantReadWriteLock running = new ReentrantReadWriteLock();
    private final List<Thread> threads = new ArrayList<>();
    /** Written by close() (any thread), read by the vCPU threads between batches. */
    private volatile boolean stopped;
    /** Written by the vCPU threads (sum of their writes), read by anyone for reports. */
    private final java.util.concurrent.atomic.LongAdder writes = new java.util.concurrent.atomic.LongAdder();

    public SimulatedVcpus(GuestMemory memory, List<RamBlock> blocks, int threadCount, long writesPerSecond, long seed) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.blocks = List.copyOf(blocks);
        Validate.isTrue(!this.blocks.isEmpty(), "no blocks to write to");
        Validate.isTrue(threadCount >= 1, "thread count %d must be at least 1", threadCount);
        Validate.isTrue(writesPerSecond >= 0, "write rate %d is negative", writesPerSecond);
        this.writesPerSecond = writesPerSecond;
        for (int i = 0; i < threadCount; i++) {
            long threadSeed = seed + i;
            Thread t = Thread.ofPlatform().daemon().name("vcpu-" + i).unstarted(() -> run(threadSeed, threadCount));
            threads.add(t);
        }
    }

    public SimulatedVcpus start() {
        threads.forEach(Thread::start);
        return this;
    }

    private void run(long seed, int threadCount) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double perThread = writesPerSecond / (double) threadCount;
        long start = System.nanoTime(), done = 0;
        try {
            while (!stopped) {
                running.readLock().lock();
                try {
                    for (int i = 0; i < 64; i++) {
                        RamBlock b = blocks.get(rnd.nextInt(blocks.size()));
                        long off = rnd.nextLong(b.usedLength() / 8) * 8;
                        memory.writeLong(b.offset() + off, rnd.nextLong());
                    }
                } finally {
                    running.readLock().unlock();
                }
                done += 64;
                writes.add(64);
                if (perThread > 0) {
                    long due = start + (long) (done * 1e9 / perThread);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
            }
        } finally {
            memory.ramList().rcu().unregisterThread();
        }
    }

    /** Stops the vCPUs; returns once no write is in flight. */
    public void pause() {
        running.writeLock().lock();
    }

    /** Lets paused vCPUs go on (same thread as pause). */
    public void resume() {
        if (running.isWriteLockedByCurrentThread()) {
            running.writeLock().unlock();
        }
    }

    /** Writes done so far. */
    public long writes() {
        return writes.sum();
    }

    /** Stops and joins the threads; a pause held by this thread is released first. */
    @Override
    public void close() {
        stopped = true;
        resume();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
