package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * QEMU's test-rcu-list, re-implemented from its description, on {@link RcuList}: readers walk the list inside
 * read sections; one updater removes and inserts at random positions and reclaims removed nodes with callRcu.
 * Checked: no reader ever stands on a reclaimed node, and at the end removed == reclaimed.
 */
class RcuListTortureTest {
    private static final int QUEUE_LEN = 100;
    private static final Duration QUICK = Domains.duration(Duration.ofMillis(300), Duration.ofSeconds(5));

    /** A list element; {@code reclaimed} is set by the reclaim callback and checked by readers (opaque). */
    static final class Element {
        final AtomicBoolean reclaimed = new AtomicBoolean();
    }

    static final class Run {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong sawReclaimed = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        final AtomicLong reclaimed = new AtomicLong();
        final AtomicLong inserted = new AtomicLong();
        long seed;

        @Override
        public String toString() {
            return "seed " + seed + ", nodes read: " + reads + ", inserted: " + inserted + ", removed: " + removed + ", reclaimed: "
                    + reclaimed + ", reclaimed nodes seen by readers: " + sawReclaimed;
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void singleThreadedFewAndMany(Rcu.Flavor flavor) throws InterruptedException {
        try (Rcu rcu = Domains.open(flavor)) {
            for (int readers : new int[] {1, 5, Domains.LONG ? 20 : 8}) {
                Run run = run(rcu, readers, QUICK, 100_000, (r, reclaim) -> rcu.callRcu(reclaim));
                System.out.println("rcu-list " + flavor + " " + readers + " readers: " + run);
                assertEquals(0, run.sawReclaimed.get(), "a reader stood on a reclaimed node: " + run);
                assertEquals(run.removed.get(), run.reclaimed.get(), "removed != reclaimed: " + run);
                assertTrue(run.reads.get() > 0 && run.removed.get() > QUEUE_LEN, run.toString());
            }
        }
    }

    @Test
    void reclaimingWithoutAGracePeriodIsDetected() throws InterruptedException {
        try (Rcu rcu = Domains.open(Rcu.Flavor.FENCE)) {
            long seen = 0;
            for (int attempt = 0; attempt < 5 && seen == 0; attempt++) {
                // No grace period before reclaiming; readers walk back to back so that one is on the list.
                Run run = run(rcu, 4, Duration.ofMillis(300), 0, (r, reclaim) -> reclaim.run());
                System.out.println("rcu-list with immediate reclaim: " + run);
                seen = run.sawReclaimed.get();
            }
            assertTrue(seen > 0, "reclaiming before the grace period went unnoticed");
        }
    }

    /**
     * One test-rcu-list run: readers pause {@code pauseNanos} between walks (QEMU: 100 µs); {@code reclaimer}
     * hands a removed node's reclaim action to RCU (or breaks the protocol).
     */
    static Run run(Rcu rcu, int nReaders, Duration duration, long pauseNanos, BiConsumer<Rcu, Runnable> reclaimer)
            throws InterruptedException {
        long seed = System.nanoTime();
        Run run = new Run();
        run.seed = seed;
        ReentrantLock updaterLock = new ReentrantLock();
        RcuList<Element> list = new RcuList<>(updaterLock);
        updaterLock.lock();
        try {
            for (int i = 0; i < QUEUE_LEN; i++) {
                list.insertHead(new Element());
            }
        } finally {
            updaterLock.unlock();
        }
        AtomicBoolean stop = new AtomicBoolean();
        boolean qsbr = rcu.flavor() == Rcu.Flavor.QSBR;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < nReaders; i++) {
            threads.add(Thread.ofPlatform().name("rcu-list-reader-" + i).start(() -> {
                if (qsbr) {
                    rcu.registerThread();
                }
                long n = 0;
                while (!stop.get()) {
                    try (ReadSection s = rcu.read()) {
                        RcuList.Node<Element> e = list.first();
                        while (e != null && !stop.get()) {
                            RcuList.Node<Element> next = e.next();
                            // Checked after using the node (its link): it must still be unreclaimed.
                            if (e.value().reclaimed.getOpaque()) {
                                run.sawReclaimed.incrementAndGet();
                            }
                            n++;
                            e = next;
                        }
                    }
                    if (pauseNanos > 0) {
                        rcu.threadOffline(); // QSBR: going to sleep, so as not to hold grace periods while blocked
                        LockSupport.parkNanos(pauseNanos);
                        rcu.threadOnline();
                    } else {
                        rcu.quiescentState();
                    }
                }
                rcu.unregisterThread();
                run.reads.addAndGet(n);
            }));
        }
        Thread updater = Thread.ofPlatform().name("rcu-list-updater").start(() -> {
            SplittableRandom random = new SplittableRandom(seed);
            while (!stop.get()) {
                updaterLock.lock();
                try {
                    removeAt(list, random.nextInt(QUEUE_LEN), run, rcu, reclaimer);
                    int target = random.nextInt(QUEUE_LEN);
                    int j = 0;
                    RcuList.Node<Element> e = list.first();
                    while (e != null && ++j != target) {
                        e = e.next();
                    }
                    // QEMU inserts only when the target exists; inserting at the head otherwise keeps this
                    // faster loop from draining the list to empty.
                    if (e != null) {
                        list.insertAfter(e, new Element());
                    } else {
                        list.insertHead(new Element());
                    }
                    run.inserted.incrementAndGet();
                } finally {
                    updaterLock.unlock();
                }
                rcu.synchronize();
            }
        });
        threads.add(updater);
        Thread.sleep(duration);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        updaterLock.lock();
        try {
            while (list.first() != null) {
                removeAt(list, 1, run, rcu, reclaimer);
            }
        } finally {
            updaterLock.unlock();
        }
        rcu.drain();
        return run;
    }

    private static void removeAt(RcuList<Element> list, int target, Run run, Rcu rcu, BiConsumer<Rcu, Runnable> reclaimer) {
        int j = 0;
        for (RcuList.Node<Element> e = list.first(); e != null; e = e.next()) {
            if (++j == target) {
                list.remove(e);
                run.removed.incrementAndGet();
                Element victim = e.value();
                reclaimer.accept(rcu, () -> {
                    victim.reclaimed.setOpaque(true);
                    run.reclaimed.incrementAndGet();
                });
                return;
            }
        }
    }
}
