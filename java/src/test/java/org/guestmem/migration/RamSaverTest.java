package org.guestmem.migration;

import static org.guestmem.migration.Guests.KiB;
import static org.guestmem.migration.Guests.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The saver on its own: QEMU's page search order, CONTINUE, ram_state_reset, strict mode's loud failure. */
class RamSaverTest {
    Guests g = new Guests(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RamStreamWriter out = new RamStreamWriter(bytes, 4096);

    @AfterEach
    void tearDown() {
        g.close();
    }

    RamSaver saver(boolean strict) throws IOException {
        out.fileHeader();
        RamSaver s = new RamSaver(g.src, out, 2, new RamSaver.Options(false, 0, strict));
        s.setup();
        return s;
    }

    /** The page records of the stream so far: "block@offset" for those that name their block, "+offset" for CONTINUE. */
    List<String> records() throws IOException {
        out.eof();
        List<String> r = new ArrayList<>();
        byte[] b = bytes.toByteArray();
        RamStreamReader reader = new RamStreamReader(new ByteArrayInputStream(b), 4096);
        reader.readAll(new RamRecordSink() {
            void add(String block, long offset) {
                r.add(reader.recordContinued() ? "+" + offset / 4096 : block + "@" + offset / 4096);
            }

            @Override
            public void ramSection(int type, int id) {
                r.add(RamStream.sectionTypeName(type));
            }

            @Override
            public void zeroPage(String block, long offset) {
                add(block, offset);
            }

            @Override
            public void page(String block, long offset, byte[] data, int off) {
                add(block, offset);
            }
        });
        return r;
    }

    @Test
    void theFirstRoundSendsEveryMigratablePageInListOrderAndSkipsOthers() throws IOException {
        RamSaver s = saver(false);
        assertEquals((MiB + 256 * KiB + MiB) / 4096, s.remainingPages());
        assertTrue(s.iterate(Long.MAX_VALUE), "all sent: RAM is clean");
        assertEquals(0, s.remainingPages());
        List<String> r = records();
        // List order is max length descending: ram2 (4 MiB max), pc.ram (1 MiB), vga.vram (skipped), pc.bios.
        assertEquals("ram2@0", r.get(2));
        assertEquals("+1", r.get(3));
        assertEquals("pc.ram@0", r.get(2 + 256));
        assertEquals("pc.bios@0", r.get(2 + 512));
        assertEquals(2 + 512 + 64, r.size());
        assertFalse(r.stream().anyMatch(x -> x.startsWith("vga")));
        s.close();
    }

    @Test
    void anIterationResumesWhereTheLastSearchStopped() throws IOException {
        RamSaver s = saver(false);
        assertFalse(s.iterate(1), "a 1 ns slice stops after 64 pages");
        assertFalse(s.iterate(1));
        List<String> r = records();
        assertEquals("SECTION_PART", r.get(1));
        assertEquals("ram2@0", r.get(2));
        assertEquals("SECTION_PART", r.get(2 + 64));
        assertEquals("+64", r.get(3 + 64), "the second PART goes on at page 64 with CONTINUE: last_sent_block persists across sections");
        s.close();
    }

    /** Sends 64 pages of ram2, dirties its page 0 again (behind the cursor), syncs; optionally moves the version. */
    List<String> secondPart(boolean versionChange) throws IOException {
        RamSaver s = saver(false);
        assertFalse(s.iterate(1));                           // ram2 pages 0..63; the cursor stops at page 64
        RamBlock ram2 = g.src.block("ram2");
        g.srcMemory().writeLong(ram2.offset(), 1);
        s.sync();
        if (versionChange) {
            g.src.free(g.src.add(Guests.nonMigratable("vga.hot", 64 * KiB)));
        }
        s.iterate(1);
        assertEquals(versionChange ? 1 : 0, s.versionChanges());
        s.close();
        List<String> r = records();
        int part2 = r.lastIndexOf("SECTION_PART");
        return r.subList(part2 + 1, part2 + 3);
    }

    @Test
    void withoutAVersionChangeTheSearchGoesOnFromTheLastPage() throws IOException {
        assertEquals(List.of("+64", "+65"), secondPart(false), "page 0 is behind the cursor: it waits for the wrap");
    }

    @Test
    void aVersionChangeRestartsAtTheHeadAndResendsTheBlockName() throws IOException {
        assertEquals(List.of("ram2@0", "+64"), secondPart(true),
                "ram_state_reset: restart at the head, and name the block although it was the last one sent");
    }

    @Test
    void strictModeFailsLoudlyWhenAMigratableBlockChangedBehindItsBack() throws IOException {
        RamSaver s = saver(true);
        s.close();                                          // detaches the listener that would have refused the free
        g.src.free(g.src.block("pc.bios"));
        MigrationCancelledException e = assertThrows(MigrationCancelledException.class, () -> s.iterate(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("strict mode") && e.getMessage().contains("removed [pc.bios]"), e.getMessage());
    }

    @Test
    void theStreamPageSizeMustMatchTheList() {
        RamStreamWriter w = new RamStreamWriter(new ByteArrayOutputStream(), 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RamSaver(g.src, w, 2, RamSaver.Options.defaults()));
        assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("4096"), e.getMessage());
    }
}
