package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.host.Membarrier;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * C readers (their words in the domain's off-heap table) and Java readers (their words on the heap) in one
 * domain, under every flavor, while a Java updater adds, resizes and frees blocks: every grace period must
 * wait for both kinds. The Java readers use GuestMemory's scalar accessors, which reach guest RAM at the
 * block's host address with no liveness check of their own, and the C readers translate through the native
 * block table: an access of either to a reclaimed (unmapped) block would crash the JVM. Passing means none
 * happened.
 */
class MixedReadersTest {
    static final long KiB = 1024;

    @ParameterizedTest
    @EnumSource(Rcu.Flavor.class)
    void cAndJavaReadersShareOneDomain(Rcu.Flavor flavor) throws Exception {
        Assumptions.assumeTrue(flavor != Rcu.Flavor.MEMBARRIER || Membarrier.available(), "membarrier(2) is not available here");
        long millis = Long.getLong("guestmem.mixed.millis", 1000);
        try (Rcu rcu = Rcu.create(flavor); RamList list = new RamList(rcu, 4096)) {
            rcu.registerThread();
            RamBlock stable = list.add(RamBlockSpec.of("stable", 256 * KiB));
            for (int i = 0; i < 6; i++) {
                list.add(RamBlockSpec.resizeable("churn-" + i, 64 * KiB, 256 * KiB));
            }
            long span = list.ramEnd() + 1024 * KiB;
            GuestMemory mem = new GuestMemory(list);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong javaOps = new AtomicLong(), javaHits = new AtomicLong(), failures = new AtomicLong();
            List<Thread> javaReaders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                javaReaders.add(Thread.ofPlatform().name("java-reader-" + t).start(() -> {
                    rcu.registerThread(); // QSBR: online, announcing quiescent states below
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long ops = 0, hits = 0;
                    try {
                        while (!stop.get()) {
                            long addr = rnd.nextLong(span - 8) & ~7L;
                            try {
                                mem.writeLong(addr, addr);
                                mem.readLong(addr); // another reader may have written it since
                                hits++;
                            } catch (IllegalArgumentException notMapped) {
                                // no block there (freed, or past a resized block's used length): fine
                            }
                            ops++;
                            if ((ops & 63) == 0) {
                                rcu.quiescentState();
                            }
                        }
                    } catch (Throwable e) {
                        failures.incrementAndGet();
                        e.printStackTrace();
                    } finally {
                        rcu.unregisterThread();
                        javaOps.addAndGet(ops);
                        javaHits.addAndGet(hits);
                    }
                }));
            }
            int frees = 0;
            CReaders.Stats stats;
            try (CReaders readers = CReaders.start(rcu.readerTable(), list.nativeTable().root(), span, 2, 7)) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long deadline = System.nanoTime() + millis * 1_000_000L;
                int adds = 0;
                while (System.nanoTime() < deadline) {
                    List<RamBlock> churn = list.blocks().stream().filter(b -> b != stable).toList();
                    int action = rnd.nextInt(3);
                    if (churn.size() < 3 || action == 0 && churn.size() < 12) {
                        list.add(RamBlockSpec.resizeable("churn-x" + adds++, 64 * KiB, 256 * KiB));
                    } else if (action == 1) {
                        list.resize(churn.get(rnd.nextInt(churn.size())), 64 * KiB * (1 + rnd.nextInt(4)));
                    } else {
                        list.free(churn.get(rnd.nextInt(churn.size())));
                        frees++;
                    }
                    rcu.quiescentState();
                }
                rcu.threadOffline();
                stop.set(true);
                for (Thread t : javaReaders) {
                    t.join();
                }
                stats = readers.stop();
            }
            rcu.drain();
            assertEquals(0, failures.get(), "Java readers saw no closed block and no other failure");
            assertEquals(0, stats.errors(), "every C reader joined the domain");
            assertTrue(stats.written() > 100, "C readers wrote guest memory: " + stats);
            assertTrue(javaHits.get() > 100, "Java readers reached guest memory: " + javaHits.get() + " of " + javaOps.get());
            assertTrue(frees > 5, "the updater freed blocks under both kinds of reader: " + frees);
            System.out.printf("mixed readers %s: C %s; Java %d ops, %d hits; %d frees%n", flavor, stats, javaOps.get(), javaHits.get(), frees);
        }
    }
}
