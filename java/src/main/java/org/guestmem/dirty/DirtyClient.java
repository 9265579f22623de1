package org.guestmem.dirty;

/**
 * QEMU's dirty-memory clients; each has its own bitmap in a {@link DirtyMemory}. Methods that mark pages take a
 * client mask: an OR of {@link #mask()} values, {@link #ALL} or {@link #NOCODE}.
 */
public enum DirtyClient {
    /** Display refresh (DIRTY_MEMORY_VGA = 0). */
    VGA,
    /** TCG self-modifying-code tracking (DIRTY_MEMORY_CODE = 1). */
    CODE,
    /** Live migration (DIRTY_MEMORY_MIGRATION = 2). */
    MIGRATION;

    /** Every client (QEMU's DIRTY_CLIENTS_ALL). */
    public static final int ALL = 0x7;
    /** Every client but CODE (QEMU's DIRTY_CLIENTS_NOCODE). */
    public static final int NOCODE = 0x5;

    /** This client's bit in a client mask. */
    public int mask() {
        return 1 << ordinal();
    }
}
