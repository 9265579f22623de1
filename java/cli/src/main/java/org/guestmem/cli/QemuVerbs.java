package org.guestmem.cli;

import java.io.IOException;

/** The QEMU verbs' error rule: a failed connection or a refusing destination is one line (exit 2), not a stack trace. */
final class QemuVerbs {
    private QemuVerbs() {}

    interface IoCall<T> {
        T call() throws IOException;
    }

    static <T> T io(IoCall<T> c) {
        try {
            return c.call();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
