package org.guestmem.ram;

/**
 * A block pointer kept across RCU read sections, safely: ORDERING.md's R-1..R-2 (QEMU's
 * {@code last_seen_block} / {@code last_version} in RAMState). Owned by one thread (the migration
 * thread); its two fields are that thread's only (plain).
 *
 * <pre>
 * R-1  in a read section: begin()    lastVersion = acquire(version); lastSeenBlock = a block of the list
 * R-2  in a later one:    refresh()  if relaxed(version) != lastVersion: drop lastSeenBlock, restart
 * </pre>
 * Why that suffices (ORDERING.md): either the grace period that reclaims a removed block still contains
 * this read section (so the block is alive), or it ended before the section began, in which case the
 * version bump W-2-2, which precedes the reclaim's callRcu, is visible to the relaxed load of R-2-1.
 */
public final class MigrationCursor {
    private final RamList list;
    private RamBlock lastSeenBlock;
    private long lastVersion = -1;
    private long resets;

    MigrationCursor(RamList list) {
        this.list = list;
    }

    /** start from the head of the list. Call inside a read section of the list's RCU domain. */
    public RamBlock begin() {
        lastVersion = list.version();                      // R-1-1: acquire, pairs with the release of W-1-2 / W-2-2
        BlockSnapshot s = list.snapshot();                 // R-1-2: the list the version describes (or newer)
        lastSeenBlock = s.listOrder.length == 0 ? null : s.listOrder[0];
        return lastSeenBlock;
    }

    /**
     * at the start of a later read section. Returns true when the version moved: the cached block
     * is dropped and the caller must restart its scan (QEMU's ram_state_reset).
     */
    public boolean refresh() {
        if (list.versionOpaque() != lastVersion) {         // R-2-1: relaxed; ordered by the grace period
            lastSeenBlock = null;                          // R-2-2: drop the block, restart from the head
            resets++;
            begin();
            return true;
        }
        return false;
    }

    /** The cached block (valid inside a read section after begin/refresh), or null for an empty list. */
    public RamBlock lastSeenBlock() {
        return lastSeenBlock;
    }

    /** Moves the cursor to another block the caller found in the current read section. */
    public void moveTo(RamBlock block) {
        lastSeenBlock = block;
    }

    /** The block after the cached one in list order, or the head when it is the last (wraps). */
    public RamBlock next() {
        BlockSnapshot s = list.snapshot();
        RamBlock[] order = s.listOrder;
        if (order.length == 0) {
            return lastSeenBlock = null;
        }
        for (int i = 0; i < order.length; i++) {
            if (order[i] == lastSeenBlock) {
                return lastSeenBlock = order[(i + 1) % order.length];
            }
        }
        return lastSeenBlock = order[0];
    }

    public long lastVersion() {
        return lastVersion;
    }

    /** How many times refresh() saw the version move. */
    public long resets() {
        return resets;
    }
}
