package org.guestmem.migration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.guestmem.migration.RamStream.BlockEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed inputs of {@link StreamFuzzTest}: small valid streams for its destination (every record
 * kind, CONTINUE, a resize, a footer, a second RAM section), so the fuzzer starts from the format rather than
 * from nothing. Run once with {@code -Dguestmem.fuzz.seeds=DIR} (the test resources' Inputs folder).
 */
class StreamFuzzSeeds {
    static final int PAGE = StreamFuzzTest.PAGE;

    @Test
    @EnabledIfSystemProperty(named = "guestmem.fuzz.seeds", matches = ".+")
    void writeSeeds() throws IOException {
        Path root = Path.of(System.getProperty("guestmem.fuzz.seeds"));
        for (String method : List.of("loader", "inspect", "inspectExtract")) {
            Path dir = Files.createDirectories(root.resolve(method));
            Files.write(dir.resolve("seed-full"), full());
            Files.write(dir.resolve("seed-minimal"), minimal());
        }
    }

    /** Header, MEM_SIZE of pc.ram and a grown ram2, pages of every kind, two sections, footers, EOF. */
    static byte[] full() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RamStreamWriter w = new RamStreamWriter(bytes, PAGE);
        w.fileHeader();
        w.sectionStart(2);
        w.memSize(List.of(new BlockEntry("pc.ram", 64 * 1024), new BlockEntry("ram2", 32 * 1024)));
        w.eos();
        w.footer(2);
        w.sectionPart(2);
        byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte) 7);
        w.page("pc.ram", 0, page, 0);
        w.page("pc.ram", PAGE, page, 0);
        w.zeroPage("pc.ram", 2 * PAGE);
        w.zeroPage("ram2", 28 * 1024);
        byte[] cur = page.clone();
        cur[100] = 1;
        cur[2000] = 2;
        byte[] enc = new byte[PAGE];
        int len = Xbzrle.encode(page, cur, PAGE, enc, PAGE);
        w.xbzrlePage("pc.ram", PAGE, enc, len);
        w.eos();
        w.footer(2);
        w.sectionEnd(2);
        w.page("ram2", 0, page, 0);
        w.eos();
        w.footer(2);
        w.eof();
        return bytes.toByteArray();
    }

    /** Header, MEM_SIZE of pc.ram alone, one zero page, EOS, EOF. */
    static byte[] minimal() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RamStreamWriter w = new RamStreamWriter(bytes, PAGE);
        w.fileHeader();
        w.sectionStart(2);
        w.memSize(List.of(new BlockEntry("pc.ram", 64 * 1024)));
        w.zeroPage("pc.ram", 0);
        w.eos();
        w.eof();
        return bytes.toByteArray();
    }
}
