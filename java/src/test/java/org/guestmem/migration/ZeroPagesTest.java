package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** A port of QEMU's test-bufferiszero, for the chosen scan and the alternative. */
class ZeroPagesTest {
    interface Scan {
        boolean isZero(MemorySegment seg, long off, long len);
    }

    static final Scan[] SCANS = {ZeroPages::isZero, ZeroPages::isZeroByMismatch, ZeroPages::isZeroByLongs};

    @Test
    void bigBufferZeroAndLastByteSet() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8 << 20);
            for (Scan s : SCANS) {
                assertTrue(s.isZero(buf, 0, buf.byteSize()));
            }
            buf.set(ValueLayout.JAVA_BYTE, buf.byteSize() - 1, (byte) 1);
            for (Scan s : SCANS) {
                assertFalse(s.isZero(buf, 0, buf.byteSize()));
            }
        }
    }

    @Test
    void everyAlignmentSizeAndMarker() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64 + 1024 + 64);
            for (Scan scan : SCANS) {
                for (int al = 1; al <= 64; al++) {
                    for (int s = 1; s < 1024; s += (s < 80 ? 1 : 13)) {
                        buf.fill((byte) 0);
                        buf.set(ValueLayout.JAVA_BYTE, al - 1, (byte) 1);      // guard bytes
                        buf.set(ValueLayout.JAVA_BYTE, al + s, (byte) 1);
                        assertTrue(scan.isZero(buf, al, s), "align " + al + " size " + s);
                        for (int m = 0; m < s; m += (s < 80 ? 1 : 7)) {
                            buf.set(ValueLayout.JAVA_BYTE, al + m, (byte) 0x80);
                            assertFalse(scan.isZero(buf, al, s), "align " + al + " size " + s + " marker " + m);
                            buf.set(ValueLayout.JAVA_BYTE, al + m, (byte) 0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void emptyIsZeroAndBadRangesThrow() {
        MemorySegment seg = MemorySegment.ofArray(new byte[16]);
        assertTrue(ZeroPages.isZero(seg, 16, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroPages.isZero(seg, 8, 9));
        assertTrue(e.getMessage().contains("[8, +9)"), e.getMessage());
        assertEquals(16, seg.byteSize());
    }
}
