package org.guestmem.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.host.HostMapping;
import org.guestmem.host.HostMemory;
import org.guestmem.ram.Backing;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The leak check of the soak, both ways: code that gives everything back passes; each kind of deliberate
 * leak (a block left mapped, a memfd fd left open, a thread left running, a C reader left registered) is
 * named in the report.
 */
class HoldingsTest {
    static final long KiB = 1024, MiB = 1024 * KiB;
    static final Duration SHORT = Duration.ofMillis(200);
    static final String NAME = "memfd:guestmem:leakcheck.";

    private static Holdings holdings() {
        return new Holdings(NAME, List.of("leakcheck-"), List.of("gm-reader"));
    }

    private static RamList guest(Rcu rcu, Holdings h) {
        RamList list = new RamList(rcu, 4096);
        RamBlock mem = list.add(new RamBlockSpec("leakcheck.mem", 2 * MiB, 2 * MiB, Backing.memfd(), EnumSet.noneOf(RamBlock.Flag.class)));
        RamBlock anon = list.add(RamBlockSpec.of("leakcheck.anon", 4 * MiB));
        for (RamBlock b : List.of(mem, anon)) {
            b.segment().fill((byte) 0x5a); // resident: a leak of these pages must show
            h.watch(b.hostAddress(), b.maxLength());
        }
        return list;
    }

    @Test
    void aClosedGuestLeavesNothing() throws Exception {
        Holdings h = holdings();
        Holdings.Snapshot before = h.now();
        long resident;
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE)) {
            RamList list = guest(rcu, h);
            Holdings.Snapshot alive = h.now();
            assertEquals(before.memfdMappings() + 1, alive.memfdMappings(), alive.toString());
            assertEquals(before.memfdFds() + 1, alive.memfdFds(), alive.toString());
            resident = alive.residentKiB();
            assertTrue(resident >= 6 * 1024, "the filled blocks are resident: " + alive);
            list.close();
        }
        assertEquals(List.of(), h.leaksSince(before, resident, Duration.ofSeconds(10)));
    }

    @Test
    void aGuestLeftOpenIsReportedByMappingFdAndResidentPages() throws Exception {
        Holdings h = holdings();
        Holdings.Snapshot before = h.now();
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE)) {
            RamList list = guest(rcu, h);
            long resident = h.now().residentKiB();
            List<String> leaks = h.leaksSince(before, resident, SHORT); // the deliberate leak: list not closed
            assertEquals(3, leaks.size(), leaks.toString());
            assertTrue(leaks.get(0).startsWith("1 mappings of a '" + NAME + "' memfd"), leaks.toString());
            assertTrue(leaks.get(1).startsWith("1 fds of a '" + NAME + "' memfd"), leaks.toString());
            assertTrue(leaks.get(2).contains("KiB still resident in the guest blocks' ranges"), leaks.toString());
            list.close();
        }
    }

    @Test
    void aMemfdLeftOpenIsReported() throws Exception {
        Holdings h = holdings();
        Holdings.Snapshot before = h.now();
        HostMapping m = HostMemory.memfd("guestmem:leakcheck.raw", MiB, HostMemory.DEFAULT_OPTIONS);
        try {
            List<String> leaks = h.leaksSince(before, 0, SHORT);
            assertEquals(List.of("1 mappings of a '" + NAME + "' memfd", "1 fds of a '" + NAME + "' memfd"), leaks);
        } finally {
            m.close();
        }
        assertEquals(List.of(), h.leaksSince(before, 0, Duration.ofSeconds(10)));
    }

    @Test
    void aThreadLeftRunningIsReportedUntilItEnds() throws Exception {
        Holdings h = holdings();
        Holdings.Snapshot before = h.now();
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().name("leakcheck-worker").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(List.of("1 threads named leakcheck-*"), h.leaksSince(before, 0, SHORT));
        release.countDown(); // the bounded wait sees it end
        assertEquals(List.of(), h.leaksSince(before, 0, Duration.ofSeconds(10)));
        t.join();
    }

    @Test
    void aCReaderLeftRunningHoldsItsThreadAndSlot() throws Exception {
        Holdings h = holdings();
        Holdings.Snapshot before = h.now();
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE)) {
            RamList list = new RamList(rcu, 4096);
            list.add(RamBlockSpec.of("leakcheck.c", MiB));
            CReaders readers = CReaders.start(rcu.readerTable(), list.nativeTable().root(), MiB, 2, 7);
            try {
                assertEquals(List.of("2 threads named os:gm-reader*"), h.leaksSince(before, 0, SHORT));
                assertEquals(2, waitForSlots(rcu, 2));
            } finally {
                readers.stop();
            }
            assertEquals(0, Holdings.heldSlots(rcu, RcuReaderTableDescriptor.OWNER_KIND_C));
            assertEquals(List.of(), h.leaksSince(before, 0, Duration.ofSeconds(10)));
            list.close();
        }
    }

    /** The C readers register from their own threads: wait (bounded) until {@code n} C slots are held. */
    private static long waitForSlots(Rcu rcu, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L, held;
        while ((held = Holdings.heldSlots(rcu, RcuReaderTableDescriptor.OWNER_KIND_C)) < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return held;
    }
}
