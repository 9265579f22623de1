package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.rcu.ReadSection;
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
 * {@link DirtyMemory#setDirtyRange} of 1, 64 and 4096 pages for all three clients over 1 GiB of guest RAM in
 * 4 KiB pages, from a pseudo-random page (so 64 pages straddle two words and 4096 pages are two partial and
 * 63 whole words). {@code section=nested}: inside the caller's read section, as GuestMemory calls it (the C
 * twin's setting); {@code section=outermost}: each call opens the outermost FENCE section itself (two full
 * fences). The C twin is native/bench/dirty_bench.c: same sizes, same address sequence, same word steps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class DirtySetRangeBench {
    static final long PAGE = 4096;
    static final long RAM = 1L << 30;
    static final long PAGES = RAM / PAGE;

    @Param({"1", "64", "4096"})
    int pages;

    @Param({"nested", "outermost"})
    String section;

    Rcu rcu;
    DirtyMemory dirty;
    ReadSection open;
    long[] addrs;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        dirty = new DirtyMemory(rcu, PAGE);
        dirty.grow(RAM);
        addrs = addressSequence(pages);
    }

    /** The C twin's sequence: x = x * 6364136223846793005 + 1442695040888963407; page = (x >>> 33) % (PAGES - pages). */
    static long[] addressSequence(int pages) {
        long[] a = new long[4096];
        long x = 42;
        for (int k = 0; k < a.length; k++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            a[k] = Long.remainderUnsigned(x >>> 33, PAGES - pages) * PAGE;
        }
        return a;
    }

    @Setup(Level.Iteration)
    public void enter() {
        open = section.equals("nested") ? rcu.read() : null;
    }

    @TearDown(Level.Iteration)
    public void leave() {
        if (open != null) {
            open.close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dirty.close();
        rcu.close();
    }

    @Benchmark
    public void setDirtyRange() {
        dirty.setDirtyRange(addrs[i++ & 4095], pages * PAGE, DirtyClient.ALL);
    }
}
