package org.guestmem.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The queue of {@code callRcu} callbacks: wait-free for any number of producers, one consumer (the
 * reclaimer). A producer swaps itself in as the tail, then links the old tail to its node; FIFO is the
 * order of the swaps. Between the swap and the link a producer's node (and every node behind it) is not
 * yet reachable, so {@link #poll()} may return null although a producer has started: the consumer counts
 * how many callbacks it expects and retries (QEMU's {@code call_rcu} queue works the same way).
 */
final class CallbackQueue {
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(CallbackQueue.class, "tail", Node.class);
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final class Node {
        // Written by the producer before the node is published (the release in offer), cleared by the consumer.
        Runnable callback;
        // Written once by the producer that enqueues the next node (release in offer); read by the consumer
        // (acquire in poll). Accessed only through NEXT.
        @SuppressWarnings("unused")
        private Node next;

        Node(Runnable callback) {
            this.callback = callback;
        }
    }

    // Consumer only: the last node handed out (its callback already taken), initially a stub.
    private Node head;
    // Swapped by producers (getAndSet, seq_cst); accessed only through TAIL.
    @SuppressWarnings("unused")
    private Node tail;

    CallbackQueue() {
        Node stub = new Node(null);
        head = stub;
        tail = stub;
    }

    /** Appends {@code callback}; wait-free, any thread. */
    void offer(Runnable callback) {
        Node node = new Node(callback);
        Node previous = (Node) TAIL.getAndSet(this, node);
        // Release: the node's callback is visible to the consumer that acquires this link in poll().
        NEXT.setRelease(previous, node);
    }

    /** Takes the oldest linked callback, or null if none is linked yet; consumer thread only. */
    Runnable poll() {
        // Acquire; pairs with the release in offer().
        Node next = (Node) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        head = next;
        Runnable callback = next.callback;
        next.callback = null; // the node stays as the stub: do not keep the callback reachable
        return callback;
    }
}
