package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.nativeshim.CWriters;
import org.guestmem.ram.Backing;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.guestmem.testing.Holdings;
import org.guestmem.testing.ProcSelf;
import org.junit.jupiter.api.Test;

/**
 * Soak: vCPU writers on the migratable blocks, a hot-plug thread adding and freeing memfd-backed
 * non-migratable blocks, C reader threads in the same RCU domain writing those blocks through the native
 * block table, and in-process live migrations one after another, for {@code -Dguestmem.soak.seconds}
 * (default 20; scripts/soak.sh runs the long one). After every migration the destination equals the
 * source; at the end nothing was lost: no use-after-close (C reader errors, Java thread failures, RCU
 * callback failures all zero, and no crash), every freed block unmapped, and everything the code under test
 * owns given back ({@link Holdings}, counted exactly): the churn's memfd mappings, fds and shared memory
 * gone while the lists live; after the lists and the domain are closed no guestmem memfd mapping or fd, no
 * memory resident where the lists' blocks were mapped, none of their threads (vCPUs, hot-plug, the RCU
 * reclaimer, the C readers), the C readers' RCU slots released and no callback pending. The process RSS
 * outside the heap (JIT code, GC tables, malloc arenas move it by a hundred MiB without a leak) is only held
 * to a generous bound, {@link #RSS_SLACK_MIB}, below the guest memory the run hot-plugs.
 *
 * <p>The C readers write raw memory that dirty tracking cannot see, so they are kept off the migratable
 * blocks: a hole is reserved below them (QEMU's best fit puts the churn blocks there) and the readers'
 * address span ends where the first migratable block begins. C writers (the shim's {@code gm_writers_*}, a
 * C device model) write all of RAM, the migratable blocks included, and mark every write dirty through
 * guestmem.h's dirty API; the switch-over parks them with the vCPUs, and the bytes that differ between
 * source and destination after each migration are counted: the soak reports 0 lost bytes.
 */
class SoakTest {
    static final long KiB = 1024, MiB = 1024 * KiB, PAGE = 4096;
    static final String CHURN = "soak.hot-";
    /**
     * How far the RSS outside the Java heap may end above its level before the test: generous against the
     * JVM's own growth (seen up to ~350 MiB above it mid-run), and far below the memory the run hot-plugs
     * (thousands of 256 KiB blocks: over a GiB in a 20 s run), which a leak of the blocks' pages would add.
     */
    static final long RSS_SLACK_MIB = 512;
    /** How long the leak check waits for reclamation (threads ending, the last callbacks) before it reports. */
    static final Duration RECLAIM_WAIT = Duration.ofSeconds(10);

    /** Added to by the hot-plug thread, any thread's uncaught exception and the RCU reclaimer; read by the test thread. */
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    @Test
    void vcpusHotplugCReadersAndRepeatedMigrationsLoseNothing() throws Exception {
        long seconds = Long.getLong("guestmem.soak.seconds", 20);
        long progressEvery = Math.max(5, Math.min(30, seconds / 10)) * 1_000_000_000L;
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> failures.add(e));
        Footprint before = Footprint.now();
        Holdings holdings = new Holdings("memfd:guestmem:", List.of("vcpu-", "soak-hotplug", "rcu-reclaimer-"), List.of("gm-reader", "gm-writer"));
        Holdings.Snapshot owned = holdings.now();
        long residentWhileAlive, hotplugged;
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE)) {
            rcu.onCallbackFailure(failures::add);
            RamList src = new RamList(rcu, PAGE), dst = new RamList(rcu, PAGE);
            src.add(nonMigratable("c.anchor", 256 * KiB, false));            // offset 0
            RamBlock hole = src.add(nonMigratable("c.hole", 4 * MiB, false)); // reserves the churn area
            RamBlock ram = src.add(RamBlockSpec.of("pc.ram", 8 * MiB));
            src.add(RamBlockSpec.of("pc.bios", 256 * KiB));
            RamBlock ram2 = src.add(RamBlockSpec.resizeable("ram2", MiB, 4 * MiB));
            src.free(hole);
            long cSpan = src.blocks().stream().filter(RamBlock::isMigratable).mapToLong(RamBlock::offset).min().orElseThrow();
            dst.add(RamBlockSpec.of("pc.ram", 8 * MiB));
            dst.add(RamBlockSpec.of("pc.bios", 256 * KiB));
            dst.add(RamBlockSpec.resizeable("ram2", 2 * MiB, 4 * MiB));
            Guests.fill(src, 3);
            for (RamList list : List.of(src, dst)) {
                list.blocks().forEach(b -> holdings.watch(b.hostAddress(), b.maxLength()));
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong hotplugs = new AtomicLong();
            List<RamBlock> churned = new ArrayList<>();         // added to by the hot-plug thread (synchronized); read after its join
            Thread hotplug = Thread.ofPlatform().name("soak-hotplug").start(() -> churn(src, stop, hotplugs, churned, cSpan));
            long migrations = 0, bytes = 0, lostBytes = 0;
            CReaders.Stats cStats;
            CWriters.Stats wStats;
            Footprint warm = null, mid = null;
            long t0 = System.nanoTime(), deadline = t0 + seconds * 1_000_000_000L, nextProgress = t0 + progressEvery;
            try (SimulatedVcpus vcpus = new SimulatedVcpus(new GuestMemory(src), List.of(ram, ram2), 2, 20_000, 17).start();
                    CReaders readers = CReaders.start(rcu.readerTable(), src.nativeTable().root(), cSpan, 2, 99);
                    CWriters writers = CWriters.start(rcu.readerTable(), src.nativeTable().root(), src.dirtyMemory().nativeRoot(),
                            src.ramEnd(), 2, 101, DirtyClient.ALL, 0, 50_000)) {
                while (migrations < 2 || System.nanoTime() < deadline) {
                    bytes += migrate(src, dst, () -> {
                        vcpus.pause();
                        writers.pause();
                    });
                    migrations++;
                    lostBytes += CWritersMigrationTest.differingBytes(src, dst);
                    assertSame(src, dst, migrations);           // the vCPUs and C writers stay paused until the comparison is done
                    vcpus.resume();
                    writers.resume();
                    assertTrue(failures.isEmpty(), () -> "after migration " + failures.size() + " failures: " + failures.peek());
                    long now = System.nanoTime();
                    if (warm == null) {
                        warm = Footprint.now();
                    } else if (mid == null && now - t0 >= (deadline - t0) / 2) {
                        mid = Footprint.now();                  // the JIT, GC tables and malloc arenas have grown by now
                    }
                    if (now >= nextProgress) {
                        nextProgress = now + progressEvery;
                        System.out.printf("soak: %d/%d s, %d migrations (%d MiB), %d hot-plugs, %d vCPU writes, %s%n", (now - t0) / 1_000_000_000L,
                                seconds, migrations, bytes / MiB, hotplugs.get(), vcpus.writes(), Footprint.now());
                    }
                    Thread.sleep(20);
                }
                stop.set(true);
                hotplug.join();
                long cSlots = Holdings.heldSlots(rcu, RcuReaderTableDescriptor.OWNER_KIND_C);
                cStats = readers.stop();
                wStats = writers.stop();
                assertEquals(4, cSlots, "the two C readers and the two C writers held a slot each while running");
                assertEquals(0, Holdings.heldSlots(rcu, RcuReaderTableDescriptor.OWNER_KIND_C), "the C readers and writers released their RCU slots");
            } finally {
                stop.set(true);
                hotplug.join();
            }
            for (RamBlock b : src.blocks()) {
                if (b.name().startsWith(CHURN)) {
                    src.free(b);
                }
            }
            rcu.drain();                                                 // every freed block's reclaim has run
            Footprint after = Footprint.now();
            System.out.printf("soak: C writers on migratable blocks %s, %d lost bytes%n", wStats, lostBytes);
            System.out.printf("soak: %d s, %d migrations (%d MiB), %d hot-plugs, C readers %s%nsoak: before %s%nsoak: after warm-up %s%nsoak: at half time %s%nsoak: at the end %s%n",
                    (System.nanoTime() - t0) / 1_000_000_000L, migrations, bytes / MiB, hotplugs.get(), cStats, before, warm, mid, after);

            assertEquals(List.of(), List.copyOf(failures), "no Java thread failed, no RCU callback failed");
            assertEquals(0, cStats.errors(), "C reader errors: " + cStats);
            assertTrue(cStats.written() > 0, "the C readers wrote the churn blocks: " + cStats);
            assertEquals(0, wStats.errors(), "C writer errors: " + wStats);
            assertTrue(wStats.written() > 0 && wStats.marked() == wStats.written(), "the C writers wrote and marked: " + wStats);
            assertEquals(0, lostBytes, "bytes lost by the migrations");
            assertTrue(hotplugs.get() > 0 && migrations >= 2, hotplugs + " hot-plugs, " + migrations + " migrations");
            assertEquals(0, rcu.callbackFailures());
            List<RamBlock> stillMapped = churned.stream().filter(RamBlock::isMapped).toList();
            assertEquals(List.of(), stillMapped, "every freed block was unmapped");
            assertEquals(0, after.churnMappings(), "no memfd mapping of a churn block is left");
            assertEquals(0, after.churnFds(), "no fd of a churn block is left: " + after);
            assertTrue(after.shmemKiB() <= warm.shmemKiB(), "memfd RSS back at (or below) the warm level: " + warm + " -> " + after);
            assertEquals(0, rcu.pendingCallbacks(), "no RCU callback pending after the drain");
            residentWhileAlive = holdings.now().residentKiB();
            hotplugged = hotplugs.get();
            src.close();
            dst.close();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        Footprint closed = Footprint.now();
        List<String> leaks = holdings.leaksSince(owned, residentWhileAlive, RECLAIM_WAIT);
        System.out.println("soak: after closing the lists and the domain " + closed + "; owned: before " + owned + ", now "
                + holdings.now());
        assertEquals(List.of(), leaks, "everything the lists, the domain, the vCPUs and the C readers held is given back");
        // Unnamed leaks (a mapping or fd per migration would be hundreds) against counts the JVM also moves: each
        // new JVM thread (compiler, GC, common pool) adds its stack, guard and malloc arena mappings; a class
        // loaded from a jar not opened before adds an fd.
        long newTasks = Math.max(0, closed.tasks() - before.tasks());
        assertTrue(closed.fds() <= before.fds() + 8, "fds back near the start level: " + before + " -> " + closed);
        assertTrue(closed.mappings() <= before.mappings() + 64 + 4 * newTasks,
                "mapping count back near the start level (+64, +4 per new OS thread): " + before + " -> " + closed);
        assertTrue(closed.nativeKiB() <= before.nativeKiB() + RSS_SLACK_MIB * 1024, "RSS outside the heap " + before + " -> "
                + closed + ": more than " + RSS_SLACK_MIB + " MiB above the start (" + hotplugged + " hot-plugs of 256 KiB ran)");
    }

    /** Adds and frees memfd-backed non-migratable blocks, at most 8 alive, all inside the C readers' span. */
    private void churn(RamList src, AtomicBoolean stop, AtomicLong hotplugs, List<RamBlock> churned, long cSpan) {
        SplittableRandom rnd = new SplittableRandom(5);
        List<RamBlock> alive = new ArrayList<>();
        long n = 0;
        try {
            while (!stop.get()) {
                if (alive.size() < 8 && (alive.size() < 2 || rnd.nextBoolean())) {
                    RamBlock b = src.add(nonMigratable(CHURN + n++, 256 * KiB, true));
                    assertTrue(b.offset() + b.maxLength() <= cSpan, "churn block " + b + " lies below the first migratable block");
                    alive.add(b);
                    synchronized (churned) {
                        churned.add(b);
                    }
                } else {
                    src.free(alive.remove(rnd.nextInt(alive.size())));
                }
                hotplugs.incrementAndGet();
                Thread.sleep(2);
            }
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    static RamBlockSpec nonMigratable(String name, long size, boolean memfd) {
        return new RamBlockSpec(name, size, size, memfd ? Backing.memfd() : Backing.anonymous(), EnumSet.of(RamBlock.Flag.NORESERVE));
    }

    /** One in-process live migration with a destination thread; the guest (vCPUs, C writers) is left paused. Returns the bytes sent. */
    private static long migrate(RamList src, RamList dst, Runnable pauseGuest) throws Exception {
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
        CompletableFuture<LiveMigration.LoadStats> dest = CompletableFuture.supplyAsync(() -> {
            try {
                return LiveMigration.receive(pair[1], dst);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            MigrationStats s = new LiveMigration(src, LiveMigration.Options.defaults().withBandwidth(512 * MiB), null)
                    .send(pair[0], pauseGuest, () -> {});
            dest.get(60, TimeUnit.SECONDS);
            return s.transferredBytes();
        } finally {
            pair[0].close();
        }
    }

    private static void assertSame(RamList src, RamList dst, long migration) {
        for (RamBlock s : src.blocks()) {
            if (s.isMigratable()) {
                RamBlock d = dst.block(s.name());
                assertEquals(s.usedLength(), d.usedLength(), "used length of " + s.name());
                long at = MemorySegment.mismatch(s.segment(), 0, s.usedLength(), d.segment(), 0, d.usedLength());
                assertEquals(-1, at, "migration " + migration + ": block " + s.name() + " differs at byte " + at);
            }
        }
    }

    /**
     * The process's footprint from /proc/self: RSS, RSS outside the Java heap (RSS minus the committed heap,
     * after a GC: what native memory holds), shared-memory RSS (memfd blocks), mapping count, open fds,
     * mappings and fds of churn memfds, live threads. Printed for the record; only the churn counts, the
     * shared memory and (generously) the RSS outside the heap are asserted.
     */
    record Footprint(long rssKiB, long nativeKiB, long shmemKiB, long mappings, long fds, long churnMappings, long churnFds, int threads,
                     long tasks) {
        static Footprint now() throws IOException {
            System.gc();
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            long rss = kib(status, "VmRSS:"), shmem = kib(status, "RssShmem:");
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            long churn = maps.stream().filter(l -> l.contains("memfd:guestmem:" + CHURN)).count();
            long fds;
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            return new Footprint(rss, Math.max(0, rss - heap), shmem, maps.size(), fds, churn, ProcSelf.fdsTo("memfd:guestmem:" + CHURN),
                    Thread.activeCount(), ProcSelf.tasks());
        }

        private static long kib(List<String> status, String key) {
            return status.stream().filter(l -> l.startsWith(key)).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
        }

        @Override
        public String toString() {
            return String.format("RSS %d MiB (outside the heap %d MiB, shmem %d MiB), %d mappings, %d fds, %d churn mappings, %d churn fds, %d Java threads, %d OS threads",
                    rssKiB / 1024, nativeKiB / 1024, shmemKiB / 1024, mappings, fds, churnMappings, churnFds, threads, tasks);
        }
    }
}
