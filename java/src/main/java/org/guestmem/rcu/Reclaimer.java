package org.guestmem.rcu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A domain's reclaimer thread ({@code call_rcu_thread} in QEMU): waits for callbacks, batches them (runs
 * once {@link #BATCH} are queued, or after at most {@link #MAX_DELAYS} delays of {@link #DELAY_NS} since the
 * first one), waits for a grace period and runs exactly the callbacks counted before it, in FIFO order.
 * A callback that throws is counted and reported to the failure handler; the thread keeps going.
 */
final class Reclaimer implements Runnable {
    static final int BATCH = 30;
    static final long DELAY_NS = 10_000_000L;
    static final int MAX_DELAYS = 5;

    private final CallbackQueue queue = new CallbackQueue();
    // Callbacks offered and not yet taken into a batch: producers increment after offer (seq_cst), the
    // reclaimer subtracts each batch. A count of n guarantees the first n queue nodes have been swapped in.
    private final AtomicLong queued = new AtomicLong();
    // drain() calls in progress; while > 0 the reclaimer skips the batching delays.
    private final AtomicInteger forcing = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong ran = new AtomicLong();
    // Set by the domain owner, read by the reclaimer thread when a callback fails.
    private volatile Consumer<Throwable> failureHandler;
    // Written by stop(); read by the reclaimer thread (volatile, paired with the unpark in stop()).
    private volatile boolean stopping;
    private final Runnable synchronize;
    private final Thread thread;

    Reclaimer(String name, Runnable synchronize, Consumer<Throwable> failureHandler) {
        this.synchronize = synchronize;
        this.failureHandler = failureHandler;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
    }

    void start() {
        thread.start();
    }

    /** Queues {@code callback}; wakes the reclaimer for the first callback of a batch and when a batch is full. */
    void submit(Runnable callback) {
        queue.offer(callback);
        long now = queued.incrementAndGet();
        if (now == 1 || now == BATCH) {
            LockSupport.unpark(thread);
        }
    }

    /** Waits until every callback submitted before this call has run. */
    void drain() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("drain() from an RCU callback would wait for itself");
        }
        CountDownLatch done = new CountDownLatch(1);
        forcing.incrementAndGet();
        try {
            submit(done::countDown);
            LockSupport.unpark(thread);
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // drain() is not interruptible; keep the flag
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            forcing.decrementAndGet();
        }
    }

    /** Runs what is queued, then ends the thread and waits for it. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isReclaimerThread() {
        return Thread.currentThread() == thread;
    }

    void failureHandler(Consumer<Throwable> handler) {
        this.failureHandler = handler;
    }

    long failures() {
        return failures.get();
    }

    long ran() {
        return ran.get();
    }

    long pending() {
        return queued.get();
    }

    @Override
    public void run() {
        while (true) {
            long n = queued.get();
            int delays = 0;
            while (n == 0 || (n < BATCH && delays < MAX_DELAYS && forcing.get() == 0 && !stopping)) {
                if (n == 0) {
                    if (stopping) {
                        return;
                    }
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, DELAY_NS);
                    delays++;
                }
                Thread.interrupted(); // the reclaimer is stopped by stop(), not by interrupts
                n = queued.get();
            }
            queued.addAndGet(-n);
            synchronize.run();
            for (long i = 0; i < n; i++) {
                runOne(take());
            }
        }
    }

    private Runnable take() {
        int spins = 0;
        Runnable callback;
        while ((callback = queue.poll()) == null) {
            // A producer has swapped its node in but not linked it yet.
            if (++spins < 128) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return callback;
    }

    private void runOne(Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            failures.incrementAndGet();
            try {
                failureHandler.accept(t);
            } catch (Throwable ignored) {
                // a failing failure handler must not end the reclaimer either
            }
        } finally {
            ran.incrementAndGet();
        }
    }
}
