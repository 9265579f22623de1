package org.guestmem.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only org.guestmem.nativeshim touches the generated bindings; everything else goes through its typed face. */
class LayeringTest {
    @Test
    void onlyTheNativeShimPackageImportsBindings() throws IOException {
        Path main = Path.of("src/main/java/org/guestmem");
        try (Stream<Path> files = Files.walk(main)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(main.resolve("nativeshim")))
                    .filter(p -> read(p).contains("org.guestmem.bindings"))
                    .map(Path::toString).sorted().toList();
            assertEquals(List.of(), offenders, "these files use org.guestmem.bindings directly; go through org.guestmem.nativeshim");
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
