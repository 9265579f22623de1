package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Test;

/**
 * ORDERING.md's subtle case: a reader finds block X on the list and stores it into mruBlock after the
 * updater removed X and cleared mruBlock. The stale pointer outlives X's grace period. RamList makes it
 * harmless (an MRU hit on a removed block is a miss); the broken variant that trusts the entry returns a
 * reclaimed block for an address that now belongs to another block.
 */
class MruRaceTest {
    static final long MiB = 1 << 20;

    /** Forces the interleaving: the updater frees X exactly between the reader's search and its MRU store. */
    RamBlock raceOnce(boolean trustStaleMru) throws Exception {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList list = new RamList(rcu, 4096, trustStaleMru)) {
            list.add(RamBlockSpec.of("low", MiB));
            RamBlock x = list.add(RamBlockSpec.of("x", MiB));
            long addr = x.offset() + 100;
            CountDownLatch searched = new CountDownLatch(1), freed = new CountDownLatch(1);
            list.beforeMruStore = () -> {
                searched.countDown();
                await(freed);
            };
            Thread reader = Thread.ofPlatform().start(() -> {
                try (ReadSection s = rcu.read()) {
                    assertSame(x, list.lookup(addr));   // stores X into mruBlock after the updater's clear
                }
            });
            await(searched);
            list.free(x);                               // W-2-1..W-2-3 while the reader holds X (clears mruBlock)
            RamBlock y = list.add(RamBlockSpec.of("y", MiB)); // the add clears mruBlock too, before the reader's store
            assertEquals(x.offset(), y.offset(), "Y reuses X's place in the RAM-address space");
            freed.countDown();
            reader.join();                              // the reader stored the removed X into mruBlock
            list.beforeMruStore = null;
            rcu.drain();                                // X's grace period ended: X is unmapped
            assertTrue(!x.isMapped(), "X was reclaimed");
            try (ReadSection s = rcu.read()) {
                return list.lookup(addr);
            }
        }
    }

    @Test
    void staleMruEntryIsHarmless() throws Exception {
        RamBlock found = raceOnce(false);
        assertEquals("y", found.name(), "the lookup finds the live block Y, not the stale X");
    }

    @Test
    void brokenVariantThatTrustsTheStaleEntryReturnsTheReclaimedBlock() throws Exception {
        RamBlock found = raceOnce(true);
        assertEquals("x", found.name(), "the check bites: without it the reclaimed X is returned for Y's address");
        assertTrue(found.isRemoved() && !found.isMapped());
    }

    /**
     * The race run millions of times without forcing: readers look up an address whose block is freed and
     * re-added over and over; a reader must never get a block whose memory is gone, and after each re-add
     * a fresh section must find the new block.
     */
    @Test
    void millionsOfLookupsAcrossRepeatedFreeAndAddNeverSeeAReclaimedBlock() throws Exception {
        long lookupsWanted = Long.getLong("guestmem.mru.lookups", 2_000_000L);
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList list = new RamList(rcu, 4096)) {
            list.add(RamBlockSpec.of("low", 256 * 1024));
            RamBlock first = list.add(RamBlockSpec.of("hot", 256 * 1024));
            long addr = first.offset() + 8;
            AtomicLong lookups = new AtomicLong(), misses = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] readers = new Thread[3];
            for (int t = 0; t < readers.length; t++) {
                readers[t] = Thread.ofPlatform().start(() -> {
                    try {
                        while (lookups.get() < lookupsWanted && failure.get() == null) {
                            for (int i = 0; i < 1000; i++) {
                                try (ReadSection s = rcu.read()) {
                                    RamBlock b;
                                    try {
                                        b = list.lookup(addr);
                                    } catch (IllegalArgumentException gone) {
                                        misses.incrementAndGet();    // between free and add: no block there
                                        continue;
                                    }
                                    b.segment().get(ValueLayout.JAVA_LONG, 8);   // throws if reclaimed
                                }
                            }
                            lookups.addAndGet(1000);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            int rounds = 0;
            while (lookups.get() < lookupsWanted && failure.get() == null) {
                list.free(list.block("hot"));
                RamBlock again = list.add(RamBlockSpec.of("hot", 256 * 1024));
                assertEquals(first.offset(), again.offset());
                try (ReadSection s = rcu.read()) {
                    assertSame(again, list.lookup(addr), "a section after the add finds the new block");
                }
                rounds++;
            }
            for (Thread r : readers) {
                r.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader failed after " + lookups.get() + " lookups, " + rounds + " rounds", failure.get());
            }
            assertTrue(rounds > 10, "the updater raced the readers " + rounds + " times");
            System.out.printf("MRU race: %d lookups, %d free/add rounds, %d misses between free and add%n", lookups.get(), rounds, misses.get());
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
