package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** RcuList's updater and reader operations, single-threaded (the concurrent port is RcuListTortureTest). */
class RcuListTest {
    private static List<String> values(RcuList<String> list) {
        List<String> out = new ArrayList<>();
        list.forEach(out::add);
        return out;
    }

    @Test
    void insertsAndRemovesKeepTheOrder() {
        RcuList<String> list = new RcuList<>();
        assertTrue(list.isEmpty());
        RcuList.Node<String> c = list.insertHead("c");
        RcuList.Node<String> a = list.insertHead("a");
        list.insertAfter(a, "b");
        list.insertAfter(c, "e");
        list.insertBefore(list.first().next().next().next(), "d"); // before e
        list.insertBefore(a, "0");
        assertEquals(List.of("0", "a", "b", "c", "d", "e"), values(list));
        list.remove(c);
        list.remove(list.first());
        assertEquals(List.of("a", "b", "d", "e"), values(list));
        List<String> iterated = new ArrayList<>();
        for (String s : list) {
            iterated.add(s);
        }
        assertEquals(values(list), iterated);
    }

    @Test
    void aRemovedNodeKeepsItsForwardLinkSoAReaderOnItContinues() {
        RcuList<String> list = new RcuList<>();
        RcuList.Node<String> c = list.insertHead("c");
        RcuList.Node<String> b = list.insertHead("b");
        RcuList.Node<String> a = list.insertHead("a");
        RcuList.Node<String> standingOn = b; // a reader is here
        list.remove(b);
        list.remove(a);
        assertSame(c, standingOn.next(), "the removed node still leads into the live list");
        assertEquals(List.of("c"), values(list));
        assertSame(c, a.next(), "a was removed after b: its link skips b");
    }

    @Test
    void misuseIsRefused() {
        RcuList<String> list = new RcuList<>();
        RcuList<String> other = new RcuList<>();
        RcuList.Node<String> a = list.insertHead("a");
        RcuList.Node<String> foreign = other.insertHead("x");
        list.remove(a);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> list.remove(a));
        assertTrue(twice.getMessage().contains("already removed"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> list.insertAfter(a, "b"));
        IllegalArgumentException wrongList = assertThrows(IllegalArgumentException.class, () -> list.remove(foreign));
        assertTrue(wrongList.getMessage().contains("another RcuList"), wrongList.getMessage());
        assertThrows(NullPointerException.class, () -> list.insertAfter(null, "b"));
    }

    @Test
    void aListBuiltWithItsLockChecksThatUpdatersHoldIt() {
        ReentrantLock lock = new ReentrantLock();
        RcuList<String> list = new RcuList<>(lock);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> list.insertHead("a"));
        assertTrue(e.getMessage().contains("updater lock"), e.getMessage());
        lock.lock();
        try {
            list.insertHead("a");
        } finally {
            lock.unlock();
        }
        assertEquals(List.of("a"), values(list));
    }
}
