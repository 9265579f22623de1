package org.guestmem.ram;

/**
 * Told about changes to a {@link RamList}, under its mutex (keep the work short; never call back into
 * the list's updater methods). {@link #checkHotplug} may veto an add or a free by throwing; migration's
 * strict mode uses that to refuse hot-plug of migratable blocks while it runs.
 */
public interface RamListListener {
    /** Called before a block is added or freed; throw {@link IllegalStateException} to refuse. */
    default void checkHotplug(RamBlockSpec adding, RamBlock removing) {}

    default void blockAdded(RamBlock block) {}

    default void blockRemoved(RamBlock block) {}

    /** QEMU's resized callback and the migration notifier: used length changed from oldUsed to newUsed. */
    default void blockResized(RamBlock block, long oldUsed, long newUsed) {}
}
