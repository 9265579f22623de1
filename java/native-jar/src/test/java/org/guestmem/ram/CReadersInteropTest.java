package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.host.Membarrier;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * C reader threads, started through the shim, join the Java RCU domain, translate RAM addresses through
 * the RamList's native block table and write guest memory while a Java updater adds, resizes and frees
 * blocks. A C access to a reclaimed (unmapped) block would crash the JVM; passing means none happened.
 * The C-only twin of this test (native/test/test_interop.c) also runs under ThreadSanitizer and shows
 * that a reader skipping its read sections is caught.
 */
class CReadersInteropTest {
    static final long KiB = 1024, MiB = 1024 * KiB;

    @Test
    void badStartArgumentsAreRefusedWithTheRule() {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList list = new RamList(rcu, 4096)) {
            var threads = assertThrows(IllegalArgumentException.class, () -> CReaders.start(rcu.readerTable(), list.nativeTable().root(), MiB, 0, 1));
            assertTrue(threads.getMessage().contains("thread count 0"), threads.getMessage());
            var span = assertThrows(IllegalArgumentException.class, () -> CReaders.start(rcu.readerTable(), list.nativeTable().root(), 4, 1, 1));
            assertTrue(span.getMessage().contains("RAM span 4"), span.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Rcu.Flavor.class)
    void cReadersNeverTouchAReclaimedBlock(Rcu.Flavor flavor) throws Exception {
        Assumptions.assumeTrue(flavor != Rcu.Flavor.MEMBARRIER || Membarrier.available(), "membarrier(2) is not available here");
        long seconds = Long.getLong("guestmem.interop.seconds", 2);
        try (Rcu rcu = Rcu.create(flavor); RamList list = new RamList(rcu, 4096)) {
            rcu.registerThread();   // QSBR: the updater thread announces quiescent states below
            RamBlock stable = list.add(RamBlockSpec.of("stable", 256 * KiB));
            for (int i = 0; i < 6; i++) {
                list.add(RamBlockSpec.resizeable("churn-" + i, 64 * KiB, 256 * KiB));
            }
            long span = list.ramEnd() + 1024 * KiB;
            int adds = 0, frees = 0, resizes = 0;
            CReaders.Stats stats;
            try (CReaders readers = CReaders.start(rcu.readerTable(), list.nativeTable().root(), span, 2, 42)) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                while (System.nanoTime() < deadline) {
                    List<RamBlock> churn = list.blocks().stream().filter(b -> b != stable).toList();
                    int action = rnd.nextInt(3);
                    if (churn.size() < 3 || action == 0 && churn.size() < 12) {
                        list.add(RamBlockSpec.resizeable("churn-x" + adds++, 64 * KiB, 256 * KiB));
                    } else if (action == 1) {
                        list.resize(churn.get(rnd.nextInt(churn.size())), 64 * KiB * (1 + rnd.nextInt(4)));
                        resizes++;
                    } else {
                        list.free(churn.get(rnd.nextInt(churn.size())));
                        frees++;
                    }
                    rcu.quiescentState();
                }
                rcu.threadOffline();
                stats = readers.stop();
            }
            rcu.drain();
            assertEquals(0, stats.errors(), "every C reader joined the domain");
            assertTrue(stats.written() > 1000, "C readers wrote guest memory: " + stats);
            assertTrue(frees > 10, "the updater freed blocks under the C readers: " + frees);
            long nonZero = 0;
            for (long off = 0; off < stable.usedLength(); off += 8) {
                nonZero += stable.segment().get(ValueLayout.JAVA_LONG, off) != 0 ? 1 : 0;
            }
            assertTrue(nonZero > 0, "C writes reached the Java block");
            System.out.printf("C interop %s: %s; Java updater %d adds, %d frees, %d resizes; %d words of 'stable' written by C%n",
                    flavor, stats, adds, frees, resizes, nonZero);
        }
    }
}
