package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Use-after-reclaim made visible: 8 threads read a {@link MemorySegment} found through an RCU-published
 * reference while an updater swaps in a new segment and closes the old one's shared {@link Arena}. With
 * the protocol (close in callRcu) readers never touch a closed segment: zero IllegalStateException and
 * every read consistent. With the close done before the grace period, readers get IllegalStateException
 * ("Already closed"), which the test must see: the JVM turns the protocol bug into an exception, never a crash.
 */
class UseAfterReclaimTest {
    private static final int READERS = 8;
    private static final long WORDS = 512;
    private static final Duration QUICK = Domains.duration(Duration.ofMillis(400), Duration.ofSeconds(5));
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(UseAfterReclaimTest.class, "current", Block.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One generation of the data: a segment in its own shared arena, every word equal to {@code generation}. */
    record Block(Arena arena, MemorySegment segment, long generation) {
        static Block create(long generation) {
            Arena arena = Arena.ofShared();
            MemorySegment s = arena.allocate(WORDS * Long.BYTES, Long.BYTES);
            for (long i = 0; i < WORDS; i++) {
                s.setAtIndex(ValueLayout.JAVA_LONG, i, generation);
            }
            return new Block(arena, s, generation);
        }
    }

    // Published by the updater with release, read by readers with acquire inside a read section.
    @SuppressWarnings("unused")
    private Block current;

    record Outcome(long reads, long swaps, long closed, long ise, long torn) {}

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void closingInCallRcuNeverRacesAReader(Rcu.Flavor flavor) throws InterruptedException {
        try (Rcu rcu = Domains.open(flavor)) {
            Outcome o = run(rcu, QUICK, false);
            System.out.println("use-after-reclaim " + flavor + " (protocol): " + o);
            assertTrue(o.reads() > 0 && o.swaps() > 10, o.toString());
            assertEquals(0, o.ise(), "readers touched a closed segment: " + o);
            assertEquals(0, o.torn(), "readers saw a segment change under them: " + o);
            assertEquals(o.swaps(), o.closed(), "every replaced arena was closed by its callback: " + o);
        }
    }

    @Test
    void closingBeforeTheGracePeriodIsDetected() throws InterruptedException {
        try (Rcu rcu = Domains.open(Rcu.Flavor.FENCE)) {
            long ise = 0;
            for (int attempt = 0; attempt < 5 && ise == 0; attempt++) {
                Outcome o = run(rcu, Duration.ofMillis(300), true);
                System.out.println("use-after-reclaim (closed before the grace period): " + o);
                ise = o.ise();
            }
            assertTrue(ise > 0, "closing the arena before the grace period went unnoticed");
        }
    }

    private Outcome run(Rcu rcu, Duration duration, boolean broken) throws InterruptedException {
        CURRENT.setRelease(this, Block.create(0));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicLong ise = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        AtomicLong closed = new AtomicLong();
        boolean qsbr = rcu.flavor() == Rcu.Flavor.QSBR;
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            readers.add(Thread.ofPlatform().name("uar-reader-" + r).start(() -> {
                if (qsbr) {
                    rcu.registerThread();
                }
                long n = 0;
                while (!stop.get()) {
                    try (ReadSection s = rcu.read()) {
                        Block b = (Block) CURRENT.getAcquire(this);
                        for (long i = 0; i < WORDS; i++) {
                            if (b.segment().getAtIndex(ValueLayout.JAVA_LONG, i) != b.generation()) {
                                torn.incrementAndGet();
                            }
                        }
                        n++;
                    } catch (IllegalStateException e) {
                        ise.incrementAndGet();
                    }
                    rcu.quiescentState();
                }
                rcu.unregisterThread();
                reads.addAndGet(n);
            }));
        }
        long swaps = 0;
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            Block fresh = Block.create(swaps + 1);
            Block old = (Block) CURRENT.getAndSet(this, fresh); // publish (seq_cst, stronger than release)
            swaps++;
            if (broken) {
                old.arena().close(); // the bug: no grace period between unpublish and free
                closed.incrementAndGet();
            } else {
                rcu.callRcu(() -> {
                    old.arena().close();
                    closed.incrementAndGet();
                });
            }
            if (swaps % 64 == 0) {
                Thread.yield();
            }
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join();
        }
        rcu.drain();
        ((Block) CURRENT.getAcquire(this)).arena().close();
        return new Outcome(reads.get(), swaps, closed.get(), ise.get(), torn.get());
    }
}
