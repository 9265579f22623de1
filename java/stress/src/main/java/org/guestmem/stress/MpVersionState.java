package org.guestmem.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The shared body of the MP-version variants: W-1-1/W-1-2 (publish the list that holds a new block, then
 * bump the version) against R-1-1/R-1-2 (load the version, then the list), on the same kind of fields and with
 * the same access modes as {@code org.guestmem.ram.RamList} ({@code snapshot}: a reference to an immutable
 * list, {@code version}: a long only the updater writes) and {@code MigrationCursor#begin}. Each variant
 * picks the version's access modes and fences; the list is always published with release and read with
 * acquire, as in RamList.
 */
final class MpVersionState {
    private static final VarHandle SNAPSHOT;
    private static final VarHandle VERSION;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SNAPSHOT = l.findVarHandle(MpVersionState.class, "snapshot", Snapshot.class);
            VERSION = l.findVarHandle(MpVersionState.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An immutable block list, as RamList's BlockSnapshot; {@code blocks} is fixed at construction. */
    static final class Snapshot {
        final int blocks;

        Snapshot(int blocks) {
            this.blocks = blocks;
        }
    }

    private static final Snapshot OLD = new Snapshot(1);

    // The list: release store by the updater (W-1-1), acquire load by the reader (R-1-2); RamList#snapshot.
    @SuppressWarnings("unused")
    private Snapshot snapshot = OLD;
    // The version: written only by the updater (W-1-2: release in fixed, release fence + opaque in fences,
    // opaque in broken-relaxed), read by the reader (R-1-1: acquire, opaque + acquire fence, opaque);
    // RamList#version.
    @SuppressWarnings("unused")
    private long version;
    // Observations of the reader actor, read by the arbiter (jcstress orders them).
    private int versionSeen;
    private int listSeen;

    // ---- updater: W-1-1 then W-1-2

    /** fixed, as RamList#add: release list, release version. */
    void publishRelease() {
        SNAPSHOT.setRelease(this, new Snapshot(2));        // W-1-1
        long v = (long) VERSION.get(this) + 1;              // plain read: only the updater writes it
        VERSION.setRelease(this, v);                        // W-1-2: pairs with the acquire of R-1-1
    }

    /** fences: smp_wmb (release fence) before a relaxed version store. */
    void publishFence() {
        SNAPSHOT.setRelease(this, new Snapshot(2));        // W-1-1
        long v = (long) VERSION.get(this) + 1;
        VarHandle.releaseFence();                           // W-1-2, old form: pairs with the acquire fence of R-1-1
        VERSION.setOpaque(this, v);
    }

    /** broken-relaxed: nothing orders the version store after W-1-1. */
    void publishRelaxed() {
        SNAPSHOT.setRelease(this, new Snapshot(2));        // W-1-1
        long v = (long) VERSION.get(this) + 1;
        VERSION.setOpaque(this, v);                         // broken: unordered W-1-2
    }

    // ---- reader: R-1-1 then R-1-2

    /** fixed, as MigrationCursor#begin: acquire version, acquire list. */
    void readAcquire() {
        versionSeen = (long) VERSION.getAcquire(this) != 0 ? 1 : 0; // R-1-1: pairs with the release of W-1-2
        listSeen();
    }

    /** fences: relaxed version load, smp_rmb (acquire fence). */
    void readFence() {
        versionSeen = (long) VERSION.getOpaque(this) != 0 ? 1 : 0;
        VarHandle.acquireFence();                           // R-1-1, old form: pairs with the release fence of W-1-2
        listSeen();
    }

    /** broken-relaxed: the version load may be satisfied after R-1-2. */
    void readRelaxed() {
        versionSeen = (long) VERSION.getOpaque(this) != 0 ? 1 : 0;
        listSeen();
    }

    private void listSeen() {
        Snapshot s = (Snapshot) SNAPSHOT.getAcquire(this); // R-1-2: pairs with the release of W-1-1
        listSeen = s.blocks == OLD.blocks ? 0 : 1;
    }

    void report(L_Result r) {
        r.r1 = RamLitmusOutcomes.mp(versionSeen, listSeen);
    }
}
