package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.ram.Backing;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzz targets for the destination side of a migration: {@link RamLoader} and {@link StreamInspector}
 * on arbitrary bytes. The only accepted failure is a {@link StreamFormatException} that names a byte offset
 * inside the input; any other exception, an {@link OutOfMemoryError} or a hang is a finding. The loader's
 * destination is surrounded by non-migratable guard blocks and every page is pre-filled with a pattern, so a
 * write anywhere but a page the stream legitimately delivered is caught.
 *
 * <p>In the normal test run Jazzer replays the committed corpus under
 * {@code src/test/resources/org/guestmem/migration/StreamFuzzTestInputs/<method>/} (regression mode);
 * {@code scripts/fuzz.sh} fuzzes for a duration ({@code JAZZER_FUZZ=1}).
 */
class StreamFuzzTest {
    static final int PAGE = 4096;
    static final long KiB = 1024;

    /** The destination and the blocks it holds; built once, restored after every input. */
    private static Rcu rcu;
    private static RamList dst;
    private static Path extractDir;

    static synchronized RamList destination() {
        if (dst == null) {
            rcu = Rcu.create(Rcu.Flavor.FENCE);
            dst = new RamList(rcu, PAGE);
            dst.add(guard("guard.lo"));
            dst.add(RamBlockSpec.of("pc.ram", 64 * KiB));
            dst.add(RamBlockSpec.resizeable("ram2", 16 * KiB, 64 * KiB));
            dst.add(guard("guard.hi"));
        }
        return dst;
    }

    static RamBlockSpec guard(String name) {
        return new RamBlockSpec(name, 16 * KiB, 16 * KiB, Backing.anonymous(), EnumSet.of(RamBlock.Flag.NORESERVE));
    }

    @AfterAll
    static synchronized void closeDestination() {
        if (dst != null) {
            dst.close();
            rcu.close();
            dst = null;
        }
    }

    /** The byte every page starts each input with: distinct per block and page, never zero. */
    static byte pattern(RamBlock b, long offset) {
        return (byte) (0x40 | (b.name().hashCode() + offset / PAGE) & 0x3f);
    }

    /** Resets ram2's used length and fills every block up to its max length with the pattern. */
    static void restore(RamList list) {
        RamBlock ram2 = list.block("ram2");
        if (ram2.usedLength() != 16 * KiB) {
            list.resize(ram2, 16 * KiB);
        }
        for (RamBlock b : list.blocks()) {
            for (long off = 0; off < b.maxLength(); off += PAGE) {
                b.segment().asSlice(off, PAGE).fill(pattern(b, off));
            }
        }
    }

    /** Records which pages the loader was handed, then lets the loader write them. */
    static final class Recorder implements RamRecordSink {
        final RamLoader loader;
        final Set<String> pages = new HashSet<>();

        Recorder(RamLoader loader) {
            this.loader = loader;
        }

        @Override
        public void memSize(long total, List<BlockEntry> blocks) {
            loader.memSize(total, blocks);
        }

        @Override
        public void zeroPage(String block, long offset) {
            pages.add(block + "@" + offset);
            loader.zeroPage(block, offset);
        }

        @Override
        public void page(String block, long offset, byte[] data, int dataOffset) {
            pages.add(block + "@" + offset);
            loader.page(block, offset, data, dataOffset);
        }

        @Override
        public void xbzrlePage(String block, long offset, byte[] data, int len) {
            pages.add(block + "@" + offset);
            loader.xbzrlePage(block, offset, data, len);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"QEVM", "\u0000\u0000\u0000\u0003", "\u0003ram", "\u0006pc.ram", "\u0004ram2", "\u0008guard.lo"})
    void loader(byte[] input) throws IOException {
        RamList list = destination();
        restore(list);
        Recorder r = new Recorder(new RamLoader(list));
        try {
            new RamStreamReader(new ByteArrayInputStream(input), PAGE).readAll(r);
        } catch (StreamFormatException e) {
            assertNamesOffsetInside(e, input);
        }
        for (RamBlock b : list.blocks()) {
            long used = b.usedLength();
            for (long off = 0; off < b.maxLength(); off += PAGE) {
                if (off + PAGE <= used && r.pages.contains(b.name() + "@" + off)) {
                    continue;                                     // the stream delivered this page: any content is fine
                }
                byte want = pattern(b, off);
                MemorySegment p = b.segment().asSlice(off, PAGE);
                for (long i = 0; i < PAGE; i += 8) {
                    long v = p.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
                    long w = 0x0101010101010101L * (want & 0xff);
                    assertEquals(w, v, () -> String.format("block '%s' page 0x%x was written but no record delivered it", b.name(), p.address()));
                }
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"QEVM", "\u0000\u0000\u0000\u0003", "\u0003ram", "\u0006pc.ram", "\u0004ram2"})
    void inspect(byte[] input) throws IOException {
        try {
            new StreamInspector(PAGE, null).inspect(new ByteArrayInputStream(input));
        } catch (StreamFormatException e) {
            assertNamesOffsetInside(e, input);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"QEVM", "\u0000\u0000\u0000\u0003", "\u0003ram", "\u0006pc.ram"})
    void inspectExtract(byte[] input) throws IOException {
        Path dir = extractDir();
        try {
            new StreamInspector(PAGE, dir).inspect(new ByteArrayInputStream(input));
        } catch (StreamFormatException e) {
            assertNamesOffsetInside(e, input);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static synchronized Path extractDir() {
        if (extractDir == null) {
            try {
                extractDir = Files.createTempDirectory("guestmem-fuzz");
                extractDir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return extractDir;
    }

    static void assertNamesOffsetInside(StreamFormatException e, byte[] input) {
        assertTrue(e.offset() >= 0 && e.offset() <= input.length, () -> "offset " + e.offset() + " outside the input of " + input.length + " bytes: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("migration stream, byte offset " + e.offset() + ": "), e.getMessage());
    }
}
