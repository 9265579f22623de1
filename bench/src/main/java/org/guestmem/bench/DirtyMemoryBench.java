package org.guestmem.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.dirty.DirtySnapshot;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dirty marking over 1 GiB of 4 KiB pages, with its C twin in native/bench/dirty_bench.c (same bitmap
 * algorithm, same access pattern, a liburcu memb read section per call as QEMU takes one):
 * <ul>
 * <li>{@code setDirtyRange}: 1, 64 or 4096 pages at a cursor that walks the guest; the bitmap is cleared
 *     when the cursor wraps (both sides clear the guest's 32 KiB of words, inside the timing, at memset speed), so
 *     most calls set fresh bits. {@code section=nested}: inside the caller's read
 *     section, opened once per iteration and passed in (how GuestMemory calls it; the C twin's "nested" variant holds one
 *     section per batch); {@code section=own}: each call opens and closes its own outermost section (the C
 *     twin's "own_section" variant, one liburcu memb section per call).</li>
 * <li>{@code snapshotAndClear}: the whole 1 GiB, clean or 10% dirty (each page dirty with probability
 *     1/10, the C twin's generator); the dirty words are restored before each call, outside the timing.</li>
 * </ul>
 * The forks run on a fixed, pre-touched 1 GiB heap, as a production JVM is set up: snapshotAndClear allocates
 * its snapshot, and on a heap that is still growing the first touch of each new page faults (tens of
 * microseconds a page on some virtual machines), which made the figure swing from 50 to 500 us per call.
 * The RCU flavor defaults to MEMBARRIER (the C twin's memb); BenchRunner passes FENCE where membarrier is
 * unavailable.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class DirtyMemoryBench {
    static final long PAGE = 4096;
    static final long GUEST = 1L << 30;
    static final long PAGES = GUEST / PAGE;
    static final int CLIENT = DirtyClient.MIGRATION.mask();
    /** The guest's bitmap words, all zero: the source of the wrap-around clear. */
    static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate(PAGES / 8, 64);

    /**
     * The tracked guest. Each benchmark takes one state that extends it, and the helpers use that state's own
     * fields: JMH 1.37 gives a helper method that takes another state as its argument a different instance
     * of that state than the benchmark method gets, so a section opened or a bitmap restored through such an
     * argument would not be the one measured.
     */
    public abstract static class Guest {
        Rcu rcu;
        DirtyMemory dirty;
        MemorySegment bitmap;

        void open(Rcu.Flavor flavor) {
            rcu = Rcu.create(flavor);
            dirty = new DirtyMemory(rcu, PAGE);
            dirty.grow(GUEST);
            bitmap = dirty.chunks(DirtyClient.MIGRATION).getFirst().segment();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            dirty.close();
            rcu.close();
        }
    }

    /** The guest, the setDirtyRange cursor, and the caller's section for {@code section=nested}. */
    @State(Scope.Thread)
    public static class Range extends Guest {
        @Param({"MEMBARRIER"})
        Rcu.Flavor flavor;
        @Param({"1", "64", "4096"})
        long pages;
        @Param({"nested", "own"})
        String section;
        long cursor;
        ReadSection outer;

        @Setup(Level.Trial)
        public void setUp() {
            open(flavor);
        }

        @Setup(Level.Iteration)
        public void enter() {
            outer = section.equals("nested") ? rcu.read() : null;
        }

        @TearDown(Level.Iteration)
        public void leave() {
            if (outer != null) {
                outer.close();
            }
        }
    }

    @Benchmark
    public void setDirtyRange(Range r) {
        if (r.cursor + r.pages > PAGES) {
            r.cursor = 0;
            // Clears the guest's words (PAGES / 8 bytes), as the C twin's memset does; a copy from zeros runs at
            // memset speed, while fill() is ~2.5x slower, which the 4096-page row (a clear every 64 calls) showed.
            MemorySegment.copy(ZEROS, 0, r.bitmap, 0, ZEROS.byteSize());
        }
        if (r.outer != null) {
            r.dirty.setDirtyRange(r.outer, r.cursor * PAGE, r.pages * PAGE, CLIENT);   // GuestMemory's way
        } else {
            r.dirty.setDirtyRange(r.cursor * PAGE, r.pages * PAGE, CLIENT);
        }
        r.cursor += r.pages;
    }

    /** setDirtyRange calls per measured call of {@link #setDirtyRangeBatch}, as SET_BATCH in native/bench/dirty_bench.c. */
    static final int BATCH = 1024;

    /**
     * {@link #setDirtyRange} timed as the C twin times it: {@link #BATCH} calls per measured call, the same
     * cursor and wrap-around clear, reported per call (the one-call benchmark adds JMH's per-call cost).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void setDirtyRangeBatch(Range r) {
        DirtyMemory d = r.dirty;
        ReadSection outer = r.outer;
        long pages = r.pages;
        long cursor = r.cursor;
        for (int k = 0; k < BATCH; k++) {
            if (cursor + pages > PAGES) {
                cursor = 0;
                MemorySegment.copy(ZEROS, 0, r.bitmap, 0, ZEROS.byteSize());
            }
            if (outer != null) {
                d.setDirtyRange(outer, cursor * PAGE, pages * PAGE, CLIENT);
            } else {
                d.setDirtyRange(cursor * PAGE, pages * PAGE, CLIENT);
            }
            cursor += pages;
        }
        r.cursor = cursor;
    }

    /** The guest and the bitmap contents restored before each snapshotAndClear. */
    @State(Scope.Thread)
    public static class Contents extends Guest {
        @Param({"MEMBARRIER"})
        Rcu.Flavor flavor;
        @Param({"clean", "dirty10"})
        String state;
        MemorySegment template;

        @Setup(Level.Trial)
        public void makeTemplate() {
            open(flavor);
            // Write the bitmap once, as the C twin's memset does: a never-written lazily committed mapping
            // reads from the kernel's shared zero page, which is not what a running guest's bitmap does.
            bitmap.fill((byte) 0);
            template = MemorySegment.ofArray(new long[(int) (PAGES / 64)]);
            if (state.equals("dirty10")) {
                long x = 42;
                for (long w = 0; w < PAGES / 64; w++) {
                    long v = 0;
                    for (int b = 0; b < 64; b++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;   // the C twin's LCG
                        if (Long.remainderUnsigned(x >>> 33, 10) == 0) {
                            v |= 1L << b;
                        }
                    }
                    template.setAtIndex(ValueLayout.JAVA_LONG, w, v);
                }
            }
        }

        @Setup(Level.Invocation)
        public void restore() {
            if (state.equals("dirty10")) {
                MemorySegment.copy(template, 0, bitmap, 0, template.byteSize());
            }
        }
    }

    @Benchmark
    public DirtySnapshot snapshotAndClear(Contents c) {
        return c.dirty.snapshotAndClear(0, GUEST, DirtyClient.MIGRATION);
    }
}
