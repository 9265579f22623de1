package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Ports of QEMU's tests/unit/test-xbzrle.c, plus the word-wise encoder checked against a byte-wise model. */
class XbzrleTest {
    static final int PAGE = 4096;
    static final long SEED = Long.getLong("guestmem.test.seed", 0x5eed);

    static int ulebLen(int n) {
        return n < 0x80 ? 1 : 2;
    }

    @Test
    void uleb() {
        byte[] buf = new byte[2];
        int[] val = new int[1];
        for (int i = 0; i <= 0x3fff; i++) {
            int enc = Xbzrle.ulebEncode(i, buf, 0);
            int dec = Xbzrle.ulebDecode(buf, 0, val);
            assertEquals(enc, dec);
            assertEquals(i, val[0]);
        }
        // {0x80, 0x80}: -1, and the value holds the first byte's low bits, 0.
        val[0] = 77;
        assertEquals(-1, Xbzrle.ulebDecode(new byte[] {(byte) 0x80, (byte) 0x80}, 0, val));
        assertEquals(0, val[0]);
        assertThrows(IllegalArgumentException.class, () -> Xbzrle.ulebEncode(0x4000, buf, 0));
        // Non-canonical 0x80 0x00 is accepted as 0.
        assertEquals(2, Xbzrle.ulebDecode(new byte[] {(byte) 0x80, 0}, 0, val));
        assertEquals(0, val[0]);
    }

    @Test
    void encodeDecodeZero() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        byte[] buffer = new byte[PAGE], compressed = new byte[PAGE];
        int diffLen = rnd.nextInt(3090);
        for (int i = diffLen; i > 0; i--) {
            buffer[1000 + i] = (byte) i;
        }
        buffer[1000 + diffLen + 3] = 103;
        buffer[1000 + diffLen + 5] = 105;
        assertEquals(0, Xbzrle.encode(buffer, buffer, PAGE, compressed, PAGE));
    }

    @Test
    void encodeDecodeUnchanged() {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        byte[] test = new byte[PAGE], compressed = new byte[PAGE];
        int diffLen = rnd.nextInt(3090);
        for (int i = diffLen; i > 0; i--) {
            test[1000 + i] = (byte) (i + 4);
        }
        test[1000 + diffLen + 3] = 107;
        test[1000 + diffLen + 5] = 109;
        assertEquals(0, Xbzrle.encode(test, test, PAGE, compressed, PAGE));
    }

    @Test
    void encodeDecode1Byte() {
        byte[] buffer = new byte[PAGE], test = new byte[PAGE], compressed = new byte[PAGE];
        test[PAGE - 1] = 1;
        int len = Xbzrle.encode(buffer, test, PAGE, compressed, PAGE);
        assertEquals(ulebLen(PAGE - 1) + 2, len);
        assertEquals(4, len);
        assertEquals(PAGE, Xbzrle.decode(compressed, len, buffer, PAGE));
        assertArrayEquals(test, buffer);
    }

    @Test
    void encodeDecodeOverflow() {
        byte[] buffer = new byte[PAGE], test = new byte[PAGE], compressed = new byte[PAGE];
        for (int i = 0; i < PAGE / 2 - 1; i++) {
            test[i * 2] = 1;
        }
        assertEquals(-1, Xbzrle.encode(buffer, test, PAGE, compressed, PAGE));
    }

    @Test
    void encodeDecode() {
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        for (int n = 0; n < 10_000; n++) {
            byte[] buffer = new byte[PAGE], test = new byte[PAGE], compressed = new byte[PAGE];
            int diffLen = rnd.nextInt(3090);
            for (int i = diffLen; i > 0; i--) {
                buffer[1000 + i] = (byte) i;
                test[1000 + i] = (byte) (i + 4);
            }
            buffer[1000 + diffLen + 3] = 103;
            test[1000 + diffLen + 3] = 107;
            buffer[1000 + diffLen + 5] = 105;
            test[1000 + diffLen + 5] = 109;
            int rc = Xbzrle.encode(test, buffer, PAGE, compressed, PAGE);
            assertTrue(rc < PAGE);
            int rc2 = Xbzrle.decode(compressed, rc, test, PAGE);
            assertTrue(rc2 >= 0 && rc2 <= PAGE);
            assertArrayEquals(buffer, test);
        }
    }

    /** Byte-at-a-time encoder straight from the grammar: the word-wise one must write the same bytes. */
    static int referenceEncode(byte[] old, byte[] cur, int slen, byte[] dst, int dlen) {
        int i = 0, d = 0;
        while (i < slen) {
            if (d + 2 > dlen) {
                return -1;
            }
            int z = 0;
            while (i < slen && old[i] == cur[i]) {
                z++;
                i++;
            }
            if (z == slen) {
                return 0;
            }
            if (i == slen) {
                return d;
            }
            d += Xbzrle.ulebEncode(z, dst, d);
            if (d + 2 > dlen) {
                return -1;
            }
            int nz = 0, start = i;
            while (i < slen && old[i] != cur[i]) {
                nz++;
                i++;
            }
            d += Xbzrle.ulebEncode(nz, dst, d);
            if (d + nz > dlen) {
                return -1;
            }
            System.arraycopy(cur, start, dst, d, nz);
            d += nz;
        }
        return d;
    }

    @Test
    void wordWiseEncoderMatchesTheByteWiseModel() {
        SplittableRandom rnd = new SplittableRandom(SEED + 3);
        for (int n = 0; n < 3000; n++) {
            byte[] old = new byte[PAGE];
            rnd.nextBytes(old);
            byte[] cur = old.clone();
            int changes = rnd.nextInt(n % 7 == 0 ? 3000 : 60);
            for (int c = 0; c < changes; c++) {
                int at = rnd.nextInt(PAGE), len = 1 + rnd.nextInt(n % 3 == 0 ? 40 : 3);
                for (int k = at; k < Math.min(PAGE, at + len); k++) {
                    cur[k] = (byte) (old[k] + 1 + rnd.nextInt(255));
                }
            }
            int dlen = n % 5 == 0 ? 1 + rnd.nextInt(PAGE) : PAGE;
            byte[] a = new byte[PAGE], b = new byte[PAGE];
            int la = Xbzrle.encode(old, cur, PAGE, a, dlen), lb = referenceEncode(old, cur, PAGE, b, dlen);
            assertEquals(lb, la, "case " + n);
            if (la > 0) {
                assertArrayEquals(Arrays.copyOf(b, lb), Arrays.copyOf(a, la));
                byte[] base = old.clone();
                assertTrue(Xbzrle.decode(a, la, base, PAGE) >= 0);
                assertArrayEquals(cur, base);
            }
        }
    }

    @Test
    void decoderRejectsMalformedData() {
        byte[] dst = new byte[PAGE];
        assertEquals(-1, Xbzrle.decode(new byte[] {0}, 1, dst, PAGE), "one byte left: not enough for a run");
        assertEquals(-1, Xbzrle.decode(new byte[] {0, 0}, 2, dst, PAGE), "nzrun 0");
        assertEquals(-1, Xbzrle.decode(new byte[] {0, 1, 9, 0, 1, 9}, 6, dst, PAGE), "a middle zrun of 0");
        assertEquals(-1, Xbzrle.decode(new byte[] {0, 5, 1, 2}, 4, dst, PAGE), "nzrun past the data");
        assertEquals(-1, Xbzrle.decode(new byte[] {(byte) 0xff, 0x7f, 1, 1}, 4, dst, PAGE), "zrun past the page");
        assertEquals(-1, Xbzrle.decode(new byte[] {(byte) 0x80, (byte) 0x80, 1, 1}, 4, dst, PAGE), "bad uleb");
        assertEquals(3, Xbzrle.decode(new byte[] {2, 1, 9}, 3, dst, PAGE));
        assertEquals(9, dst[2]);
        assertEquals(0, Xbzrle.decode(new byte[0], 0, dst, PAGE), "empty data changes nothing");
    }

    /** Short runs are copied with overlapping moves: never past dlen, and the bytes around a run keep their values. */
    @Test
    void shortRunsNearTheEndStayInsideDlen() {
        byte[] dst = new byte[PAGE + 16];
        Arrays.fill(dst, (byte) 0x5a);
        // zrun PAGE-3 (2 bytes), nzrun 3: the last three bytes of the page
        byte[] enc = {(byte) ((PAGE - 3) & 0x7f | 0x80), (byte) ((PAGE - 3) >>> 7), 3, 1, 2, 3};
        assertEquals(PAGE, Xbzrle.decode(enc, enc.length, dst, PAGE));
        assertArrayEquals(new byte[] {0x5a, 1, 2, 3}, Arrays.copyOfRange(dst, PAGE - 4, PAGE));
        for (int i = PAGE; i < dst.length; i++) {
            assertEquals(0x5a, dst[i], "byte " + i + " past dlen");
        }
        // a 2-byte run in the middle: its neighbours are untouched
        byte[] mid = {10, 2, 7, 8};
        assertEquals(12, Xbzrle.decode(mid, mid.length, dst, PAGE));
        assertArrayEquals(new byte[] {0x5a, 7, 8, 0x5a, 0x5a}, Arrays.copyOfRange(dst, 9, 14));
        // every run length up to past the arraycopy threshold: exactly the run's bytes change
        for (int n = 1; n <= 20; n++) {
            byte[] page = new byte[PAGE];
            Arrays.fill(page, (byte) 0x5a);
            byte[] run = {100, (byte) n};
            byte[] data = Arrays.copyOf(run, 2 + n);
            for (int k = 0; k < n; k++) {
                data[2 + k] = (byte) (k + 1);
            }
            assertEquals(100 + n, Xbzrle.decode(data, data.length, page, PAGE));
            for (int k = 0; k < PAGE; k++) {
                assertEquals(k >= 100 && k < 100 + n ? k - 99 : 0x5a, page[k], "run of " + n + ", byte " + k);
            }
        }
    }
}
