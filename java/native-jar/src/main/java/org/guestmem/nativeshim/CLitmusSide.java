package org.guestmem.nativeshim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.lang3.Validate;
import org.guestmem.os.Errno;
import org.guestmem.bindings.guestmem_h;

/**
 * The C threads of one litmus scenario variant (guestmem.h's {@code gm_litmus_*} side API): the shim's
 * C11-atomics bodies of {@code native/src/litmus_*.c}, run on the calling thread against cells that the
 * caller owns, so that the other side of the race can be a Java thread on the same native words.
 *
 * <p>Cells, registers and the rendezvous block are native segments of the caller. The cell layout is
 * the C one ({@link #cellSize()} bytes each, 64-byte aligned); the rendezvous block is
 * {@link #SYNC_BYTES} bytes, side {@code r}'s word at byte offset {@code 64 * r}.
 */
public final class CLitmusSide {
    /** Bytes of the rendezvous block (two 64-byte lines). */
    public static final long SYNC_BYTES = syncBytes();
    /** Role of thread 0 of the table's {@code threads} line. */
    public static final int UPDATER = 0;
    /** Role of thread 1. */
    public static final int READER = 1;

    private final String scenario;
    private final String variantName;
    private final int variant;
    private final long cellSize;
    private final int observeCount;
    // The scenario name as a C string, handed to every call (one of NAMES).
    private final MemorySegment cScenario;
    // Scenario name -> its C string in the global arena: one small allocation per scenario, kept for the
    // life of the process. Written and read by any thread (a concurrent map).
    private static final ConcurrentHashMap<String, MemorySegment> NAMES = new ConcurrentHashMap<>();

    private CLitmusSide(String scenario, String variantName, int variant, long cellSize, int observeCount,
                        MemorySegment cScenario) {
        this.scenario = scenario;
        this.variantName = variantName;
        this.variant = variant;
        this.cellSize = cellSize;
        this.observeCount = observeCount;
        this.cScenario = cScenario;
    }

    private static long syncBytes() {
        NativeShim.ensureLoaded();
        return guestmem_h.GM_LITMUS_SYNC_BYTES();
    }

    /** The C implementation of {@code variant} of {@code scenario}; IllegalArgumentException when C has none. */
    public static CLitmusSide of(String scenario, String variant) {
        NativeShim.ensureLoaded();
        Validate.notBlank(scenario, "scenario name is blank");
        Validate.notBlank(variant, "variant name is blank");
        try (Arena tmp = Arena.ofConfined()) {
            if (guestmem_h.gm_litmus_cell_size(tmp.allocateFrom(scenario)) < 0) {
                throw new IllegalArgumentException("the shim implements no litmus scenario '" + scenario + "'");
            }
        }
        MemorySegment s = NAMES.computeIfAbsent(scenario, Arena.global()::allocateFrom);
        long size = guestmem_h.gm_litmus_cell_size(s);
        try (Arena tmp = Arena.ofConfined()) {
            int v = guestmem_h.gm_litmus_variant_index(s, tmp.allocateFrom(variant));
            if (v < 0) {
                throw new IllegalArgumentException("the shim implements no variant '" + variant + "' of " + scenario);
            }
            return new CLitmusSide(scenario, variant, v, size, guestmem_h.gm_litmus_observe_count(s), s);
        }
    }

    public String scenario() {
        return scenario;
    }

    public String variant() {
        return variantName;
    }

    /** Bytes of one cell (a multiple of 64). */
    public long cellSize() {
        return cellSize;
    }

    /** Observed values per cell. */
    public int observeCount() {
        return observeCount;
    }

    /** Makes the first {@code n} cells fresh (the C init: the RCU scenarios register their reader slot). */
    public void initCells(MemorySegment cells, long n) {
        checkCells(cells, n);
        check(guestmem_h.gm_litmus_cells_init(cScenario, variant, cells, n), "cells_init");
    }

    /**
     * Runs side {@code role} over the first {@code n} cells on the calling thread (C11 atomics); returns
     * when all are done. {@code regs} receives one result word per cell.
     */
    public void run(int role, MemorySegment cells, MemorySegment regs, long n, MemorySegment sync) {
        Validate.isTrue(role == UPDATER || role == READER, "role %d is neither UPDATER (0) nor READER (1)", role);
        checkCells(cells, n);
        Validate.isTrue(regs.byteSize() >= n * 8, "register array of %d bytes is too small for %d cells", regs.byteSize(), n);
        Validate.isTrue(sync.byteSize() >= SYNC_BYTES && sync.address() % 64 == 0,
                "rendezvous block must be %d bytes, 64-byte aligned", SYNC_BYTES);
        check(guestmem_h.gm_litmus_side(cScenario, variant, role, cells, regs, n, sync), "side");
    }

    /** After both sides returned: {@code values[i * observeCount() + k]} = observed value k of cell i. */
    public void observe(MemorySegment cells, MemorySegment regs0, MemorySegment regs1, long n, MemorySegment values) {
        checkCells(cells, n);
        Validate.isTrue(values.byteSize() >= n * observeCount * 4L, "value array of %d bytes is too small", values.byteSize());
        check(guestmem_h.gm_litmus_observe(cScenario, variant, cells, regs0, regs1, n, values), "observe");
    }

    private void checkCells(MemorySegment cells, long n) {
        Validate.isTrue(n >= 0 && cells.byteSize() >= n * cellSize,
                "%d cells of %d bytes do not fit a segment of %d bytes", n, cellSize, cells.byteSize());
        Validate.isTrue(cells.address() % 64 == 0, "cells at 0x%x are not 64-byte aligned", cells.address());
    }

    private void check(int rc, String call) {
        if (rc < 0) {
            throw new IllegalStateException("gm_litmus_" + call + " for " + scenario + "/" + variantName + " failed: "
                    + Errno.name(rc));
        }
    }
}
