package org.guestmem.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.guestmem.migration.ZeroPages;
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
 * Zero-page detection (QEMU's buffer_is_zero on 4 KiB pages): {@code MemorySegment.mismatch} against a
 * zero page, {@code ZeroPages.isZero} (three bytes first, then the long loop), a hand-unrolled long loop, and,
 * as the memory-bandwidth baseline, the sum of every long. "cached": one 4 KiB page again and again (L1);
 * "ram": every page of a 256 MiB buffer (from memory). "zero" pages are the whole scan; "random" pages
 * (splitmix64 seeded 0x5a45524f, as the C peer native/bench/xbzrle_bench.c fills its buffer) stop at
 * once. Nanoseconds per page: 4096 / ns = GB/s; each iteration also reports CPU time per page ({@link CpuTime}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class ZeroPageBench {
    static final int PAGE = 4096;
    static final long BIG = 256L << 20;
    static final int PAGES = (int) (BIG / PAGE);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    @Param({"cached", "ram"})
    String where;

    @Param({"zero", "random"})
    String content;

    Arena arena;
    MemorySegment buf;
    long span;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        span = where.equals("cached") ? PAGE : BIG;
        buf = arena.allocate(span, 4096);
        buf.fill((byte) 0);
        if (content.equals("random")) {
            XbzrleBench.Splitmix rnd = new XbzrleBench.Splitmix(0x5a45524fL);
            for (long i = 0; i < span; i += 8) {
                buf.set(LE_LONG, i, rnd.next());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int mismatch(CpuTime cpu) {
        cpu.ops += PAGES;
        int zero = 0;
        for (int i = 0; i < PAGES; i++) {
            long off = (i * (long) PAGE) % span;
            zero += ZeroPages.isZeroByMismatch(buf, off, PAGE) ? 1 : 0;
        }
        return zero;
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int isZero(CpuTime cpu) {
        cpu.ops += PAGES;
        int zero = 0;
        for (int i = 0; i < PAGES; i++) {
            long off = (i * (long) PAGE) % span;
            zero += ZeroPages.isZero(buf, off, PAGE) ? 1 : 0;
        }
        return zero;
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int longLoop(CpuTime cpu) {
        cpu.ops += PAGES;
        int zero = 0;
        for (int i = 0; i < PAGES; i++) {
            long off = (i * (long) PAGE) % span;
            zero += ZeroPages.isZeroByLongs(buf, off, PAGE) ? 1 : 0;
        }
        return zero;
    }

    /** Memory read bandwidth baseline: the sum of every long of every page. */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long readBandwidth(CpuTime cpu) {
        cpu.ops += PAGES;
        long acc = 0;
        for (int i = 0; i < PAGES; i++) {
            long off = (i * (long) PAGE) % span;
            for (long j = 0; j < PAGE; j += 8) {
                acc += buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off + j);
            }
        }
        return acc;
    }
}
