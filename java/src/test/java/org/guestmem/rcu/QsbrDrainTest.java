package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A registered, online QSBR thread may drain and close its domain: it must not wait for itself. */
class QsbrDrainTest {
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void drainAndCloseFromAnOnlineQsbrThreadReturn() {
        Rcu rcu = Rcu.create(Rcu.Flavor.QSBR);
        rcu.registerThread();
        AtomicInteger ran = new AtomicInteger();
        rcu.callRcu(ran::incrementAndGet);
        rcu.drain();
        assertEquals(1, ran.get(), "the callback ran before drain() returned");
        rcu.quiescentState();                 // still registered and online afterwards
        rcu.callRcu(ran::incrementAndGet);
        rcu.close();
        assertEquals(2, ran.get(), "close() drained the queue");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void drainInsideAReadSectionIsRefused() {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE)) {
            try (ReadSection s = rcu.read()) {
                assertThrows(IllegalStateException.class, rcu::drain);
            }
        }
    }
}
