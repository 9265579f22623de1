package org.guestmem.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.commons.lang3.Validate;

/**
 * An RCU-protected doubly linked list (QEMU's {@code QLIST_*_RCU}). Updaters ({@link #insertHead},
 * {@link #insertAfter}, {@link #insertBefore}, {@link #remove}) are serialised by the caller's lock; when the
 * list is built with that lock, every update checks that the caller holds it. Readers traverse forward only
 * ({@link #first()}, {@link Node#next()}, {@link #forEach}, {@link #iterator()}) inside a read section of the
 * domain that reclaims the nodes.
 *
 * <p>A node is fully initialised and then published by one release store of the forward link that makes it
 * reachable (pairs with the acquire load in {@link #first()} / {@link Node#next()}). A removed node keeps its
 * forward link, so a reader standing on it continues into the live list; reclaim it with
 * {@link Rcu#callRcu} after removal. Backward links are updater-only.
 *
 * @param <T> the element type
 */
public final class RcuList<T> implements Iterable<T> {
    private static final VarHandle FIRST;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FIRST = l.findVarHandle(RcuList.class, "first", Node.class);
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A list element: its value and its links. */
    public static final class Node<T> {
        private final RcuList<T> list;
        private final T value;
        // Forward link: written by the updater (plain before publication, release once reachable), read by
        // readers with acquire (next()). Kept on removal.
        private Node<T> next;
        // Backward link and removed flag: updater only (under the updater lock).
        private Node<T> prev;
        private boolean removed;

        private Node(RcuList<T> list, T value) {
            this.list = list;
            this.value = value;
        }

        public T value() {
            return value;
        }

        /** Reader: the next node or null (acquire; pairs with the release that published it). */
        @SuppressWarnings("unchecked")
        public Node<T> next() {
            return (Node<T>) NEXT.getAcquire(this);
        }
    }

    // Head link: written by the updater (release), read by readers (acquire in first(), relaxed in isEmpty()).
    private Node<T> first;
    private final ReentrantLock updaterLock;

    /** A list whose updaters the caller serialises. */
    public RcuList() {
        this(null);
    }

    /** A list whose updaters must hold {@code updaterLock} (checked on every update). */
    public RcuList(ReentrantLock updaterLock) {
        this.updaterLock = updaterLock;
    }

    /** Reader: the first node or null (acquire; pairs with the release in the insert that published it). */
    @SuppressWarnings("unchecked")
    public Node<T> first() {
        return (Node<T>) FIRST.getAcquire(this);
    }

    /** True if the list has no node (relaxed, QLIST_EMPTY_RCU: no node is dereferenced). */
    public boolean isEmpty() {
        return FIRST.getOpaque(this) == null;
    }

    /** Updater: inserts {@code value} at the head. */
    public Node<T> insertHead(T value) {
        checkUpdater();
        Node<T> e = new Node<>(this, value);
        e.next = first;
        // Publish: release; pairs with the acquire in first().
        FIRST.setRelease(this, e);
        if (e.next != null) {
            e.next.prev = e;
        }
        return e;
    }

    /** Updater: inserts {@code value} after the linked node {@code position}. */
    public Node<T> insertAfter(Node<T> position, T value) {
        checkUpdater();
        checkLinked(position);
        Node<T> e = new Node<>(this, value);
        e.next = position.next;
        e.prev = position;
        // Publish: release; pairs with the acquire in Node.next().
        NEXT.setRelease(position, e);
        if (e.next != null) {
            e.next.prev = e;
        }
        return e;
    }

    /** Updater: inserts {@code value} before the linked node {@code position}. */
    public Node<T> insertBefore(Node<T> position, T value) {
        checkUpdater();
        checkLinked(position);
        Node<T> e = new Node<>(this, value);
        e.next = position;
        e.prev = position.prev;
        setForward(e.prev, e); // publish
        position.prev = e;
        return e;
    }

    /** Updater: unlinks {@code node}; its forward link stays, so readers standing on it can go on. */
    public void remove(Node<T> node) {
        checkUpdater();
        checkLinked(node);
        Node<T> successor = node.next;
        if (successor != null) {
            successor.prev = node.prev;
        }
        // QEMU stores this link relaxed; here it is a release store, because the JMM has no dependency
        // ordering: it gives a reader that reaches the successor through it a happens-before edge to the
        // successor's initialisation. Pairs with the acquire in first() / Node.next().
        setForward(node.prev, successor);
        node.removed = true;
    }

    /** Reader: applies {@code action} to every value, front to back. */
    public void forEach(Consumer<? super T> action) {
        for (Node<T> n = first(); n != null; n = n.next()) {
            action.accept(n.value);
        }
    }

    /** Reader: a forward iterator (allocates; prefer {@link #first()} / {@link Node#next()} on hot paths). */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Node<T> cursor = first();

            @Override
            public boolean hasNext() {
                return cursor != null;
            }

            @Override
            public T next() {
                if (cursor == null) {
                    throw new NoSuchElementException("RcuList iterator past the last node");
                }
                T v = cursor.value;
                cursor = cursor.next();
                return v;
            }
        };
    }

    private void setForward(Node<T> predecessor, Node<T> target) {
        if (predecessor == null) {
            FIRST.setRelease(this, target);
        } else {
            NEXT.setRelease(predecessor, target);
        }
    }

    private void checkLinked(Node<T> node) {
        Validate.notNull(node, "node");
        if (node.list != this) {
            throw new IllegalArgumentException("node " + node.value + " belongs to another RcuList");
        }
        if (node.removed) {
            throw new IllegalArgumentException("node " + node.value + " was already removed from this RcuList");
        }
    }

    private void checkUpdater() {
        if (updaterLock != null && !updaterLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("RcuList update by " + Thread.currentThread().getName()
                    + " without holding the updater lock");
        }
    }
}
