package org.guestmem.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.dirty.DirtySnapshot;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.RamSaver;
import org.guestmem.migration.RamStreamWriter;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
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
 * Bitmap sync cost against guest size: one RAM block of 1, 4, 16 or 64 GiB (anonymous, MAP_NORESERVE,
 * never touched: the guest pages stay unallocated, only the dirty bitmaps are written), either clean or
 * lightly dirty (one page in 1024 marked before each call, outside the timing).
 * <ul>
 * <li>{@code snapshotAndClear}: {@link DirtyMemory#snapshotAndClear} of the whole guest for the
 *     MIGRATION client (a clean guest is answered by the look alone).</li>
 * <li>{@code migrationSync}: {@link RamSaver#sync()}, QEMU's migration_bitmap_sync: the MIGRATION bits
 *     taken into the saver's per-block bitmap, then its pending pages counted. The saver's bitmap stays
 *     all-ones from setup (nothing is sent), which costs the sync the same as a sparse one: it ORs and
 *     counts every word either way.</li>
 * </ul>
 * The C twin is native/bench/bitmap_sync_bench.c (the same bitmaps and algorithm, no guest mapping); the
 * other peer of each size is the 1 GiB figure times the size (linear scaling), see {@code ScalingSuite}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class BitmapSyncBench {
    static final long PAGE = 4096;
    /** Lightly dirty: one page in this many. */
    static final long STRIDE = 1024;

    @Param({"1", "4", "16", "64"})
    long guestGiB;

    @Param({"clean", "light"})
    String state;

    Rcu rcu;
    RamList list;
    DirtyMemory dirty;
    RamSaver saver;
    long bytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bytes = guestGiB << 30;
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
        list.add(RamBlockSpec.of("pc.ram", bytes));
        dirty = list.dirtyMemory();
        saver = new RamSaver(list, new RamStreamWriter(OutputStream.nullOutputStream(), (int) PAGE),
                LiveMigration.RAM_SECTION_ID, RamSaver.Options.defaults());
        saver.setup();                                            // takes the new block's initial dirty bits
        dirty.snapshotAndClear(0, bytes, DirtyClient.MIGRATION);
    }

    @Setup(Level.Invocation)
    public void markDirty() {
        if (state.equals("light")) {
            int mask = DirtyClient.MIGRATION.mask();
            for (long p = 0; p < bytes / PAGE; p += STRIDE) {
                dirty.setDirtyRange(p * PAGE, PAGE, mask);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        saver.close();
        list.close();
        rcu.close();
    }

    @Benchmark
    public DirtySnapshot snapshotAndClear() {
        return dirty.snapshotAndClear(0, bytes, DirtyClient.MIGRATION);
    }

    @Benchmark
    public long migrationSync() {
        saver.sync();
        return saver.remainingPages();
    }
}
