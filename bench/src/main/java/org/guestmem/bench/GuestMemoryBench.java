package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
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
 * What a device model pays per guest access: {@link GuestMemory#writeLong} (read section, block lookup,
 * store, dirty mark for the three clients) and {@link GuestMemory#readLong} (section, lookup, load), each
 * call its own section through {@code Rcu.read()}. C twin: native/bench/guest_memory_bench.c (a liburcu memb
 * section, {@code gm_ram_translate}, the access, an atomic OR per client bitmap). Same pattern: 8-byte
 * accesses 64 bytes apart walking a 256 KiB window of a 64 MiB block (a quarter of a 1 MiB L2: a window the
 * size of L2 made both sides swing up to 1.8x between processes with where the pages landed physically). The
 * flavor defaults to MEMBARRIER (the C twin's memb); BenchRunner passes FENCE where membarrier is unavailable.
 *
 * <p>The {@code …Batch} benchmarks time what the C twin times: {@link #BATCH} accesses per measured call
 * (the read loop sums what it loads, as the C loop does), reported per access; the one-access benchmarks add
 * JMH's per-call cost and a Blackhole, which the C loop does not pay. The goals are judged on the batch rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class GuestMemoryBench {
    static final long BLOCK = 64L << 20;
    static final long WINDOW_MASK = (1L << 18) - 1;
    /** Accesses per measured call, as BATCH in native/bench/guest_memory_bench.c. */
    static final int BATCH = 1024;

    @Param({"MEMBARRIER"})
    Rcu.Flavor flavor;

    Rcu rcu;
    RamList list;
    GuestMemory mem;
    long i;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(flavor);
        list = new RamList(rcu, 4096);
        list.add(RamBlockSpec.of("ram", BLOCK));
        mem = new GuestMemory(list);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        list.close();
        rcu.close();
    }

    @Benchmark
    public void writeLong() {
        long k = i++;
        mem.writeLong((k << 6) & WINDOW_MASK, k);
    }

    @Benchmark
    public long readLong() {
        return mem.readLong((i++ << 6) & WINDOW_MASK);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void writeLongBatch() {
        GuestMemory m = mem;
        long k = i;
        for (int n = 0; n < BATCH; n++, k++) {
            m.writeLong((k << 6) & WINDOW_MASK, k);
        }
        i = k;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long readLongBatch() {
        GuestMemory m = mem;
        long k = i;
        long acc = 0;
        for (int n = 0; n < BATCH; n++, k++) {
            acc += m.readLong((k << 6) & WINDOW_MASK);
        }
        i = k;
        return acc;
    }
}
