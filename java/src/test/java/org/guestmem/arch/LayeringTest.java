package org.guestmem.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library is pure Java over libc: no file of it uses the shim's bindings, the shim's typed face, the
 * parity harness or the CLI (those live in guestmem-native and guestmem-cli, which depend on it), and
 * only org.guestmem.os links libc.
 */
class LayeringTest {
    static final Path MAIN = Path.of("src/main/java/org/guestmem");

    @Test
    void theLibraryUsesNeitherTheShimNorTheCli() throws IOException {
        List<String> offenders = sources(p -> {
            String s = read(p);
            return s.contains("org.guestmem.bindings") || s.contains("org.guestmem.nativeshim")
                    || s.contains("org.guestmem.parity") || s.contains("org.guestmem.cli") || s.contains("picocli");
        });
        assertEquals(List.of(), offenders, "these files reach outside the library (bindings, nativeshim, parity, cli)");
    }

    @Test
    void onlyTheOsPackageLinksLibc() throws IOException {
        List<String> offenders = sources(p -> !p.startsWith(MAIN.resolve("os"))
                && (read(p).contains("downcallHandle") || read(p).contains("defaultLookup")));
        assertEquals(List.of(), offenders, "these files link native functions; go through org.guestmem.os.Libc");
    }

    private static List<String> sources(java.util.function.Predicate<Path> bad) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).filter(bad).map(Path::toString).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
