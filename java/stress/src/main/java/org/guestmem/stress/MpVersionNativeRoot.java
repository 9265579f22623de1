package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.guestmem.ram.NativeBlockTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * MP-version (ORDERING.md, litmus.table variant {@code fixed}) on the native words C readers see: the
 * {@code gm_ram_root} of guestmem.h, written as {@code org.guestmem.ram.NativeBlockTable} writes it
 * (release store of {@code root.table}, W-1-1, then release store of {@code root.version}, W-1-2, through a
 * {@code MemorySegment} long var handle) and read with acquire loads of {@code root.version} (R-1-1) and
 * {@code root.table} (R-1-2). Offsets are NativeBlockTable's. A reader that sees the new version sees the new
 * table. Expected: the forbidden outcome never appears. Not part of the CI check (MpVersionFixed covers the
 * same ordering on RamList's Java fields); run it by hand after a JDK upgrade.
 */
@JCStressTest
@Description("MP-version, release table and version in a native gm_ram_root, acquire loads (NativeBlockTable)")
@Outcome(id = RamLitmusOutcomes.MP_OLD_OLD, expect = ACCEPTABLE, desc = "reader ran before the updater")
@Outcome(id = RamLitmusOutcomes.MP_OLD_NEW, expect = ACCEPTABLE, desc = "reader read the version before W-1-2 and the list after W-1-1")
@Outcome(id = RamLitmusOutcomes.MP_NEW_NEW, expect = ACCEPTABLE, desc = "reader ran after the updater")
@Outcome(id = RamLitmusOutcomes.MP_NEW_OLD, expect = FORBIDDEN, desc = "reader saw the bumped version but the old list")
@Outcome(expect = FORBIDDEN, desc = "unexpected outcome")
@State
public class MpVersionNativeRoot {
    public static final String SCENARIO = RamLitmusOutcomes.MP_VERSION;
    public static final String VARIANT = "fixed";
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle(); // as NativeBlockTable's
    private static final long TABLE = NativeBlockTable.ROOT_TABLE_OFFSET;
    private static final long VERSION = NativeBlockTable.ROOT_VERSION_OFFSET;
    private static final long STAND_IN = 16; // bytes standing in for a table: only its address is compared

    // One GC-managed segment per state: the root, then two stand-ins for the old and the new table.
    // root.table: release store by the updater (W-1-1), acquire load by the reader (R-1-2).
    // root.version: release store by the updater (W-1-2), acquire load by the reader (R-1-1).
    private final MemorySegment words = Arena.ofAuto().allocate(NativeBlockTable.ROOT_SIZE + 2 * STAND_IN, 8);
    private final MemorySegment root = words.asSlice(0, NativeBlockTable.ROOT_SIZE);
    private final MemorySegment oldTable = words.asSlice(NativeBlockTable.ROOT_SIZE, STAND_IN);
    private final MemorySegment newTable = words.asSlice(NativeBlockTable.ROOT_SIZE + STAND_IN, STAND_IN);
    // Observations of the reader actor, read by the arbiter.
    private int versionSeen;
    private int listSeen;

    public MpVersionNativeRoot() {
        WORD.set(root, TABLE, oldTable.address()); // before the actors start (jcstress publishes the state)
    }

    @Actor
    public void updater() {
        WORD.setRelease(root, TABLE, newTable.address());   // W-1-1: pairs with the acquire of R-1-2
        long v = (long) WORD.get(root, VERSION) + 1;         // plain read: only the updater writes it
        WORD.setRelease(root, VERSION, v);                   // W-1-2: pairs with the acquire of R-1-1
    }

    @Actor
    public void reader() {
        versionSeen = (long) WORD.getAcquire(root, VERSION) != 0 ? 1 : 0; // R-1-1
        long table = (long) WORD.getAcquire(root, TABLE);                  // R-1-2
        listSeen = table == oldTable.address() ? 0 : 1;
    }

    @Arbiter
    public void arbiter(L_Result r) {
        r.r1 = RamLitmusOutcomes.mp(versionSeen, listSeen);
    }
}
