package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** callRcu: FIFO, after a grace period, drain, failing callbacks, batching; for every flavor. */
class CallRcuTest {
    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void callbacksRunInFifoOrderAndDrainWaitsForAll(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            List<Integer> ran = new ArrayList<>(); // reclaimer thread only, read after drain()
            for (int i = 0; i < 1000; i++) {
                int n = i;
                rcu.callRcu(() -> ran.add(n));
            }
            rcu.drain();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                expected.add(i);
            }
            assertEquals(expected, ran);
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void eachProducersCallbacksStayInOrder(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            int producers = 4;
            int each = 2000;
            List<long[]> ran = new CopyOnWriteArrayList<>();
            CompletableFuture<?>[] tasks = new CompletableFuture<?>[producers];
            for (int p = 0; p < producers; p++) {
                int id = p;
                tasks[p] = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < each; i++) {
                        long[] item = {id, i};
                        rcu.callRcu(() -> ran.add(item));
                    }
                });
            }
            CompletableFuture.allOf(tasks).get(30, TimeUnit.SECONDS);
            rcu.drain();
            assertEquals(producers * each, ran.size());
            int[] next = new int[producers];
            for (long[] item : ran) {
                assertEquals(next[(int) item[0]]++, item[1], "producer " + item[0] + " out of order");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aCallbackWaitsForSectionsOpenWhenItWasQueued(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            CountDownLatch inSection = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            AtomicBoolean sectionOpen = new AtomicBoolean(true);
            Thread reader = Thread.ofPlatform().start(() -> {
                try (ReadSection s = rcu.read()) {
                    inSection.countDown();
                    ReadSectionTest.await(leave);
                    sectionOpen.set(false);
                }
            });
            assertTrue(inSection.await(10, TimeUnit.SECONDS));
            AtomicBoolean ranWhileOpen = new AtomicBoolean();
            CountDownLatch ran = new CountDownLatch(1);
            rcu.callRcu(() -> {
                ranWhileOpen.set(sectionOpen.get());
                ran.countDown();
            });
            assertFalse(ran.await(100, TimeUnit.MILLISECONDS), "the callback ran while a reader section was open");
            leave.countDown();
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertFalse(ranWhileOpen.get());
            reader.join();
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aThrowingCallbackIsReportedAndTheReclaimerGoesOn(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            AtomicReference<Throwable> reported = new AtomicReference<>();
            rcu.onCallbackFailure(reported::set);
            AtomicInteger after = new AtomicInteger();
            RuntimeException boom = new RuntimeException("boom");
            rcu.callRcu(() -> {
                throw boom;
            });
            rcu.callRcu(() -> {
                throw new AssertionError("an Error too");
            });
            rcu.callRcu(after::incrementAndGet);
            rcu.drain();
            assertEquals(2, rcu.callbackFailures());
            assertTrue(reported.get() instanceof AssertionError, String.valueOf(reported.get()));
            assertEquals(1, after.get(), "the callback after the failing ones ran");
            rcu.callRcu(after::incrementAndGet);
            rcu.drain();
            assertEquals(2, after.get(), "the reclaimer still runs callbacks");
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void drainAndCloseFromACallbackAreRefused(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            AtomicReference<Throwable> drain = new AtomicReference<>();
            AtomicReference<Throwable> close = new AtomicReference<>();
            rcu.callRcu(() -> drain.set(assertThrows(IllegalStateException.class, rcu::drain)));
            rcu.callRcu(() -> close.set(assertThrows(IllegalStateException.class, rcu::close)));
            rcu.drain();
            assertTrue(drain.get().getMessage().contains("wait for itself"), drain.get().getMessage());
            assertTrue(close.get().getMessage().contains("own callbacks"), close.get().getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void callbacksRunOnTheReclaimerThreadInBatches(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            AtomicReference<Thread> runner = new AtomicReference<>();
            CountDownLatch one = new CountDownLatch(1);
            rcu.callRcu(() -> {
                runner.set(Thread.currentThread());
                one.countDown();
            });
            // A lone callback still runs (after the batching delays, about 50 ms), without drain().
            assertTrue(one.await(10, TimeUnit.SECONDS));
            assertTrue(runner.get().getName().startsWith("rcu-reclaimer-"), runner.get().getName());
            long before = rcu.gracePeriods();
            CountDownLatch batch = new CountDownLatch(Reclaimer.BATCH * 4);
            for (int i = 0; i < Reclaimer.BATCH * 4; i++) {
                rcu.callRcu(batch::countDown);
            }
            assertTrue(batch.await(10, TimeUnit.SECONDS));
            long used = rcu.gracePeriods() - before;
            assertTrue(used >= 1 && used < Reclaimer.BATCH * 4, "120 callbacks took " + used + " grace periods");
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void closeRunsWhatIsQueued(Rcu.Flavor flavor) {
        Rcu rcu = Domains.open(flavor);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            rcu.callRcu(ran::incrementAndGet);
        }
        rcu.close();
        assertEquals(10, ran.get());
    }

    /**
     * callRcu() racing close(): every call that returned normally had its callback run by the time close()
     * returned, every other call was refused with IllegalStateException; nothing accepted is lost. Run
     * many times so the producers' increments land on both sides of close()'s.
     */
    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void callRcuRacingCloseLosesNothingItAccepted(Rcu.Flavor flavor) throws Exception {
        int producers = 3;
        long refusedTotal = 0;
        long acceptedTotal = 0;
        for (int round = 0; round < 40; round++) {
            Rcu rcu = Domains.open(flavor);
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(producers);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    while (true) {
                        try {
                            rcu.callRcu(ran::incrementAndGet);
                            accepted.incrementAndGet();
                        } catch (IllegalStateException e) {
                            if (!e.getMessage().contains("closed RCU domain")) {
                                unexpected.set(e);
                            }
                            refused.incrementAndGet();
                            return;
                        } catch (Throwable t) {
                            unexpected.set(t);
                            return;
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(1);
            rcu.close();
            int ranAtClose = ran.get();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(null, unexpected.get());
            assertEquals(producers, refused.get(), "every producer ends refused");
            assertEquals(accepted.get(), ranAtClose, "callbacks accepted before close() ran by the time it returned");
            assertEquals(accepted.get(), ran.get(), "and nothing ran twice or late");
            acceptedTotal += accepted.get();
            refusedTotal += refused.get();
        }
        assertTrue(acceptedTotal > 0 && refusedTotal > 0, acceptedTotal + " accepted, " + refusedTotal + " refused");
    }
}
