package org.guestmem.nativeshim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar carries the shim for this platform, and extraction is keyed by the content's hash. */
class NativeShimTest {
    @Test
    void theJarCarriesTheShimForThisPlatform() {
        assertNotNull(NativeShim.class.getResource(NativeShim.RESOURCE_DIR + NativeShim.platform() + "/libguestmem.so"),
                "no bundled libguestmem.so for " + NativeShim.platform());
        assertNotNull(NativeShim.class.getResource(NativeShim.RESOURCE_DIR + "include/guestmem.h"), "no bundled guestmem.h");
    }

    @Test
    void extractionIsReusedWhileTheHashMatches(@TempDir Path dir) throws IOException {
        byte[] one = {1, 2, 3, 4};
        Path first = NativeShim.extract(one, dir);
        assertArrayEquals(one, Files.readAllBytes(first));
        long stamp = Files.getLastModifiedTime(first).toMillis();
        Path again = NativeShim.extract(one, dir);
        assertEquals(first, again, "same bytes, same file");
        assertEquals(stamp, Files.getLastModifiedTime(again).toMillis(), "not rewritten");
        Path other = NativeShim.extract(new byte[] {5, 6}, dir);
        assertNotEquals(first.getParent(), other.getParent(), "other bytes get their own folder");
        Files.write(first, new byte[] {9});   // a damaged copy is replaced, not loaded
        assertArrayEquals(one, Files.readAllBytes(NativeShim.extract(one, dir)));
        try (var s = Files.list(first.getParent())) {
            assertTrue(s.allMatch(p -> p.getFileName().toString().equals("libguestmem.so")), "no temporary files left");
        }
    }
}
