package org.guestmem.rcu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A domain's reclaimer thread ({@code call_rcu_thread} in QEMU): waits for callbacks, batches them (runs
 * once {@link #BATCH} are queued, checked every {@link #DELAY_NS}, or after at most {@link #MAX_DELAYS}
 * delays since the first one), waits for a grace period and runs exactly the callbacks counted before it,
 * in FIFO order. A callback that throws is counted and reported to the failure handler; the thread keeps
 * going.
 *
 * <p>What a caller pays: one allocation, one atomic increment, one swap. Like QEMU, a producer wakes the
 * reclaimer only for the first callback after it went idle (and, beyond QEMU, when {@link #HIGH_WATER}
 * callbacks are waiting, so a burst cannot pile up for a whole delay); a batch that fills up is noticed at
 * the next delay tick instead of costing every 30th caller an unpark.
 *
 * <p>Closing: {@link #close()} sets the {@link #CLOSED} bit of {@link #queued} with one atomic add. A
 * producer's increment either comes before it (the callback is counted, and the reclaimer, which stops only
 * when the count is 0, runs it) or sees the bit and is refused: an accepted callback is never lost.
 */
final class Reclaimer implements Runnable {
    static final int BATCH = 30;
    static final long DELAY_NS = 10_000_000L;
    static final int MAX_DELAYS = 5;
    /** Waiting callbacks at which a producer wakes the reclaimer without waiting for the next delay tick. */
    static final long HIGH_WATER = 4096;
    /** Bit of {@link #queued} set by {@link #close()}: later submissions are refused. */
    private static final long CLOSED = 1L << 62;
    private static final Runnable NOTHING = () -> { };

    private final CallbackQueue queue = new CallbackQueue();
    // Callbacks counted and not yet taken into a batch, plus the CLOSED bit: producers increment before they
    // offer (seq_cst), the reclaimer subtracts each batch and then takes exactly that many nodes, waiting for
    // a producer that has counted but not yet linked its node (see take()). close() adds CLOSED (seq_cst):
    // an increment ordered before it is run by the reclaimer, one ordered after it sees the bit.
    private final AtomicLong queued = new AtomicLong();
    // True while the reclaimer is parked with nothing queued. Written by the reclaimer (volatile store, then
    // it re-reads queued before parking); read by producers after their increment of queued. Dekker pair:
    // either the reclaimer sees the increment or the producer sees idle == true and unparks it.
    private volatile boolean idle;
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

    /**
     * Queues {@code callback}; wakes the reclaimer for the first callback after it went idle, and at
     * {@link #HIGH_WATER}. Throws IllegalStateException once {@link #close()} has begun.
     */
    void submit(Runnable callback, Object domain) {
        long before = queued.getAndIncrement();
        if ((before & CLOSED) != 0) {
            queue.offer(NOTHING); // keeps the count and the queue in step; the callback is refused
            throw new IllegalStateException("callRcu() on closed RCU domain " + domain);
        }
        enqueued(callback, before);
    }

    /** {@link #submit} for the domain's own markers (drain, close), which are accepted after close begins. */
    private void submitInternal(Runnable callback) {
        enqueued(callback, queued.getAndIncrement());
    }

    private void enqueued(Runnable callback, long before) {
        queue.offer(callback);
        long waiting = (before & ~CLOSED) + 1;
        if ((waiting == 1 && idle) || waiting == HIGH_WATER) {
            LockSupport.unpark(thread);
        }
    }

    /** Refuses every later {@link #submit}; callbacks accepted before still run (see the class comment). */
    void close() {
        queued.getAndAdd(CLOSED);
    }

    /** Waits until every callback submitted before this call has run. */
    void drain() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("drain() from an RCU callback would wait for itself");
        }
        CountDownLatch done = new CountDownLatch(1);
        forcing.incrementAndGet();
        try {
            submitInternal(done::countDown);
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
        return queued.get() & ~CLOSED;
    }

    @Override
    public void run() {
        while (true) {
            long n = pending();
            int delays = 0;
            while (n == 0 || (n < BATCH && delays < MAX_DELAYS && forcing.get() == 0 && !stopping)) {
                if (n == 0) {
                    if (stopping) {
                        return;
                    }
                    idle = true;
                    if (pending() == 0 && !stopping) { // re-check after publishing idle (see the field)
                        LockSupport.park(this);
                    }
                    idle = false;
                } else {
                    LockSupport.parkNanos(this, DELAY_NS);
                    delays++;
                }
                Thread.interrupted(); // the reclaimer is stopped by stop(), not by interrupts
                n = pending();
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
            // A producer has counted its callback but not yet swapped its node in or linked it.
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
