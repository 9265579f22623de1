package org.guestmem.parity;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.apache.commons.lang3.Validate;

/**
 * The Java twin of one scenario's C thread bodies ({@code native/src/litmus_*.c}): the same steps, with
 * the same step names in comments, through {@link LitmusWords}' var handles on the same native cells. A
 * Java side can therefore race a C side ({@link org.guestmem.nativeshim.CLitmusSide}) or another Java side.
 *
 * <p>Each subclass mirrors one C cell struct: the byte offsets of its words are the C {@code offsetof}s,
 * and {@link #cellSize()} must equal the C {@code sizeof} (checked by {@link LitmusRun} against the shim).
 */
abstract class JavaSide {
    private final String scenario;
    private final List<String> variants;
    private final long cellSize;

    /** @param variants the table's variant names in the C index order (index = the {@code v} of the bodies) */
    JavaSide(String scenario, List<String> variants, long cellSize) {
        this.scenario = scenario;
        this.variants = List.copyOf(variants);
        this.cellSize = cellSize;
    }

    /** The Java sides of every scenario of litmus.table. */
    static List<JavaSide> all() {
        return List.of(new MpVersionSide(), new RcuGpSide(), new MruClearSide(), new VersionDropSide(),
                new SbReaderSide());
    }

    /** The Java side of {@code scenario}; IllegalArgumentException names the implemented ones. */
    static JavaSide of(String scenario) {
        return all().stream().filter(s -> s.scenario.equals(scenario)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no Java side for scenario '" + scenario + "'; implemented: "
                        + all().stream().map(JavaSide::scenario).toList()));
    }

    String scenario() {
        return scenario;
    }

    long cellSize() {
        return cellSize;
    }

    /** The index of the table's variant {@code name}; IllegalArgumentException when Java lacks it. */
    int variant(String name) {
        int v = variants.indexOf(name);
        Validate.isTrue(v >= 0, "the Java side of %s implements no variant '%s'; it has %s", scenario, name, variants);
        return v;
    }

    /** Whether variant {@code v} needs membarrier(2) registered (its fixed form calls it). */
    boolean needsMembarrier(int v) {
        return false;
    }

    /** Thread 0's body on the cell at byte offset {@code cell}: its result word. */
    abstract long updater(MemorySegment cells, long cell, long i, int v);

    /** Thread 1's body on the cell at byte offset {@code cell}: its result word. */
    abstract long reader(MemorySegment cells, long cell, long i, int v);

    /**
     * Runs side {@code role} (0 updater, 1 reader) of variant {@code v} over the first {@code n} cells,
     * meeting the other side before every cell (GM_LITMUS_THREAD's loop); {@code regs[i]} gets the result.
     * regs is written with plain stores: it is read only after both sides were joined.
     */
    final void run(int role, int v, MemorySegment cells, MemorySegment regs, long n, MemorySegment sync) {
        for (long i = 0; i < n; i++) {
            LitmusWords.rendezvous(sync, role, i);
            long cell = i * cellSize;
            long r = role == 0 ? updater(cells, cell, i, v) : reader(cells, cell, i, v);
            regs.setAtIndex(ValueLayout.JAVA_LONG, i, r);
        }
    }
}
