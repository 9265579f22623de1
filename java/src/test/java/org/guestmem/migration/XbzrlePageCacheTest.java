package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** QEMU's page_cache.c behaviour: sizes, direct mapping by RAM address, aging over two syncs. */
class XbzrlePageCacheTest {
    static final int PAGE = 4096;

    static byte[] filled(int v) {
        byte[] b = new byte[PAGE];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void sizesMustGiveAPowerOfTwoPages() {
        assertEquals(16, new XbzrlePageCache(16 * PAGE, PAGE).slots());
        assertEquals(16384, new XbzrlePageCache(XbzrlePageCache.DEFAULT_SIZE, PAGE).slots());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new XbzrlePageCache(3 * PAGE, PAGE));
        assertTrue(e.getMessage().contains("power of two") && e.getMessage().contains("3 pages"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new XbzrlePageCache(PAGE - 1, PAGE));
        assertTrue(e.getMessage().contains("smaller than the target page size"), e.getMessage());
    }

    @Test
    void insertThenHitAndTheCopyIsACopy() {
        XbzrlePageCache c = new XbzrlePageCache(4 * PAGE, PAGE);
        assertFalse(c.isCached(0x10000, 1));
        byte[] p = filled(7);
        assertEquals(0, c.insert(0x10000, p, 1));
        p[0] = 9;
        assertTrue(c.isCached(0x10000, 1));
        assertArrayEquals(filled(7), c.data(0x10000));
        assertFalse(c.isCached(0x10000 + 4 * PAGE, 1), "same slot, other address: a miss");
    }

    @Test
    void aFreshPageIsNotEvictedUntilTwoGenerationsPassed() {
        XbzrlePageCache c = new XbzrlePageCache(4 * PAGE, PAGE);
        long a = 0, b = 4 * PAGE;                           // both map to slot 0
        assertEquals(0, c.insert(a, filled(1), 5));
        assertEquals(-1, c.insert(b, filled(2), 5), "age 5 + 2 > 5");
        assertEquals(-1, c.insert(b, filled(2), 6), "age 5 + 2 > 6");
        assertTrue(c.isCached(a, 6), "a hit refreshes the age to 6");
        assertEquals(-1, c.insert(b, filled(2), 7), "refreshed: 6 + 2 > 7");
        assertEquals(0, c.insert(b, filled(2), 8), "6 + 2 <= 8: evicted");
        assertTrue(c.isCached(b, 8));
        assertFalse(c.isCached(a, 8));
        assertArrayEquals(filled(2), c.data(b));
        assertEquals(0, c.insert(b, filled(3), 8), "the same address is always replaced");
        assertArrayEquals(filled(3), c.data(b));
    }
}
