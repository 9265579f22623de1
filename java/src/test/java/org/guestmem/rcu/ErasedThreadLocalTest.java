package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ForkJoinPool's common-pool workers erase their thread-locals between tasks; a worker that reads in many
 * tasks keeps the one slot it registered (found by the soak run: before the fix every task took a new
 * slot and a 256-slot domain was full after ~250 in-process migrations).
 */
class ErasedThreadLocalTest {
    @Test
    void aWorkerWhoseThreadLocalsAreErasedKeepsOneSlot() throws Exception {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE, 4)) {
            int tasks = 4 * ForkJoinPool.getCommonPoolParallelism() + 64;
            for (int i = 0; i < tasks; i++) {
                CompletableFuture.runAsync(() -> {
                    try (ReadSection s = rcu.read()) {
                        assertTrue(rcu.inReadSection());
                    }
                }).get(10, TimeUnit.SECONDS);
            }
            rcu.synchronize();
            assertTrue(rcu.registeredJavaSlots() <= ForkJoinPool.getCommonPoolParallelism() + 1,
                    "slots held: " + rcu.registeredJavaSlots());
        }
    }

    @Test
    void aThreadThatRegistersAgainGetsTheSameRegistration() {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE, 4)) {
            RcuReader r = rcu.reader();
            assertSame(r, rcu.reader());
            rcu.unregisterThread();
            RcuReader again = rcu.reader();
            assertEquals(1, rcu.registeredJavaSlots());
            assertTrue(again != r, "after unregisterThread a new registration");
            rcu.unregisterThread();
        }
    }
}
