package org.guestmem.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
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
 * RAM address lookup: an MRU hit, and a miss with 8, 64 and 1024 blocks, ours (binary search over the
 * published snapshot) against QEMU's algorithm (linear walk of the list) in the same run. The C twin is
 * native/bench/lookup_bench.c. The read section is held across the measurement so only the lookup is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class RamListLookupBench {
    @Param({"8", "64", "1024"})
    int blocks;

    Rcu rcu;
    RamList list;
    long[] missAddrs;
    long hitAddr;
    int i;
    ReadSection section;

    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, 4096);
        for (int b = 0; b < blocks; b++) {
            list.add(RamBlockSpec.of("block-" + b, 256 * 1024));
        }
        List<RamBlock> all = list.blocks();
        // Visit blocks in an order where consecutive addresses are never in the same block: every lookup misses the MRU.
        missAddrs = new long[4096];
        java.util.Random rnd = new java.util.Random(42);
        int prev = -1;
        for (int k = 0; k < missAddrs.length; k++) {
            int pick;
            do {
                pick = rnd.nextInt(all.size());
            } while (pick == prev);
            prev = pick;
            missAddrs[k] = all.get(pick).offset() + rnd.nextInt(256 * 1024);
        }
        hitAddr = all.get(all.size() / 2).offset() + 4096;
    }

    @Setup(Level.Iteration)
    public void enter() {
        section = rcu.read();
    }

    @TearDown(Level.Iteration)
    public void leave() {
        section.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        list.close();
        rcu.close();
    }

    @Benchmark
    public RamBlock hit() {
        return list.lookup(hitAddr);
    }

    @Benchmark
    public RamBlock missBinarySearch() {
        return list.lookup(missAddrs[i++ & 4095]);
    }

    @Benchmark
    public RamBlock missLinearScanQemu() {
        return list.lookupByScan(missAddrs[i++ & 4095]);
    }
}
