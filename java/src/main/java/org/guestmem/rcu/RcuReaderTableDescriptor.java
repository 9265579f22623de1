package org.guestmem.rcu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The off-heap layout of an RCU domain's reader table: every offset, the word values and the protocol
 * that readers and the writer follow. The table holds the grace-period counter, which every reader reads,
 * and the slots of <b>C readers only</b> ({@code gm_rcu_reader_*} in guestmem.h). Java readers run the same
 * steps on their own words, fields of their {@link RcuReader} on the heap ({@link ReaderWords}: CTR and
 * WAITING with the semantics of a slot's words below), registered in the domain's Java registry instead of a
 * slot; they read GP_CTR's heap copy ({@link GpMirror}), which the writer stores in the same step as this
 * word (GP-2, and 0 at close). Every grace period scans both: the C slots of this table, then the Java
 * readers. Nothing else in the library computes an offset into the table.
 *
 * <pre>
 *  byte  0                8                16               24               32               40..63
 *       +----------------+----------------+----------------+----------------+----------------+--------+
 *  hdr  | MAGIC          | GP_CTR         | SLOT_COUNT     | FLAVOR         | SLOT_LIMIT     | 0 ...  |
 *       +----------------+----------------+----------------+----------------+----------------+--------+
 *  64   | slot 0: CTR    | OWNER          | WAITING        | 0 ... (pad to 64 bytes: one cache line per slot)  |
 *  128  | slot 1: CTR    | OWNER          | WAITING        | 0 ...                                             |
 *  ...    slot i starts at HEADER_SIZE + i * SLOT_SIZE
 * </pre>
 *
 * Every word is a 64-bit, 8-byte aligned {@code uint64_t}, accessed from Java through {@link #WORD}
 * ({@code ValueLayout.JAVA_LONG.varHandle()}, coordinates {@code (MemorySegment, long offset)}) and from C
 * through {@code __atomic} builtins / C11 atomics on the same address. The step names below (RL-1, GP-3,
 * ...) are used by both languages.
 *
 * <h2>Words</h2>
 * <ul>
 * <li>{@code GP_CTR}: the grace-period counter. Starts at {@link #GP_INITIAL} (bit 0 always set, so a
 *     published snapshot is never 0), advanced by {@link #GP_STEP} by the writer once per grace period. Only
 *     the writer (the holder of the domain's synchronize lock) stores it. 64 bits never wrap in practice,
 *     so one increment per grace period is enough (QEMU's 64-bit scheme and liburcu's 64-bit QSBR); the
 *     two-phase parity flip of liburcu memb exists for counters that can wrap.</li>
 * <li>{@code SLOT_COUNT}, {@code FLAVOR}, {@code MAGIC}: written once before the table is shared.</li>
 * <li>{@code SLOT_LIMIT}: one past the highest slot index ever claimed; raised (CAS max) by a claimer
 *     before it uses the slot, read by the writer to bound its scan.</li>
 * <li>{@code GP_CTR} reads 0 once the domain closed (never a published value), so a Java reader's next
 *     RL-1 / ON-1 throws IllegalStateException and a C reader's CTR stays 0.</li>
 * <li>{@code CTR} (per slot): written only by the slot's owner. 0 means quiescent (outside every read
 *     section, or QSBR offline); otherwise the {@code GP_CTR} value the owner saw at its outermost read
 *     lock (FENCE, MEMBARRIER) or at its last quiescent state (QSBR). A reader holds the grace period
 *     open iff {@code CTR != 0 && CTR != GP_CTR}.</li>
 * <li>{@code OWNER}: 0 = free, otherwise {@code kind << 56 | id}: {@link #OWNER_KIND_C} with the kernel
 *     tid ({@link #OWNER_KIND_JAVA}, with a Java thread id, now only tokens of the Java registry's slots,
 *     never stored here). Claimed with a CAS 0 → token, released with a
 *     release store of 0 after CTR and WAITING are 0.</li>
 * <li>{@code WAITING}: set to 1 by the writer when it is about to block on this slot; the owner clears it
 *     and wakes the writer when it leaves its section or announces a quiescent state.</li>
 * </ul>
 *
 * <h2>Reader protocol (FENCE / MEMBARRIER)</h2>
 * <ul>
 * <li><b>RL-1</b> outermost read lock: {@code g = relaxed load GP_CTR}; <b>RL-2</b> {@code relaxed store
 *     CTR = g}; <b>RL-3</b> the placeholder fence: FENCE a full fence ({@code atomic_thread_fence(seq_cst)}
 *     / {@code VarHandle.fullFence()}); MEMBARRIER a compiler-only barrier (the writer's membarrier(2)
 *     supplies the hardware half). RL-3 pairs with GP-1 (store-buffering: either the writer's scan sees
 *     CTR, or the reader's later loads see what the writer published before GP-1).</li>
 * <li><b>RU-1</b> outermost unlock: {@code release store CTR = 0} (the section's accesses happen before);
 *     pairs with the writer's acquire load in GP-3/GP-5. <b>RU-2</b> the placeholder fence again, ordering
 *     RU-1 before RU-3; pairs with GP-5's fence. <b>RU-3</b> {@code acquire load WAITING}; if 1: relaxed
 *     store 0 and wake the writer (Java: unpark; C: nothing, the writer polls at least every millisecond).</li>
 * </ul>
 * <h2>Reader protocol (QSBR)</h2>
 * <ul>
 * <li><b>QS-1</b> quiescent state: {@code g = acquire load GP_CTR}; if {@code g != CTR}: <b>QS-2</b>
 *     {@code release store CTR = g} (every earlier read-side access happens before); <b>QS-3</b> full
 *     fence, then RU-3.</li>
 * <li><b>ON-1</b> thread online: {@code store CTR = acquire load GP_CTR}; <b>ON-2</b> full fence (pairs
 *     with GP-1 as RL-3 does). <b>OFF-1</b> thread offline: {@code release store CTR = 0}; full fence; RU-3.</li>
 * </ul>
 * <h2>Writer protocol (synchronize, one writer at a time)</h2>
 * <ul>
 * <li><b>GP-1</b> global fence: full fence (FENCE, QSBR) or full fence + membarrier(2) (MEMBARRIER): orders
 *     the updater's unpublish before the CTR loads; pairs with RL-3 / ON-2.</li>
 * <li><b>GP-2</b> {@code release store GP_CTR = GP_CTR + GP_STEP}, then the same release store into the
 *     heap copy Java readers read ({@link GpMirror}); both before GP-3.</li>
 * <li><b>GP-3</b> for every slot below SLOT_LIMIT: {@code acquire load CTR}; the slot is pending iff
 *     {@code CTR != 0 && CTR != GP_CTR}. Then the same for the CTR field of every Java reader in the registry's
 *     published array (a volatile load after GP-1; a Java reader is published there before its first RL-1).</li>
 * <li><b>GP-4</b> for every pending slot: {@code release store WAITING = 1}; <b>GP-5</b> global fence
 *     (pairs with RU-2 / QS-3), then re-scan the pending slots with acquire loads, blocking between scans,
 *     until none is pending. Readers that start after GP-2 store the new counter and never extend the
 *     wait.</li>
 * </ul>
 * A C thread joins a domain by claiming a free slot (CAS OWNER 0 → token, then CAS-max SLOT_LIMIT), runs
 * RL/RU (or QS/ON/OFF) on its slot, and releases it before it exits (CTR = 0, WAITING = 0, release store
 * OWNER = 0). A C slot whose thread died without releasing it blocks grace periods; Java readers of dead
 * threads are reaped by the writer (from the Java registry).
 */
public final class RcuReaderTableDescriptor {
    /** {@code "GMRCU"} and layout version 1 in the low byte. */
    public static final long MAGIC_VALUE = 0x474D_5243_5500_0001L;
    /** Initial value of {@code GP_CTR} (QEMU's RCU_GP_LOCKED). */
    public static final long GP_INITIAL = 1L;
    /** Increment of {@code GP_CTR} per grace period (QEMU's RCU_GP_CTR). */
    public static final long GP_STEP = 2L;

    public static final long MAGIC_OFFSET = 0;
    public static final long GP_CTR_OFFSET = 8;
    public static final long SLOT_COUNT_OFFSET = 16;
    public static final long FLAVOR_OFFSET = 24;
    public static final long SLOT_LIMIT_OFFSET = 32;
    public static final long HEADER_SIZE = 64;

    public static final long SLOT_CTR_OFFSET = 0;
    public static final long SLOT_OWNER_OFFSET = 8;
    public static final long SLOT_WAITING_OFFSET = 16;
    /** One cache line per slot, so that readers never share a line. */
    public static final long SLOT_SIZE = 64;
    /** Alignment of the table (a cache line). */
    public static final long TABLE_ALIGNMENT = 64;

    /** OWNER kind of a Java thread; the id is {@link Thread#threadId()}. */
    public static final long OWNER_KIND_JAVA = 1;
    /** OWNER kind of a C thread; the id is its kernel tid. */
    public static final long OWNER_KIND_C = 2;
    private static final long OWNER_ID_MASK = (1L << 56) - 1;

    /** The upper bound on slots of one table. */
    public static final int MAX_SLOTS = 1 << 16;

    /** Access to every word: {@code JAVA_LONG} (8-byte aligned) with coordinates (segment, byte offset). */
    public static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private RcuReaderTableDescriptor() {}

    /** Bytes of a table with {@code slots} slots. */
    public static long tableSize(int slots) {
        return HEADER_SIZE + (long) slots * SLOT_SIZE;
    }

    /** Offset of slot {@code slot}'s first word (its CTR). */
    public static long slotOffset(int slot) {
        return HEADER_SIZE + (long) slot * SLOT_SIZE;
    }

    public static long ctrOffset(int slot) {
        return slotOffset(slot) + SLOT_CTR_OFFSET;
    }

    public static long ownerOffset(int slot) {
        return slotOffset(slot) + SLOT_OWNER_OFFSET;
    }

    public static long waitingOffset(int slot) {
        return slotOffset(slot) + SLOT_WAITING_OFFSET;
    }

    /** The OWNER token of a Java thread. */
    public static long javaOwner(Thread thread) {
        return OWNER_KIND_JAVA << 56 | (thread.threadId() & OWNER_ID_MASK);
    }

    /** The OWNER token of a C thread with kernel tid {@code tid}. */
    public static long cOwner(long tid) {
        return OWNER_KIND_C << 56 | (tid & OWNER_ID_MASK);
    }

    /** The kind part of an OWNER token (0 for a free slot). */
    public static long ownerKind(long owner) {
        return owner >>> 56;
    }

    /** Writes the header of a fresh (zeroed) table; before the table is shared with any thread. */
    static void initialise(MemorySegment table, int slots, Rcu.Flavor flavor) {
        WORD.set(table, MAGIC_OFFSET, MAGIC_VALUE);
        WORD.set(table, GP_CTR_OFFSET, GP_INITIAL);
        WORD.set(table, SLOT_COUNT_OFFSET, (long) slots);
        WORD.set(table, FLAVOR_OFFSET, (long) flavor.ordinal());
        WORD.set(table, SLOT_LIMIT_OFFSET, 0L);
    }
}
