package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Registration: dead threads, a full table, virtual threads, QSBR online/offline. */
class ReaderThreadsTest {
    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aThreadThatDiedInsideASectionDoesNotBlockSynchronize(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            Thread leaker = Thread.ofPlatform().start(() -> rcu.read()); // opens a section, never closes it
            leaker.join();
            CompletableFuture.runAsync(rcu::synchronize).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aQsbrThreadThatDiedOnlineDoesNotBlockSynchronize() throws Exception {
        try (Rcu rcu = Domains.open(Rcu.Flavor.QSBR)) {
            Thread vcpu = Thread.ofPlatform().start(() -> {
                rcu.registerThread(); // online, and it will never announce a quiescent state again
                rcu.quiescentState();
            });
            vcpu.join();
            CompletableFuture.runAsync(rcu::synchronize).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLiveQsbrThreadThatIsOnlineHoldsTheGracePeriodUntilItsQuiescentState() throws Exception {
        try (Rcu rcu = Domains.open(Rcu.Flavor.QSBR)) {
            CountDownLatch online = new CountDownLatch(1);
            CountDownLatch announce = new CountDownLatch(1);
            Thread vcpu = Thread.ofPlatform().start(() -> {
                rcu.registerThread();
                assertTrue(rcu.inReadSection(), "an online QSBR thread is always in its extended section");
                online.countDown();
                ReadSectionTest.await(announce);
                rcu.quiescentState();
                rcu.threadOffline();
                assertFalse(rcu.inReadSection());
                rcu.unregisterThread();
            });
            assertTrue(online.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> gp = CompletableFuture.runAsync(rcu::synchronize);
            Thread.sleep(50);
            assertFalse(gp.isDone(), "synchronize() returned before the online thread's quiescent state");
            announce.countDown();
            gp.get(10, TimeUnit.SECONDS);
            vcpu.join();
        }
    }

    @Test
    void anOnlineQsbrThreadMaySynchronizeItself() throws Exception {
        try (Rcu rcu = Domains.open(Rcu.Flavor.QSBR)) {
            CompletableFuture.runAsync(() -> {
                rcu.registerThread();
                rcu.synchronize(); // goes offline while it waits, online again after
                assertTrue(rcu.inReadSection());
                rcu.unregisterThread();
            }).get(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aFullTableIsAClearErrorAndDeadThreadsAreReaped(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor, 2)) {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch registered = new CountDownLatch(2);
            Thread[] holders = new Thread[2];
            for (int i = 0; i < 2; i++) {
                holders[i] = Thread.ofPlatform().start(() -> {
                    rcu.registerThread();
                    rcu.threadOffline();
                    registered.countDown();
                    ReadSectionTest.await(hold);
                });
            }
            assertTrue(registered.await(10, TimeUnit.SECONDS));
            IllegalStateException full = assertThrows(IllegalStateException.class, rcu::read);
            assertTrue(full.getMessage().contains("all 2 slots"), full.getMessage());
            hold.countDown();
            for (Thread t : holders) {
                t.join(); // they die registered
            }
            try (ReadSection s = rcu.read()) { // reaps a dead thread's slot
                assertTrue(rcu.inReadSection());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void virtualThreadsReadAndTheirSlotsAreReapedWhenTheyEnd(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor, 8)) {
            AtomicInteger ok = new AtomicInteger();
            for (int round = 0; round < 4; round++) { // 4 x 8 virtual threads through 8 slots
                CountDownLatch started = new CountDownLatch(8);
                Thread[] vts = new Thread[8];
                for (int i = 0; i < 8; i++) {
                    vts[i] = Thread.ofVirtual().start(() -> {
                        try (ReadSection s = rcu.read()) {
                            started.countDown();
                            awaitBriefly(started);
                            Thread.yield(); // may move to another carrier inside the section
                            if (rcu.inReadSection()) {
                                ok.incrementAndGet();
                            }
                        }
                    });
                }
                rcu.synchronize();
                for (Thread t : vts) {
                    assertTrue(t.join(java.time.Duration.ofSeconds(10)), "virtual reader did not finish");
                }
            }
            assertEquals(32, ok.get(), "every virtual thread got a slot (dead ones reaped) and saw its section");
        }
    }

    private static void awaitBriefly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aClosedDomainRefusesWorkClearly(Rcu.Flavor flavor) {
        Rcu rcu = Domains.open(flavor);
        rcu.close();
        rcu.close(); // idempotent
        assertThrows(IllegalStateException.class, rcu::synchronize);
        assertThrows(IllegalStateException.class, () -> rcu.callRcu(() -> { }));
        assertThrows(IllegalStateException.class, rcu::read);
        rcu.drain(); // nothing left to wait for
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aHandleKeptPastUnregisterIsRefusedAndNeverTouchesTheSlotAgain(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            RcuReader stale = rcu.reader();
            rcu.unregisterThread();
            IllegalStateException e = assertThrows(IllegalStateException.class, stale::read);
            assertTrue(e.getMessage().contains("after unregisterThread()"), e.getMessage());
            try (ReadSection s = rcu.read()) { // a fresh registration works
                assertTrue(rcu.inReadSection());
            }
        }
    }

    @Test
    void theGlobalDomainIsFenceAndCannotBeClosed() {
        Rcu g = Rcu.global();
        assertEquals(Rcu.Flavor.FENCE, g.flavor());
        assertThrows(IllegalStateException.class, g::close);
        try (ReadSection s = g.read()) {
            assertTrue(g.inReadSection());
        }
        g.synchronize();
    }

    @Test
    void badArgumentsNameTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rcu.create(Rcu.Flavor.FENCE, 0));
        assertTrue(e.getMessage().contains("maxReaders"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Rcu.create(null));
    }

    @Test
    void membarrierIsEitherUsableOrRefusedWithTheReason() {
        String problem = MembarrierSupport.problem();
        if (problem == null) {
            try (Rcu rcu = Rcu.create(Rcu.Flavor.MEMBARRIER)) {
                rcu.synchronize();
            }
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Rcu.create(Rcu.Flavor.MEMBARRIER));
            assertTrue(e.getMessage().contains(problem), e.getMessage());
        }
    }
}
