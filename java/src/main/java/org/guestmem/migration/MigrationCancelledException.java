package org.guestmem.migration;

/**
 * A migration stopped on purpose, with the reason: a migratable block was resized while it ran (QEMU's
 * "RAM block '...' resized during precopy."), or strict mode saw a migratable block change.
 */
public final class MigrationCancelledException extends IllegalStateException {
    public MigrationCancelledException(String reason) {
        super(reason);
    }
}
