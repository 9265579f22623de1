package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck, sequentially consistent interleavings) of the Java-object parts of the domain:
 * the reader registry and the callback queue. Weak-memory reorderings are jcstress's job, off-heap words are
 * invisible to Lincheck, hence {@link ArraySlotWords}. A deliberately broken queue shows the checker can fail.
 * Lincheck 3.7 switches threads at VarHandle and atomic-class accesses (which is how the registry and the queue
 * share state) but not at plain fields of objects captured by lambdas, which it takes for thread-local.
 */
class LincheckModelTest {
    private static final int INVOCATIONS = Domains.LONG ? 10_000 : 500;

    @Test
    void registryNeverHandsOneSlotToTwoLiveThreadsAndReapsDeadOnes() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            ArraySlotWords words = new ArraySlotWords(2);
            ReaderRegistry registry = new ReaderRegistry(words);
            // A thread that registers and dies without unregistering.
            Thread dead = new Thread(() -> registry.register(Thread.currentThread()));
            dead.start();
            join(dead);
            AtomicReferenceArray<Thread> holding = new AtomicReferenceArray<>(2);
            int[] failures = new int[1];
            Runnable reader = () -> {
                int slot = registry.register(Thread.currentThread());
                if (!holding.compareAndSet(slot, null, Thread.currentThread())) {
                    failures[0]++; // two live threads in one slot
                }
                holding.set(slot, null);
                registry.unregister(slot, Thread.currentThread());
            };
            // A C thread claiming a slot on its own, racing with the Java registrations.
            long cToken = RcuReaderTableDescriptor.cOwner(7);
            int[] cSlot = {-1};
            Thread c = new Thread(() -> {
                for (int i = 0; i < 2 && cSlot[0] < 0; i++) {
                    if (words.owner(i) == 0 && words.claim(i, cToken)) {
                        cSlot[0] = i;
                    }
                }
            });
            Thread a = new Thread(reader);
            Thread b = new Thread(reader);
            a.start();
            c.start();
            join(c);
            // Two slots: the dead thread's (reapable) and one more; the C thread holds at most one of them.
            if (cSlot[0] < 0) {
                b.start();
                join(b);
            }
            join(a);
            assertEquals(0, failures[0], "two live threads shared a slot");
            registry.reapDead(); // the thread that died registered
            int owned = 0;
            for (int i = 0; i < 2; i++) {
                if (words.owner(i) != 0) {
                    owned++;
                }
            }
            assertEquals(cSlot[0] >= 0 ? 1 : 0, owned, "only the C slot may stay claimed");
            assertEquals(0, registry.javaSlots());
        });
    }

    @Test
    void callbackQueueKeepsEachProducersOrderAndLosesNothing() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> checkQueue(new CallbackQueueUnderTest() {
            final CallbackQueue q = new CallbackQueue();

            @Override
            public void offer(Runnable r) {
                q.offer(r);
            }

            @Override
            public Runnable poll() {
                return q.poll();
            }
        }));
    }

    @Test
    void theModelCheckerCatchesABrokenQueue() {
        // Producers read the tail and then write it (no atomic swap): a lost node, which Lincheck must find.
        Throwable t = assertThrows(Throwable.class, () -> Lincheck.runConcurrentTest(INVOCATIONS, () -> checkQueue(new BrokenQueue())));
        assertTrue(t instanceof AssertionError || failureFoundButNotPrinted(t), () -> "not a model-checking failure: " + t);
    }

    /**
     * Lincheck 3.7 sometimes throws from its trace printer while it builds the LincheckAssertionError of a
     * failure it found (an IndexOutOfBoundsException in TraceNodes): the interleaving was found, only its
     * report broke. Recognised by the assertion error's constructor on the stack, nothing looser.
     */
    private static boolean failureFoundButNotPrinted(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("org.jetbrains.lincheck.LincheckAssertionError") && e.getMethodName().equals("<init>")) {
                return true;
            }
        }
        return false;
    }

    interface CallbackQueueUnderTest {
        void offer(Runnable r);

        Runnable poll();
    }

    /** Two producers offer two callbacks each while the consumer polls; then the rest is drained. */
    private static void checkQueue(CallbackQueueUnderTest q) {
        List<Integer> ran = new ArrayList<>();
        Thread p1 = new Thread(() -> {
            q.offer(() -> ran.add(1));
            q.offer(() -> ran.add(2));
        });
        Thread p2 = new Thread(() -> {
            q.offer(() -> ran.add(11));
            q.offer(() -> ran.add(12));
        });
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < 2; i++) {
                Runnable r = q.poll();
                if (r != null) {
                    r.run();
                }
            }
        });
        p1.start();
        p2.start();
        consumer.start();
        join(p1);
        join(p2);
        join(consumer);
        for (Runnable r = q.poll(); r != null; r = q.poll()) {
            r.run();
        }
        assertEquals(4, ran.size(), "callbacks lost or duplicated: " + ran);
        assertTrue(ran.indexOf(1) < ran.indexOf(2) && ran.indexOf(11) < ran.indexOf(12), "producer order broken: " + ran);
    }

    /**
     * A Vyukov queue with the tail swap split into a read and a write: two producers can lose a node. Its
     * shared fields go through VarHandles like the real queue's: Lincheck 3.7 switches threads at VarHandle
     * and atomic-class accesses, but treats plain fields of objects captured by lambdas as thread-local.
     */
    static final class BrokenQueue implements CallbackQueueUnderTest {
        private static final java.lang.invoke.VarHandle TAIL;
        private static final java.lang.invoke.VarHandle NEXT;

        static {
            try {
                java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
                TAIL = l.findVarHandle(BrokenQueue.class, "tail", Node.class);
                NEXT = l.findVarHandle(Node.class, "next", Node.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static final class Node {
            final Runnable r;
            Node next;

            Node(Runnable r) {
                this.r = r;
            }
        }

        private Node head = new Node(null);
        private Node tail = head;

        @Override
        public void offer(Runnable r) {
            Node n = new Node(r);
            Node prev = (Node) TAIL.getVolatile(this); // the bug: read, then write, instead of getAndSet
            TAIL.setVolatile(this, n);
            NEXT.setRelease(prev, n);
        }

        @Override
        public Runnable poll() {
            Node next = (Node) NEXT.getAcquire(head);
            if (next == null) {
                return null;
            }
            head = next;
            return next.r;
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
