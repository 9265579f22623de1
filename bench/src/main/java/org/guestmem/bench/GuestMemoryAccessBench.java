package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One guest word through {@link GuestMemory}, each call with its own read section, lookup (an MRU hit) and,
 * for writes, dirty marking: the plain little-endian accessors are the baseline for the ordered ones, so the
 * ratio shows what the ordering adds on top of the facade's fixed cost. Single thread, uncontended word.
 * Run alone: {@code java --enable-native-access=ALL-UNNAMED -Dguestmem.native.lib=... -jar
 * bench/target/benchmarks.jar GuestMemoryAccessBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class GuestMemoryAccessBench {
    static final long ADDR = 4096 + 64;

    Rcu rcu;
    RamList list;
    GuestMemory mem;
    long n;

    @Setup
    public void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, 4096);
        list.add(RamBlockSpec.of("ram", 1 << 20));
        mem = new GuestMemory(list);
    }

    @TearDown
    public void tearDown() {
        list.close();
        rcu.close();
    }

    @Benchmark
    public long readLongPlain() {
        return mem.readLong(ADDR);
    }

    @Benchmark
    public long readLongAcquire() {
        return mem.readLongAcquire(ADDR);
    }

    @Benchmark
    public long readLongVolatile() {
        return mem.readLongVolatile(ADDR);
    }

    @Benchmark
    public void writeLongPlain() {
        mem.writeLong(ADDR, n++);
    }

    @Benchmark
    public void writeLongRelease() {
        mem.writeLongRelease(ADDR, n++);
    }

    @Benchmark
    public void writeLongVolatile() {
        mem.writeLongVolatile(ADDR, n++);
    }

    @Benchmark
    public long getAndAddLong() {
        return mem.getAndAddLong(ADDR, 1);
    }

    @Benchmark
    public boolean compareAndSetLong() {
        long v = n++;
        return mem.compareAndSetLong(ADDR, v, v + 1);
    }
}
