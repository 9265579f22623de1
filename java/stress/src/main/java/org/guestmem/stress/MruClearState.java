package org.guestmem.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The shared body of the MRU-clear variants (ORDERING.md "Why mruBlock may be relaxed", the subtle case): a
 * lookup that misses {@code mruBlock}, walks the list, finds block A and fills {@code mruBlock}, against the
 * removal of A (RamList#free: mark A removed, W-2-1, clear {@code mruBlock}, W-2-2, W-2-3) through a real
 * {@link Rcu} domain. Fields, access modes and step order are RamList's and RamBlock's; the lookup is
 * RamList#lookup, with its {@code trustStaleMru} test hook as the broken variant. The reader's fill is delayed
 * by a random number of turns ({@link RaceWindow}, as RamList's {@code beforeMruStore} hook) so that it lands
 * after the updater's clear often enough to be seen.
 *
 * <p>After its lookup the reader waits (a bounded opaque poll, outside any read section) until the updater's
 * reclaim is done, then looks up again in a new read section: {@code late} says whether that lookup found A in
 * {@code mruBlock}, {@code stale} whether it used A (the MRU-hit test of the same lookup code) and found it
 * reclaimed. The property is observed by the code under test while the updater may still race it, not by the
 * arbiter after both actors ended (which would see the removed mark whatever the lookup does).
 */
final class MruClearState {
    private static final VarHandle SNAPSHOT, MRU, VERSION, REMOVED, RECLAIMED;
    /** Upper bound of the reader's delay between its walk and its fill, in {@link RaceWindow#spin} turns. */
    private static final int FILL_SPAN = 4096;
    /** Upper bound of the updater's delay before the removal, to vary where it falls against the lookup. */
    private static final int REMOVE_SPAN = 128;
    private static final Block[] EMPTY = {};

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SNAPSHOT = l.findVarHandle(MruClearState.class, "snapshot", Block[].class);
            MRU = l.findVarHandle(MruClearState.class, "mruBlock", Block.class);
            VERSION = l.findVarHandle(MruClearState.class, "version", long.class);
            REMOVED = l.findVarHandle(Block.class, "removed", boolean.class);
            RECLAIMED = l.findVarHandle(Block.class, "reclaimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A block's descriptor, which outlives the reclamation of its memory (as RamBlock). {@code removed}: set
     * opaque by the updater before W-2-1, read opaque by a lookup that hits the block in {@code mruBlock}
     * (RamBlock#markRemoved/isRemoved); a lookup whose section starts after the grace period sees it.
     * {@code reclaimed}: set opaque by the updater after the grace period (the reclaim callback).
     */
    static final class Block {
        @SuppressWarnings("unused")
        boolean removed;
        @SuppressWarnings("unused")
        int reclaimed;

        boolean isRemoved() {
            return (boolean) REMOVED.getOpaque(this);
        }
    }

    private final Block a = new Block();
    // The list (RamList#snapshot): release store by the updater (W-2-1), acquire load by the lookup's walk.
    @SuppressWarnings("unused")
    private Block[] snapshot = {a};
    // mruBlock (RamList#mruBlock): filled opaque by the lookup, cleared opaque by the updater, read opaque by
    // lookups and the arbiter; the CAS drops a stale entry. Relaxed both sides (ORDERING.md).
    @SuppressWarnings("unused")
    private Block mruBlock;
    // The version (RamList#version): written only by the updater with release (W-2-2).
    @SuppressWarnings("unused")
    private long version;
    private final int fillDelay = RaceWindow.jitter(FILL_SPAN);
    private final int removeDelay = RaceWindow.jitter(REMOVE_SPAN);
    /** Upper bound of the reader's wait for the reclaim before its second lookup, in onSpinWait turns. */
    private static final int WAIT_SPINS = 1 << 14;
    // Observations of the reader actor (found by the walk; late and stale by the second lookup), read by the
    // arbiter after both actors; sinks of each actor's delay.
    private int found;
    private int late;
    private int stale;
    private int readerSink;
    private int updaterSink;

    /** The MRU-hit test of RamList#lookup: a removed block is a miss unless the broken hook trusts it. */
    private static boolean usable(Block b, boolean trustStaleMru) {
        return b != null && (!b.isRemoved() || trustStaleMru);
    }

    /** RamList#lookup of an address inside A, in a read section; {@code trustStaleMru} is the broken variant. */
    void lookup(Rcu rcu, boolean trustStaleMru) {
        try (ReadSection s = rcu.read()) {
            Block b = (Block) MRU.getOpaque(this);             // relaxed: the block was published by W-1-1
            if (usable(b, trustStaleMru)) {
                return;                                         // hit: no walk, no fill
            }
            if (b != null) {
                MRU.compareAndSet(this, b, (Block) null);       // a stale entry left by the MRU race: drop it
            }
            Block[] list = (Block[]) SNAPSHOT.getAcquire(this); // the walk; pairs with the release of W-2-1
            if (list.length == 0) {
                return;                                         // A is unlinked: RamList would throw "unknown address"
            }
            found = 1;
            readerSink = RaceWindow.spin(fillDelay);            // widen the window between the walk and the fill
            MRU.setOpaque(this, list[0]);                       // cache fill, relaxed; may land after the clear
        }
    }

    /**
     * Waits (bounded, opaque, outside any read section) for the updater's reclaim, then a second lookup of A
     * in its own read section: late = A is in mruBlock, stale = the lookup uses it and A is reclaimed.
     */
    void lookupAfterReclaim(Rcu rcu, boolean trustStaleMru) {
        for (int spins = 0; spins < WAIT_SPINS && (int) RECLAIMED.getOpaque(a) == 0; spins++) {
            Thread.onSpinWait();
        }
        try (ReadSection s = rcu.read()) {
            Block m = (Block) MRU.getOpaque(this);
            late = m == a ? 1 : 0;
            stale = m == a && usable(m, trustStaleMru) && (int) RECLAIMED.getOpaque(a) == 1 ? 1 : 0;
        }
    }

    /** RamList#free of A: mark removed, W-2-1, clear mruBlock, W-2-2, W-2-3 (grace period, then reclaim). */
    void remove(Rcu rcu) {
        updaterSink = RaceWindow.spin(removeDelay);
        REMOVED.setOpaque(a, true);                             // before the clear (RamBlock#markRemoved)
        long v = (long) VERSION.get(this) + 1;                  // plain read: only the updater writes it
        SNAPSHOT.setRelease(this, EMPTY);                       // W-2-1: unlink A
        MRU.setOpaque(this, (Block) null);                      // clear the cache (relaxed)
        VERSION.setRelease(this, v);                            // W-2-2
        rcu.synchronize();                                      // W-2-3: callRcu's grace period ...
        RECLAIMED.setOpaque(a, 1);                              // ... then the reclaim
    }

    /** What the reader's two lookups saw: found, late, stale. */
    void report(L_Result r) {
        r.r1 = RamLitmusOutcomes.mru(found, late, stale);
    }
}
