package org.guestmem.parity.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.guestmem.parity.LitmusTable;
import org.junit.jupiter.api.Test;

/**
 * The exported litmus files are byte-stable: what the table and VariantPrograms render now is, byte for
 * byte, what docs/litmus holds (regenerate with {@code ./guestmem parity --export-litmus docs/litmus}).
 */
class LitmusExportTest {
    private static final Path TABLE = Path.of("..", "..", "native", "harness", "litmus.table");
    private static final Path GOLDEN = Path.of("..", "..", "docs", "litmus");

    @Test
    void theExportIsWhatDocsLitmusHolds() throws IOException {
        Map<String, String> now = LitmusExport.render(LitmusTable.load(TABLE));
        Map<String, String> golden = new TreeMap<>();
        try (Stream<Path> files = Files.list(GOLDEN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".litmus")).toList()) {
                golden.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        assertEquals(golden.keySet(), new TreeMap<>(now).keySet(), "the files of docs/litmus");
        now.forEach((name, text) -> assertEquals(golden.get(name), text,
                name + " differs from docs/litmus: run ./guestmem parity --export-litmus docs/litmus"));
        assertEquals(LitmusTable.load(TABLE).variantLines().size(), now.size(), "one file per variant");
        now.values().forEach(text -> assertTrue(text.startsWith("C ") && text.contains("\nexists (") && !text.contains("\r"), text));
    }
}
