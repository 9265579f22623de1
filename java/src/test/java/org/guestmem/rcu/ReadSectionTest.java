package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Nesting, misuse, and the grace period waiting for the outermost section, for every flavor. */
class ReadSectionTest {
    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void sectionsNestAndTheCachedSectionIsReturned(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            assertFalse(rcu.inReadSection());
            try (ReadSection outer = rcu.read()) {
                assertTrue(rcu.inReadSection());
                try (ReadSection inner = rcu.read()) {
                    assertSame(outer, inner, "read() returns the thread's cached section object");
                    assertTrue(rcu.inReadSection());
                }
                assertTrue(rcu.inReadSection(), "closing the inner section leaves the outer one open");
            }
            assertFalse(rcu.inReadSection());
        }
    }

    /**
     * Rcu.read() finds a thread's reader by its id below 1024 and through the thread-local above: on both
     * paths it returns the handle {@code reader()} gives, and after unregisterThread() a new registration, never
     * the unregistered handle (which refuses sections).
     */
    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void readFindsTheThreadsOwnReaderByIdAndThroughTheThreadLocal(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            Runnable body = () -> {
                RcuReader first;
                try (ReadSection s = rcu.read()) {
                    first = rcu.reader();
                    assertSame(first, s, "read() returns the handle reader() gives");
                }
                rcu.unregisterThread();
                assertThrows(IllegalStateException.class, first::read, "an unregistered handle refuses sections");
                try (ReadSection s = rcu.read()) {
                    assertTrue(s != first, "read() after unregisterThread() registers anew");
                    assertSame(rcu.reader(), s);
                }
                rcu.unregisterThread();
            };
            body.run(); // this thread: an id below 1024 in a fresh test JVM, or the thread-local otherwise
            Thread high;
            do {
                high = new Thread(body, "high-id-reader"); // ids only grow; unstarted threads cost no OS thread
            } while (high.threadId() < 1024);
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            high.setUncaughtExceptionHandler((t, e) -> failure.complete(e));
            high.start();
            high.join(10_000);
            assertFalse(high.isAlive());
            assertTrue(!failure.isDone(), () -> "the high-id thread failed: " + failure.join());
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void misuseIsRefusedWithAClearError(Rcu.Flavor flavor) {
        try (Rcu rcu = Domains.open(flavor)) {
            ReadSection s = rcu.read();
            IllegalStateException e = assertThrows(IllegalStateException.class, rcu::synchronize);
            assertTrue(e.getMessage().contains("would wait for itself"), e.getMessage());
            assertThrows(IllegalStateException.class, rcu::unregisterThread);
            assertThrows(IllegalStateException.class, rcu::close);
            if (flavor == Rcu.Flavor.QSBR) {
                assertThrows(IllegalStateException.class, rcu::quiescentState);
            }
            s.close();
            IllegalStateException twice = assertThrows(IllegalStateException.class, s::close);
            assertTrue(twice.getMessage().contains("without a matching read()"), twice.getMessage());
            rcu.synchronize(); // fine again outside
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void synchronizeWaitsForTheOutermostSectionOnly(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            CountDownLatch innerClosed = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().start(() -> {
                try (ReadSection outer = rcu.read()) {
                    try (ReadSection inner = rcu.read()) {
                        // nested
                    }
                    innerClosed.countDown();
                    await(release);
                }
            });
            assertTrue(innerClosed.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> gp = CompletableFuture.runAsync(rcu::synchronize);
            Thread.sleep(50);
            assertFalse(gp.isDone(), "synchronize() returned while the outer section was still open");
            release.countDown();
            gp.get(10, TimeUnit.SECONDS);
            reader.join();
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aSynchronizeQueuedBehindARunningGracePeriodStillWaitsForSectionsOpenAtItsCall(Rcu.Flavor flavor)
            throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            CountDownLatch r1In = new CountDownLatch(1);
            CountDownLatch r1Out = new CountDownLatch(1);
            CountDownLatch r2In = new CountDownLatch(1);
            CountDownLatch r2Out = new CountDownLatch(1);
            Thread r1 = Thread.ofPlatform().start(() -> {
                try (ReadSection s = rcu.read()) {
                    r1In.countDown();
                    await(r1Out);
                }
            });
            try {
                assertTrue(r1In.await(10, TimeUnit.SECONDS));
                long gp0 = gpCtr(rcu);
                CompletableFuture<Void> first = CompletableFuture.runAsync(rcu::synchronize); // waits for r1
                // r2 must open after the first grace period began (its GP-2), or the first waits for r2 too; on a
                // busy machine the pool thread may start late, so wait for GP-2 itself rather than a fixed sleep
                for (long deadline = System.nanoTime() + 10_000_000_000L; gpCtr(rcu) == gp0 && System.nanoTime() < deadline;) {
                    Thread.sleep(1);
                }
                assertTrue(gpCtr(rcu) != gp0, "the first synchronize() did not reach GP-2 in 10 s");
                Thread r2 = Thread.ofPlatform().start(() -> { // opens after the first grace period began
                    try (ReadSection s = rcu.read()) {
                        r2In.countDown();
                        await(r2Out);
                    }
                });
                assertTrue(r2In.await(10, TimeUnit.SECONDS));
                CompletableFuture<Void> second = CompletableFuture.runAsync(rcu::synchronize); // must wait for r2
                r1Out.countDown();
                first.get(10, TimeUnit.SECONDS);
                Thread.sleep(50);
                assertFalse(second.isDone(), "the second synchronize() returned while a section open at its call was open");
                r2Out.countDown();
                second.get(10, TimeUnit.SECONDS);
                r1.join();
                r2.join();
            } finally {
                r1Out.countDown(); // a failed assertion must not leave a section open: close() would wait for it
                r2Out.countDown();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void sectionsOpenedAfterSynchronizeStartedDoNotDelayIt(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            // One reader opens and closes sections back to back for the whole test: every one of its
            // sections is short, so each grace period ends although a section is open almost always.
            CountDownLatch stop = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().start(() -> {
                while (stop.getCount() > 0) {
                    try (ReadSection s = rcu.read()) {
                        Thread.onSpinWait();
                    }
                }
            });
            for (int i = 0; i < 100; i++) {
                rcu.synchronize();
            }
            assertTrue(rcu.gracePeriods() >= 100);
            stop.countDown();
            reader.join();
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void theFastPathAllocatesNothing(Rcu.Flavor flavor) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Rcu rcu = Domains.open(flavor)) {
            for (int i = 0; i < 20_000; i++) { // warm up (and register)
                try (ReadSection s = rcu.read()) {
                    rcu.inReadSection();
                }
            }
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200_000; i++) {
                try (ReadSection s = rcu.read(); ReadSection nested = rcu.read()) {
                    rcu.inReadSection();
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < 64 * 1024, "200000 read sections allocated " + allocated + " bytes");
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void aReaderHandleIsConfinedToItsThread(Rcu.Flavor flavor) throws Exception {
        try (Rcu rcu = Domains.open(flavor)) {
            RcuReader mine = rcu.reader();
            try (ReadSection s = mine.read()) {
                assertTrue(rcu.inReadSection());
            }
            CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
                try {
                    mine.read();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertEquals(WrongThreadException.class, other.get(10, TimeUnit.SECONDS).getClass());
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** GP_CTR of the domain's reader table (acquire: pairs with GP-2's release store). */
    private static long gpCtr(Rcu rcu) {
        return (long) RcuReaderTableDescriptor.WORD.getAcquire(rcu.readerTable(), RcuReaderTableDescriptor.GP_CTR_OFFSET);
    }
}
