package org.guestmem.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import org.guestmem.testing.ProcSelf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMemoryTest {
    static final long MiB = 1L << 20, GiB = 1L << 30;

    /** Resident bytes inside the mapping itself (pagemap), not the process RSS that the JIT and GC move too. */
    static long residentBytes(HostMapping m) throws IOException {
        return ProcSelf.residentKiB(m.address(), m.size()) * 1024;
    }

    @Test
    void oneGibAnonymousCommitsNoMemory() throws IOException {
        try (HostMapping m = HostMemory.anonymous(GiB)) {
            long grown = residentBytes(m);
            assertEquals(0, grown, "mapping 1 GiB made " + grown + " bytes of it resident");
            assertEquals(GiB, m.size());
            assertEquals(0, m.address() % (2 * MiB), "2 MiB aligned like QEMU_VMALLOC_ALIGN");
            assertEquals(HostMapping.Kind.ANONYMOUS, m.kind());
            assertEquals(-1, m.fd());
            MemorySegment s = m.segment();
            s.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            s.set(ValueLayout.JAVA_LONG, GiB - 8, 42L);
            assertEquals(0x1122334455667788L, s.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(42L, s.get(ValueLayout.JAVA_LONG, GiB - 8));
            assertEquals(0L, s.get(ValueLayout.JAVA_LONG, GiB / 2), "untouched memory reads zero");
            long touched = residentBytes(m);
            // two pages written, one read (the zero page, which pagemap shows present): three huge pages at most
            assertTrue(touched > 0 && touched <= 6 * MiB, "touching three pages maps only those (huge pages at most): " + touched);
        }
    }

    @Test
    void accessAfterCloseThrowsInsteadOfCrashing() {
        HostMapping m = HostMemory.anonymous(4 * MiB);
        MemorySegment s = m.segment();
        MemorySegment slice = s.asSlice(MiB, 4096);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        m.close();
        assertFalse(m.isAlive());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> slice.set(ValueLayout.JAVA_INT, 0, 7));
        IllegalStateException twice = assertThrows(IllegalStateException.class, m::close);
        assertTrue(twice.getMessage().contains("already closed"), twice.getMessage());
    }

    @Test
    void discardMakesAnonymousPagesReadZero() {
        try (HostMapping m = HostMemory.anonymous(2 * MiB)) {
            long ps = HostMemory.hostPageSize();
            m.segment().fill((byte) 0x7f);
            m.discard(ps, ps);
            assertEquals(0, m.segment().get(ValueLayout.JAVA_BYTE, ps));
            assertEquals(0x7f, m.segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0x7f, m.segment().get(ValueLayout.JAVA_BYTE, 2 * ps));
            assertThrows(IllegalArgumentException.class, () -> m.discard(1, ps));
            assertThrows(IllegalArgumentException.class, () -> m.discard(0, 4 * MiB));
        }
    }

    @Test
    void memfdIsSharedWithAnotherMappingOfItsDescriptor() throws IOException {
        try (HostMapping m = HostMemory.memfd("guestmem-test", 4 * MiB, EnumSet.of(HostMemory.Option.NORESERVE))) {
            assertEquals(HostMapping.Kind.MEMFD, m.kind());
            assertTrue(m.fd() >= 0);
            m.segment().set(ValueLayout.JAVA_LONG, MiB, 0xfeedL);
            Path viaProc = Path.of("/proc/self/fd/" + m.fd());
            try (FileChannel ch = FileChannel.open(viaProc, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    Arena arena = Arena.ofConfined()) {
                MemorySegment other = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4 * MiB, arena);
                assertEquals(0xfeedL, other.get(ValueLayout.JAVA_LONG, MiB), "a second mapping of the memfd sees the write");
                other.set(ValueLayout.JAVA_LONG, 2 * MiB, 0xbeefL);
            }
            assertEquals(0xbeefL, m.segment().get(ValueLayout.JAVA_LONG, 2 * MiB), "and the first sees the second's write");
        }
    }

    @Test
    void fileMappingSharedWritesReachTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ram.img");
        Files.write(f, new byte[(int) (2 * MiB)]);
        try (HostMapping m = HostMemory.file(f, 0, 2 * MiB, true, false)) {
            MemorySegment.copy(MemorySegment.ofArray("guestmem".getBytes()), 0, m.segment(), 4096, 8);
        }
        byte[] back = Files.readAllBytes(f);
        assertEquals("guestmem", new String(back, 4096, 8));
        try (HostMapping ro = HostMemory.file(f, 4096, 4096, false, true)) {
            assertEquals('g', ro.segment().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void badInputNamesTheValueAndTheRule(@TempDir Path dir) throws IOException {
        long ps = HostMemory.hostPageSize();
        assertMessage(IllegalArgumentException.class, "size 0 must be positive", () -> HostMemory.anonymous(0));
        assertMessage(IllegalArgumentException.class, "size -4096 must be positive", () -> HostMemory.anonymous(-4096));
        assertMessage(IllegalArgumentException.class, "size " + (ps + 1) + " is not a multiple of the host page size", () -> HostMemory.anonymous(ps + 1));
        Path f = dir.resolve("small.img");
        Files.write(f, new byte[(int) ps]);
        assertMessage(IllegalArgumentException.class, "file offset -4096 is negative", () -> HostMemory.file(f, -4096, ps, false, false));
        assertMessage(IllegalArgumentException.class, "file offset 1 is not a multiple", () -> HostMemory.file(f, 1, ps, false, false));
        assertMessage(IllegalArgumentException.class, "does not exist", () -> HostMemory.file(dir.resolve("missing.img"), 0, ps, false, false));
        assertMessage(IllegalArgumentException.class, "reaches past its end", () -> HostMemory.file(f, 0, 2 * ps, false, false));
        assertMessage(IllegalArgumentException.class, "is a directory", () -> HostMemory.file(dir, 0, ps, false, false));
        assertMessage(IllegalArgumentException.class, "memfd name must not be blank", () -> HostMemory.memfd(" ", ps, EnumSet.noneOf(HostMemory.Option.class)));
        assertThrows(IllegalStateException.class, () -> HostMemory.anonymous(1L << 60), "an impossible size fails with ENOMEM, not a crash");
    }

    @Test
    void membarrierIsAvailableOrReportsWhy() {
        if (Membarrier.available()) {
            Membarrier.register();
            Membarrier.barrier();
            assertTrue(Membarrier.status().startsWith("available"));
        } else {
            assertThrows(IllegalStateException.class, Membarrier::register);
            assertTrue(Membarrier.status().contains("membarrier"));
        }
    }

    static void assertMessage(Class<? extends Throwable> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage().contains(fragment), "message '" + t.getMessage() + "' should contain '" + fragment + "'");
    }
}
