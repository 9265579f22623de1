package org.guestmem.ram;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.commons.lang3.Validate;

/** What backs a RAM block's host memory. */
public sealed interface Backing {
    /** Anonymous private memory, lazily committed (QEMU's default for guest RAM). */
    record Anonymous() implements Backing {}

    /** A memfd mapped shared: C code or another process can map the same pages through its fd. */
    record Memfd() implements Backing {}

    /** A file mapped at an offset; {@code shared} makes guest writes reach the file. */
    record File(Path path, long offset, boolean shared) implements Backing {
        public File {
            Objects.requireNonNull(path, "path");
            Validate.isTrue(offset >= 0, "file offset %d is negative", offset);
        }
    }

    static Backing anonymous() {
        return new Anonymous();
    }

    static Backing memfd() {
        return new Memfd();
    }

    static Backing file(Path path, long offset, boolean shared) {
        return new File(path, offset, shared);
    }
}
