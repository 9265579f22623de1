package org.guestmem.dirty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.guestmem.bindings.gm_dirty_root;
import org.guestmem.bindings.guestmem_h;
import org.guestmem.nativeshim.CWriters;
import org.guestmem.nativeshim.NativeShim;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Test;

/** guestmem.h's dirty marking against the Java DirtyMemory: the same bits, and growth that stays safe for C. */
class CDirtyMarkingTest {
    static final long PAGE = 4096, KiB = 1024;
    static final int EINVAL = 22, ERANGE = 34;   // Linux errno values

    @Test
    void cAndJavaSeeTheSameBits() {
        NativeShim.ensureLoaded();
        assertEquals(DirtyClient.values().length, guestmem_h.GM_DIRTY_CLIENTS());
        assertEquals(DirtyBitmapDescriptor.ROOT_BYTES, gm_dirty_root.layout().byteSize());
        assertEquals(DirtyClient.ALL, guestmem_h.GM_DIRTY_MASK_ALL());
        assertEquals(DirtyClient.NOCODE, guestmem_h.GM_DIRTY_MASK_NOCODE());
        assertEquals(DirtyClient.MIGRATION.ordinal(), guestmem_h.GM_DIRTY_MIGRATION());
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); DirtyMemory d = new DirtyMemory(rcu, PAGE, 64)) {
            d.grow(256 * PAGE);
            MemorySegment root = d.nativeRoot();
            try (ReadSection s = rcu.read()) {
                // C marks pages 60..70 (across the chunk boundary at 64) for VGA and MIGRATION
                assertEquals(0, guestmem_h.gm_dirty_set_range(root, 60 * PAGE + 1, 10 * PAGE, DirtyClient.NOCODE));
                // Java marks page 200 for CODE; C sees it
                d.setDirtyRange(200 * PAGE, 1, DirtyClient.CODE.mask());
                assertEquals(1, guestmem_h.gm_dirty_test(root, 200 * PAGE, PAGE, DirtyClient.CODE.ordinal()));
                assertEquals(0, guestmem_h.gm_dirty_test(root, 200 * PAGE, PAGE, DirtyClient.VGA.ordinal()));
                assertEquals(-ERANGE, guestmem_h.gm_dirty_set_range(root, 255 * PAGE, PAGE + 1, 1));
                assertEquals(-EINVAL, guestmem_h.gm_dirty_set_range(root, 0, 1, 8));
            }
            assertEquals(11, d.dirtyPages(0, 256 * PAGE, DirtyClient.VGA));
            assertEquals(11, d.dirtyPages(60 * PAGE, 11 * PAGE, DirtyClient.MIGRATION));
            assertFalse(d.isDirty(0, 60 * PAGE, DirtyClient.MIGRATION));
            assertFalse(d.isDirty(71 * PAGE, 100 * PAGE, DirtyClient.MIGRATION));
            assertEquals(0, d.dirtyPages(0, 256 * PAGE, DirtyClient.CODE) - 1, "only Java's page 200 for CODE");
            DirtySnapshot snap = d.snapshotAndClear(0, 256 * PAGE, DirtyClient.MIGRATION);
            assertEquals(11, snap.dirtyPages());
            try (ReadSection s = rcu.read()) {
                assertEquals(0, guestmem_h.gm_dirty_test(root, 0, 256 * PAGE, DirtyClient.MIGRATION.ordinal()), "the take cleared C's bits");
            }
        }
    }

    /**
     * C writers mark a separate DirtyMemory of 64-page chunks while Java grows it a chunk at a time, hundreds
     * of times: each growth republishes the native tables and frees the old ones after a grace period (DG-2,
     * DG-4), so a C reader that kept using a freed table would fail its marks or crash. Afterwards every page
     * the writers changed is dirty.
     */
    @Test
    void growthUnderCWritersLosesNoMark() {
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList list = new RamList(rcu, PAGE);
             DirtyMemory d = new DirtyMemory(rcu, PAGE, 64)) {
            RamBlock ram = list.add(RamBlockSpec.of("ram", 1024 * KiB));
            long span = list.ramEnd();
            d.grow(span);
            int grown = 0;
            CWriters.Stats stats;
            try (CWriters w = CWriters.start(rcu.readerTable(), list.nativeTable().root(), d.nativeRoot(), span, 2, 7,
                    DirtyClient.MIGRATION.mask(), 0, 0)) {
                for (long end = span + 64 * PAGE; grown < 500 || w.written() < 20_000; end += 64 * PAGE) {
                    d.grow(end);
                    grown++;
                    if (grown > 4000) {
                        break;
                    }
                }
                stats = w.stop();
            }
            rcu.drain();
            assertEquals(0, stats.errors(), "no mark failed: " + stats);
            assertEquals(stats.written(), stats.marked());
            assertTrue(stats.written() > 0, "C writers wrote: " + stats);
            long changed = 0;
            for (long off = 0; off < ram.usedLength(); off += PAGE) {
                boolean written = ram.segment().asSlice(off, PAGE).elements(ValueLayout.JAVA_LONG).anyMatch(x -> x.get(ValueLayout.JAVA_LONG, 0) != 0);
                if (written) {
                    changed++;
                    assertTrue(d.isDirty(ram.offset() + off, PAGE, DirtyClient.MIGRATION), "page at 0x" + Long.toHexString(off) + " written by C is dirty");
                }
            }
            assertTrue(changed > 0);
            System.out.printf("C marking under growth: %d growths, %s, %d pages written%n", grown, stats, changed);
        }
    }
}
