package org.guestmem.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.dirty.DirtySnapshot;
import org.guestmem.rcu.Rcu;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DirtyMemory#snapshotAndClear} of 1 GiB of guest RAM in 4 KiB pages (262144 pages, 4096 words) for
 * one client: clean (every word skipped with one load), and with 10% of the pages dirty (a fixed pseudo-random
 * pattern copied back before each call, outside the timing: almost every word then holds a dirty page). The
 * snapshot's on-heap array is allocated by each call, as the C twin (native/bench/dirty_bench.c) callocs it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class DirtySnapshotBench {
    static final long PAGE = 4096;
    static final long RAM = 1L << 30;
    static final long PAGES = RAM / PAGE;

    @Param({"0", "10"})
    int dirtyPercent;

    Rcu rcu;
    DirtyMemory dirty;
    MemorySegment pattern;
    MemorySegment chunk;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        dirty = new DirtyMemory(rcu, PAGE);
        dirty.grow(RAM);
        chunk = dirty.chunks(DirtyClient.MIGRATION).get(0).segment();
        pattern = MemorySegment.ofArray(new long[(int) (PAGES / 64)]);
        long x = 7;
        for (long p = 0; p < PAGES; p++) {                       // the C twin's generator and threshold
            x = x * 6364136223846793005L + 1442695040888963407L;
            if (Long.remainderUnsigned(x >>> 33, 100) < dirtyPercent) {
                long w = p >>> 6;
                pattern.setAtIndex(ValueLayout.JAVA_LONG, w, pattern.getAtIndex(ValueLayout.JAVA_LONG, w) | 1L << p);
            }
        }
    }

    @Setup(Level.Invocation)
    public void redirty() {
        if (dirtyPercent != 0) {
            MemorySegment.copy(pattern, 0, chunk, 0, pattern.byteSize());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dirty.close();
        rcu.close();
    }

    @Benchmark
    public DirtySnapshot snapshotAndClear() {
        return dirty.snapshotAndClear(0, RAM, DirtyClient.MIGRATION);
    }
}
