package org.guestmem.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The shared body of the VERSION-drop variants: the whole version protocol of ORDERING.md. The updater inserts
 * block B (W-1-1, W-1-2), then unlinks block A (W-2-1, W-2-2) and reclaims it after a grace period of a real
 * {@link Rcu} domain (W-2-3); the migration cursor keeps the list's last block across two read sections
 * (R-1-1, R-1-2, then R-2-1, R-2-2) with other work between them. Fields and access modes are RamList's
 * ({@code snapshot}, {@code version}) and MigrationCursor's ({@code lastSeenBlock}, {@code lastVersion}:
 * plain, the cursor thread's own). The delays ({@link RaceWindow}) vary where the updater's steps fall against
 * the cursor's, as the C harness does; the gap between the sections is long enough for a whole grace period.
 */
final class VersionDropState {
    private static final VarHandle SNAPSHOT, VERSION, RECLAIMED;
    /** Upper bound of the updater's start delay, in {@link RaceWindow#spin} turns. */
    private static final int START_SPAN = 2048;
    /** Upper bound of the cursor's work between its read sections. */
    private static final int GAP_SPAN = 8192;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SNAPSHOT = l.findVarHandle(VersionDropState.class, "snapshot", Block[].class);
            VERSION = l.findVarHandle(VersionDropState.class, "version", long.class);
            RECLAIMED = l.findVarHandle(Block.class, "reclaimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A block; {@code reclaimed} is set (opaque) by the updater's reclaim, read (opaque) by the cursor's use. */
    static final class Block {
        @SuppressWarnings("unused")
        int reclaimed;
    }

    private final Block a = new Block();
    private final Block b = new Block();
    // The list (RamList#snapshot), immutable arrays in list order: [A], then [B, A] (W-1-1), then [B] (W-2-1).
    // Release stores by the updater, acquire load by the cursor (R-1-2).
    @SuppressWarnings("unused")
    private Block[] snapshot = {a};
    // The version (RamList#version): written only by the updater (W-1-2, W-2-2: release in fixed), read by the
    // cursor with acquire at R-1-1 (pairs with them) and opaque at R-2-1 (ordered by the grace period).
    @SuppressWarnings("unused")
    private long version;
    private final int startDelay = RaceWindow.jitter(START_SPAN);
    private final int gapDelay = RaceWindow.jitter(GAP_SPAN);
    // Observations of the cursor actor, read by the arbiter; sinks of each actor's delay.
    private int seen;
    private int use;
    private int cursorSink;
    private int updaterSink;

    /** W-1-2 / W-2-2 as RamList does them: plain read of the old value, release store of the new one. */
    private void bump() {
        long v = (long) VERSION.get(this) + 1;
        VERSION.setRelease(this, v);
    }

    /** RamList#add of B then RamList#free of A, with the reclaim after the grace period. */
    void insertThenRemove(Rcu rcu) {
        updaterSink = RaceWindow.spin(startDelay);
        SNAPSHOT.setRelease(this, new Block[] {b, a}); // W-1-1: insert B
        bump();                                         // W-1-2: pairs with the acquire of R-1-1
        SNAPSHOT.setRelease(this, new Block[] {b});    // W-2-1: unlink A
        bump();                                         // W-2-2: seen by R-2-1 after the grace period
        rcu.synchronize();                              // W-2-3: callRcu's grace period ...
        RECLAIMED.setOpaque(a, 1);                      // ... then the reclaim
    }

    /**
     * MigrationCursor: begin() in one read section, refresh() and a use of the kept block in a later one.
     * {@code check} false is broken-nocheck: R-2-1 is skipped and the block kept.
     */
    void cursor(Rcu rcu, boolean check) {
        long lastVersion;
        Block lastSeenBlock;
        try (ReadSection s = rcu.read()) {
            lastVersion = (long) VERSION.getAcquire(this);      // R-1-1: pairs with the release of W-1-2 / W-2-2
            Block[] list = (Block[]) SNAPSHOT.getAcquire(this); // R-1-2: the list the version describes, or newer
            lastSeenBlock = list[list.length - 1];              // the cursor keeps the list's last block
        }
        seen = lastSeenBlock == b ? 1 : 0;
        cursorSink = RaceWindow.spin(gapDelay);                 // other work, outside any read section
        try (ReadSection s = rcu.read()) {
            if (check && (long) VERSION.getOpaque(this) != lastVersion) { // R-2-1: relaxed, ordered by the grace period
                use = RamLitmusOutcomes.DROP;                   // R-2-2: drop the block, restart from the head
            } else {
                use = (int) RECLAIMED.getOpaque(lastSeenBlock) == 1 ? RamLitmusOutcomes.DEAD : RamLitmusOutcomes.LIVE;
            }
        }
    }

    void report(L_Result r) {
        r.r1 = RamLitmusOutcomes.vd(seen, use);
    }
}
