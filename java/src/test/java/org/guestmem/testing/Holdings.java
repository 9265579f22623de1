package org.guestmem.testing;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuReaderTableDescriptor;

/**
 * What the code under test owns in this process and must give back, counted exactly: its memfd mappings
 * and fds by name, the memory still resident where its guest blocks were mapped, its threads by name (Java
 * and OS), and, for an RCU domain, the reader slots held and the callbacks pending. A leak check takes a
 * {@link #now() snapshot} before, and after the close asks {@link #leaksSince} what is still held, waiting a
 * bounded time for reclamation (threads ending, a reclaimer running its last callbacks).
 *
 * <p>None of these counts moves with the JVM's own work (JIT code, GC tables, malloc arenas, other
 * tests' threads), unlike the process RSS, which is therefore only checked against a generous bound.
 */
public final class Holdings {
    private final String memfdName;
    private final List<String> javaThreads;
    private final List<String> osThreads;
    /** Host ranges {address, length} of the guest blocks being watched; added to by the test's threads. */
    private final List<long[]> ranges = new CopyOnWriteArrayList<>();

    /**
     * @param memfdName   a piece of the memfd names the code creates (e.g. {@code memfd:guestmem:})
     * @param javaThreads name prefixes of the Java threads it starts
     * @param osThreads   name prefixes (comm) of the native threads it starts
     */
    public Holdings(String memfdName, List<String> javaThreads, List<String> osThreads) {
        this.memfdName = memfdName;
        this.javaThreads = List.copyOf(javaThreads);
        this.osThreads = List.copyOf(osThreads);
    }

    /** Watches the host range of a guest block: after the close nothing may stay resident there. */
    public void watch(long address, long length) {
        ranges.add(new long[] {address, length});
    }

    /** One count of everything owned. */
    public record Snapshot(long memfdMappings, long memfdFds, long residentKiB, Map<String, Long> threads, long fds,
                           long mappings, long rssKiB) {
        @Override
        public String toString() {
            return String.format("%d memfd mappings, %d memfd fds, %d KiB resident in the watched guest ranges, threads %s,"
                    + " %d fds, %d mappings, RSS %d MiB", memfdMappings, memfdFds, residentKiB, threads, fds, mappings, rssKiB / 1024);
        }
    }

    /** Counts now. */
    public Snapshot now() throws IOException {
        long resident = 0;
        for (long[] r : ranges) {
            resident += ProcSelf.residentKiB(r[0], r[1]);
        }
        Map<String, Long> threads = new LinkedHashMap<>();
        for (String p : javaThreads) {
            threads.put(p, ProcSelf.javaThreadsNamed(p));
        }
        for (String p : osThreads) {
            threads.put("os:" + p, ProcSelf.tasksNamed(p));
        }
        return new Snapshot(ProcSelf.mappingsNamed(memfdName), ProcSelf.fdsTo(memfdName), resident, threads, ProcSelf.fds(),
                ProcSelf.mappings(), ProcSelf.rssKiB());
    }

    /**
     * What is still held compared with {@code base}, a snapshot from before the code ran, and
     * {@code residentWhileAlive}, the resident KiB in the watched ranges just before the close: more memfd
     * mappings or fds, more of any watched thread, or half of that resident memory or more still there (an
     * address range can be reused by a later mapping, which may touch a little of it; a leaked block keeps
     * it all). Re-counts until nothing is held or {@code wait} has passed. Empty when nothing leaked.
     */
    public List<String> leaksSince(Snapshot base, long residentWhileAlive, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Snapshot now = now();
            List<String> held = new ArrayList<>();
            if (now.memfdMappings() > base.memfdMappings()) {
                held.add((now.memfdMappings() - base.memfdMappings()) + " mappings of a '" + memfdName + "' memfd");
            }
            if (now.memfdFds() > base.memfdFds()) {
                held.add((now.memfdFds() - base.memfdFds()) + " fds of a '" + memfdName + "' memfd");
            }
            if (residentWhileAlive > 0 && now.residentKiB() * 2 >= residentWhileAlive) {
                held.add(now.residentKiB() + " KiB still resident in the guest blocks' ranges (" + residentWhileAlive
                        + " KiB while they were mapped)");
            }
            now.threads().forEach((name, n) -> {
                long before = base.threads().getOrDefault(name, 0L);
                if (n > before) {
                    held.add((n - before) + " threads named " + name + "*");
                }
            });
            if (held.isEmpty() || System.nanoTime() >= deadline) {
                return held;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Reader slots of {@code rcu}'s table held by an owner of {@code kind}
     * ({@link RcuReaderTableDescriptor#OWNER_KIND_JAVA} or {@code OWNER_KIND_C}, as
     * {@link RcuReaderTableDescriptor#ownerKind} reads it). The owner words are read with acquire, as the writer's scan reads them.
     */
    public static long heldSlots(Rcu rcu, long kind) {
        MemorySegment t = rcu.readerTable();
        long limit = (long) RcuReaderTableDescriptor.WORD.getAcquire(t, RcuReaderTableDescriptor.SLOT_LIMIT_OFFSET);
        long held = 0;
        for (int k = 0; k < limit; k++) {
            long owner = (long) RcuReaderTableDescriptor.WORD.getAcquire(t,
                    RcuReaderTableDescriptor.slotOffset(k) + RcuReaderTableDescriptor.SLOT_OWNER_OFFSET);
            held += owner != 0 && RcuReaderTableDescriptor.ownerKind(owner) == kind ? 1 : 0;
        }
        return held;
    }
}
