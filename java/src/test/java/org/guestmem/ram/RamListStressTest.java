package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 8 reader threads look up addresses and write to them while an updater adds, resizes and frees blocks.
 * Inside read sections no access may hit a closed segment, and every byte written to a block that stays
 * live reads back. Runs 3 s per flavor by default; -Dguestmem.stress.seconds=30 for the long run.
 */
class RamListStressTest {
    static final long KiB = 1024;

    @ParameterizedTest
    @EnumSource(value = Rcu.Flavor.class, names = {"FENCE", "MEMBARRIER"})
    void readersWriteWhileTheUpdaterHotplugs(Rcu.Flavor flavor) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(flavor != Rcu.Flavor.MEMBARRIER || org.guestmem.host.Membarrier.available(),
                "membarrier(2) is not available here");
        long seconds = Long.getLong("guestmem.stress.seconds", 3);
        try (Rcu rcu = Rcu.create(flavor); RamList list = new RamList(rcu, 4096)) {
            GuestMemory mem = new GuestMemory(list);
            // A stable block whose every write must read back, and churned blocks.
            RamBlock stable = list.add(RamBlockSpec.of("stable", 512 * KiB));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong ops = new AtomicLong(), churnSeen = new AtomicLong();
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int id = t;
                readers.add(Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long n = 0;
                    try {
                        while (System.nanoTime() < deadline && failure.get() == null) {
                            // Own slot in the stable block: a value written must read back.
                            long slot = stable.offset() + id * 8L * 1024 + (n % 1024) * 8;
                            mem.writeLong(slot, n);
                            assertEquals(n, mem.readLong(slot), "a write to a live block reads back");
                            // Churned blocks: lookup + write inside one section; the block may be gone, never half-gone.
                            try (ReadSection s = rcu.read()) {
                                List<RamBlock> blocks = list.blocks();
                                RamBlock b = blocks.get(rnd.nextInt(blocks.size()));
                                if (b == stable) {
                                    continue;                   // the stable block's slots belong to their writers
                                }
                                long addr = b.offset() + rnd.nextLong(b.usedLength() / 8) * 8;
                                RamBlock found;
                                try {
                                    found = list.lookup(addr);
                                } catch (IllegalArgumentException gone) {
                                    continue;                   // freed between blocks() and lookup(): fine
                                }
                                if (addr - found.offset() < found.usedLength() - 8) {
                                    found.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr - found.offset(), n);
                                    churnSeen.incrementAndGet();
                                }
                            }
                            n++;
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    ops.addAndGet(n);
                }));
            }
            int adds = 0, frees = 0, resizes = 0;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (System.nanoTime() < deadline && failure.get() == null) {
                List<RamBlock> churn = list.blocks().stream().filter(b -> b != stable).toList();
                int action = rnd.nextInt(3);
                if (churn.size() < 2 || action == 0 && churn.size() < 16) {
                    list.add(RamBlockSpec.resizeable("churn-" + adds++, 64 * KiB * (1 + rnd.nextInt(4)), 512 * KiB));
                } else if (action == 1) {
                    RamBlock b = churn.get(rnd.nextInt(churn.size()));
                    list.resize(b, 64 * KiB * (1 + rnd.nextInt(8)));
                    resizes++;
                } else {
                    list.free(churn.get(rnd.nextInt(churn.size())));
                    frees++;
                }
            }
            for (Thread r : readers) {
                r.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("failed under " + flavor + " after " + ops.get() + " reader ops", failure.get());
            }
            assertTrue(adds > 5 && frees > 5, "the updater churned: " + adds + " adds, " + frees + " frees");
            System.out.printf("RamList stress %s: %d reader ops, %d churn writes, %d adds, %d frees, %d resizes%n",
                    flavor, ops.get(), churnSeen.get(), adds, frees, resizes);
        }
    }
}
