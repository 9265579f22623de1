package org.guestmem.ram;

import static org.guestmem.ram.RamListTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    static final long MiB = 1 << 20, PAGE = 4096;
    Rcu rcu;
    RamList list;
    GuestMemory mem;
    RamBlock a, b;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
        a = list.add(RamBlockSpec.of("a", MiB));          // [0, 1 MiB)
        b = list.add(RamBlockSpec.of("b", MiB));          // [1 MiB, 2 MiB): contiguous with a
        mem = new GuestMemory(list);
        for (DirtyClient c : DirtyClient.values()) {
            list.dirtyMemory().testAndClear(0, 2 * MiB, c);
        }
    }

    @AfterEach
    void tearDown() {
        list.close();
        rcu.close();
    }

    @Test
    void scalarsRoundTripLittleEndianAndMarkDirty() {
        mem.writeLong(8, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, mem.readLong(8));
        assertEquals(0x08, mem.readByte(8), "little-endian like an x86 guest");
        mem.writeInt(MiB + 4, 0xcafebabe);
        assertEquals(0xcafebabe, mem.readInt(MiB + 4));
        assertEquals(0xcafebabe, b.segment().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4));
        mem.writeByte(3 * PAGE, (byte) 7);
        assertEquals(7, mem.readByte(3 * PAGE));
        var d = list.dirtyMemory();
        assertEquals(3, d.dirtyPages(0, 2 * MiB, DirtyClient.MIGRATION), "pages 0, 3 and 256 are dirty");
        assertEquals(3, d.dirtyPages(0, 2 * MiB, DirtyClient.VGA));
    }

    @Test
    void bulkCopiesCrossContiguousBlocks() {
        byte[] data = new byte[3 * (int) PAGE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        long at = MiB - PAGE;                              // last page of a, first two of b
        mem.write(at, data);
        byte[] back = new byte[data.length];
        mem.read(at, back);
        assertArrayEquals(data, back);
        assertEquals(data[0], a.segment().get(ValueLayout.JAVA_BYTE, MiB - PAGE));
        assertEquals(data[(int) PAGE], b.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(3, list.dirtyMemory().dirtyPages(0, 2 * MiB, DirtyClient.MIGRATION));
        mem.fill(MiB - 10, 20, (byte) 0x55);
        assertEquals(0x55, mem.readByte(MiB - 10));
        assertEquals(0x55, mem.readByte(MiB + 9));
    }

    @Test
    void viewsAreZeroCopyAndDieWithTheirBlock() {
        MemorySegment v = mem.view(MiB + PAGE, PAGE);
        v.set(ValueLayout.JAVA_LONG, 0, 99);
        assertEquals(99, mem.readLong(MiB + PAGE), "the view is the guest's memory");
        assertEquals(0, list.dirtyMemory().dirtyPages(0, 2 * MiB, DirtyClient.MIGRATION), "views are not dirty-tracked");
        mem.markDirty(MiB + PAGE, 8);
        assertEquals(1, list.dirtyMemory().dirtyPages(0, 2 * MiB, DirtyClient.MIGRATION));
        list.free(b);
        rcu.drain();
        assertThrows(IllegalStateException.class, () -> v.get(ValueLayout.JAVA_LONG, 0), "after free + grace period the view throws, never crashes");
    }

    @Test
    void clientMaskSelectsWhoSeesWrites() {
        GuestMemory migOnly = new GuestMemory(list, DirtyClient.MIGRATION.mask());
        migOnly.writeLong(0, 1);
        assertEquals(1, list.dirtyMemory().dirtyPages(0, MiB, DirtyClient.MIGRATION));
        assertEquals(0, list.dirtyMemory().dirtyPages(0, MiB, DirtyClient.VGA));
        expect(IllegalArgumentException.class, "unknown bits", () -> new GuestMemory(list, 0x10));
    }

    @Test
    void badAddressesAndRangesNameTheValue() {
        expect(IllegalArgumentException.class, "0x200000", () -> mem.readLong(2 * MiB));
        expect(IllegalArgumentException.class, "negative", () -> mem.readByte(-1));
        expect(IllegalArgumentException.class, "past the used length", () -> mem.readLong(2 * MiB - 4));
        byte[] ones = new byte[16];
        java.util.Arrays.fill(ones, (byte) 0x11);
        expect(IllegalArgumentException.class, "0x200000", () -> mem.write(2 * MiB - 8, ones));
        assertEquals(0, mem.readLong(2 * MiB - 8), "a write that runs off the end touches nothing");
        expect(IllegalArgumentException.class, "outside the buffer", () -> mem.read(0, MemorySegment.ofArray(new byte[4]), 2, 4));
        expect(IllegalArgumentException.class, "must be positive", () -> mem.view(0, 0));
        expect(IllegalArgumentException.class, "past the used length", () -> mem.view(MiB - 8, 16));
    }
}
