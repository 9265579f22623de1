package org.guestmem.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract of RamList: every operation and every bad input. */
class RamListTest {
    static final long KiB = 1024, MiB = 1024 * KiB, PAGE = 4096;
    Rcu rcu;
    RamList list;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
    }

    @AfterEach
    void tearDown() {
        list.close();
        rcu.close();
    }

    @Test
    void addPlacesBlocksBestFitAlignedAndListsThemBiggestFirst() {
        RamBlock a = list.add(RamBlockSpec.of("pc.ram", 4 * MiB));
        RamBlock b = list.add(RamBlockSpec.of("vga.vram", 1 * MiB));
        RamBlock c = list.add(RamBlockSpec.of("pc.bios", 256 * KiB));
        RamBlock d = list.add(RamBlockSpec.of("big", 8 * MiB));
        assertEquals(0, a.offset());
        assertEquals(4 * MiB, b.offset());
        assertEquals(5 * MiB, c.offset());
        assertEquals(0, d.offset() % (64 * PAGE), "every block starts on a bitmap word (64 target pages)");
        assertEquals(List.of(d, a, b, c), list.blocks(), "QEMU's order: max length descending");
        // Free the middle one: its gap is the best fit for a block that fits it.
        list.free(b);
        RamBlock e = list.add(RamBlockSpec.of("small", 512 * KiB));
        assertEquals(4 * MiB, e.offset(), "best fit reuses the freed gap");
    }

    @Test
    void lookupResolvesEveryByteOfEveryBlockAndRejectsTheRest() {
        RamBlock a = list.add(RamBlockSpec.of("a", 2 * MiB));
        RamBlock b = list.add(RamBlockSpec.resizeable("b", 1 * MiB, 4 * MiB));
        try (ReadSection s = rcu.read()) {
            assertSame(a, list.lookup(0));
            assertSame(a, list.lookup(2 * MiB - 1));
            assertSame(b, list.lookup(b.offset()));
            assertSame(b, list.lookup(b.offset() + 3 * MiB), "like QEMU, [used, max) resolves to the block");
            assertSame(a, list.lookup(5), "MRU switches back");
            assertSame(b, list.lookupByScan(b.offset() + 5));
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> list.lookup(b.offset() + 4 * MiB + 7));
            assertTrue(ex.getMessage().contains("0x" + Long.toHexString(b.offset() + 4 * MiB + 7)), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> list.lookup(-1));
            assertThrows(IllegalArgumentException.class, () -> list.lookupByScan(1L << 50));
        }
        assertSame(b, list.block("b"));
        assertNull(list.findBlock("nope"));
        assertThrows(IllegalArgumentException.class, () -> list.block("nope"));
        RamList.HostLocation h = list.lookupHost(b.hostAddress() + 12345);
        assertSame(b, h.block());
        assertEquals(12345, h.offset());
        assertEquals(b.offset() + 12345, h.ramAddress());
        assertThrows(IllegalArgumentException.class, () -> list.lookupHost(1));
    }

    @Test
    void versionMovesOnAddAndFreeButNotOnResize() {
        long v0 = list.version();
        RamBlock r = list.add(RamBlockSpec.resizeable("r", 1 * MiB, 4 * MiB));
        assertEquals(v0 + 1, list.version());
        list.resize(r, 2 * MiB);
        assertEquals(v0 + 1, list.version());
        assertEquals(2 * MiB, r.usedLength());
        list.free(r);
        assertEquals(v0 + 2, list.versionOpaque());
    }

    @Test
    void newBlocksAndResizedBlocksAreDirtyForEveryClient() {
        RamBlock r = list.add(RamBlockSpec.resizeable("r", 1 * MiB, 4 * MiB));
        var dirty = list.dirtyMemory();
        for (DirtyClient c : DirtyClient.values()) {
            assertEquals(MiB / PAGE, dirty.dirtyPages(r.offset(), 4 * MiB, c), c + ": used length dirty, the rest clean");
            assertTrue(dirty.testAndClear(r.offset(), 4 * MiB, c));
            assertEquals(0, dirty.dirtyPages(r.offset(), 4 * MiB, c));
        }
        list.resize(r, 3 * MiB);
        assertEquals(3 * MiB / PAGE, dirty.dirtyPages(r.offset(), 4 * MiB, DirtyClient.MIGRATION));
    }

    @Test
    void freedBlockIsReclaimedAfterAGracePeriodAndThenThrowsOnAccess() {
        RamBlock a = list.add(RamBlockSpec.of("a", 1 * MiB));
        a.segment().set(ValueLayout.JAVA_LONG, 0, 42);
        try (ReadSection s = rcu.read()) {
            RamBlock seen = list.lookup(0);
            list.free(a);
            assertTrue(a.isRemoved());
            assertEquals(42, seen.segment().get(ValueLayout.JAVA_LONG, 0), "a reader inside its section still reads the freed block");
        }
        rcu.drain();
        assertFalse(a.isMapped());
        assertThrows(IllegalStateException.class, () -> a.segment().get(ValueLayout.JAVA_LONG, 0));
        try (ReadSection s = rcu.read()) {
            assertThrows(IllegalArgumentException.class, () -> list.lookup(0), "and nobody finds it any more");
        }
    }

    @Test
    void badInputIsRefusedWithTheValueInTheMessage(@TempDir Path dir) throws Exception {
        RamBlock fixed = list.add(RamBlockSpec.of("fixed", 1 * MiB));
        RamBlock res = list.add(RamBlockSpec.resizeable("res", 1 * MiB, 2 * MiB));
        expect(IllegalArgumentException.class, "already exists", () -> list.add(RamBlockSpec.of("fixed", 1 * MiB)));
        expect(IllegalArgumentException.class, "not a multiple of the target page size", () -> list.add(RamBlockSpec.of("odd", 4096 + 512)));
        expect(IllegalArgumentException.class, "must be positive", () -> RamBlockSpec.of("zero", 0));
        expect(IllegalArgumentException.class, "not RESIZEABLE", () -> new RamBlockSpec("x", MiB, 2 * MiB, Backing.anonymous(), EnumSet.noneOf(RamBlock.Flag.class)));
        expect(IllegalArgumentException.class, "must not be empty", () -> RamBlockSpec.of("", MiB));
        expect(IllegalArgumentException.class, "limit is 255", () -> RamBlockSpec.of("n".repeat(256), MiB));
        expect(IllegalArgumentException.class, "control character", () -> RamBlockSpec.of("a\nb", MiB));
        expect(IllegalArgumentException.class, "is not resizeable", () -> list.resize(fixed, 2 * MiB));
        expect(IllegalArgumentException.class, "outside (0, max length 2097152]", () -> list.resize(res, 3 * MiB));
        expect(IllegalArgumentException.class, "not a multiple", () -> list.resize(res, MiB + 100));
        expect(IllegalArgumentException.class, "does not exist", () -> list.add(RamBlockSpec.of("file", MiB).withBacking(Backing.file(dir.resolve("missing"), 0, true))));
        list.free(fixed);
        expect(IllegalStateException.class, "already freed", () -> list.free(fixed));
        expect(IllegalStateException.class, "was freed", () -> list.resize(fixed, MiB));
        try (Rcu other = Rcu.create(Rcu.Flavor.FENCE); RamList otherList = new RamList(other, PAGE)) {
            RamBlock foreign = otherList.add(RamBlockSpec.of("res", MiB));
            expect(IllegalArgumentException.class, "does not belong", () -> list.free(foreign));
        }
        expect(IllegalArgumentException.class, "power of two", () -> new RamList(rcu, 3000));
    }

    @Test
    void memfdAndFileBackedBlocksAreShared(@TempDir Path dir) throws Exception {
        RamBlock m = list.add(RamBlockSpec.of("shared", 2 * MiB).withBacking(Backing.memfd()));
        assertTrue(m.isShared());
        assertTrue(m.fd() >= 0);
        Path img = dir.resolve("ram.img");
        Files.write(img, new byte[(int) (1 * MiB)]);
        RamBlock f = list.add(RamBlockSpec.of("file", MiB).withBacking(Backing.file(img, 0, true)));
        f.segment().set(ValueLayout.JAVA_BYTE, 10, (byte) 9);
        list.free(f);
        rcu.drain();
        assertEquals(9, Files.readAllBytes(img)[10]);
    }

    @Test
    void listenersSeeChangesAndCanVetoHotplug() {
        List<String> events = new ArrayList<>();
        list.addListener(new RamListListener() {
            @Override
            public void checkHotplug(RamBlockSpec adding, RamBlock removing) {
                if (adding != null && adding.name().startsWith("veto")) {
                    throw new IllegalStateException("hot-plug of '" + adding.name() + "' refused");
                }
            }

            @Override
            public void blockAdded(RamBlock b) {
                events.add("add " + b.name());
            }

            @Override
            public void blockRemoved(RamBlock b) {
                events.add("free " + b.name());
            }

            @Override
            public void blockResized(RamBlock b, long o, long n) {
                events.add("resize " + b.name() + " " + o + "->" + n);
            }
        });
        RamBlock r = list.add(RamBlockSpec.resizeable("r", MiB, 2 * MiB));
        list.resize(r, 2 * MiB);
        list.free(r);
        long v = list.version();
        expect(IllegalStateException.class, "refused", () -> list.add(RamBlockSpec.of("veto-me", MiB)));
        assertEquals(v, list.version(), "a vetoed add changes nothing");
        assertNull(list.findBlock("veto-me"));
        assertEquals(List.of("add r", "resize r 1048576->2097152", "free r"), events);
    }

    @Test
    void cursorDropsItsBlockWhenTheVersionMoved() {
        RamBlock a = list.add(RamBlockSpec.of("a", 2 * MiB));
        RamBlock b = list.add(RamBlockSpec.of("b", MiB));
        MigrationCursor cur = list.cursor();
        try (ReadSection s = rcu.read()) {
            assertSame(a, cur.begin());
            assertSame(b, cur.next());
        }
        try (ReadSection s = rcu.read()) {
            assertFalse(cur.refresh(), "nothing changed: keep the block");
            assertSame(b, cur.lastSeenBlock());
        }
        list.free(b);
        try (ReadSection s = rcu.read()) {
            assertTrue(cur.refresh(), "R-2-1 sees the moved version");
            assertNotEquals(b, cur.lastSeenBlock());
            assertSame(a, cur.lastSeenBlock(), "R-2-2: restarted from the head");
            assertEquals(1, cur.resets());
        }
    }

    static void expect(Class<? extends Throwable> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage() != null && t.getMessage().contains(fragment), "message '" + t.getMessage() + "' should contain '" + fragment + "'");
    }
}
