package org.guestmem.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Migration throughput for non-zero pages against the raw loopback TCP throughput of the same bytes, in
 * the same run: an idle 256 MiB guest of random bytes migrated to a destination RamList in this JVM over
 * loopback TCP ({@code migrate}), and the same 256 MiB written from the block to a socket whose reader
 * only discards ({@code rawTcp}). Time per 256 MiB; MB/s = 256 MiB / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class MigrationThroughputBench {
    static final long SIZE = 256L << 20;

    Rcu rcu;
    RamList src, dst;

    @Setup(Level.Trial)
    public void setup() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        src = new RamList(rcu, 4096);
        dst = new RamList(rcu, 4096);
        RamBlock b = src.add(RamBlockSpec.of("pc.ram", SIZE));
        dst.add(RamBlockSpec.of("pc.ram", SIZE));
        byte[] chunk = new byte[1 << 20];
        SplittableRandom rnd = new SplittableRandom(1);
        GuestMemory mem = new GuestMemory(src);
        for (long off = 0; off < SIZE; off += chunk.length) {
            rnd.nextBytes(chunk);
            mem.write(b.offset() + off, chunk);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        src.close();
        dst.close();
        rcu.close();
    }

    @Benchmark
    public long migrate() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<LiveMigration.LoadStats> loaded = CompletableFuture.supplyAsync(() -> {
            try (MigrationChannel ch = MigrationChannel.accept(0, 10_000, port::complete)) {
                return LiveMigration.receive(ch, dst);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (MigrationChannel ch = MigrationChannel.connect("localhost:" + port.get(), 10_000)) {
            long bytes = new LiveMigration(src, LiveMigration.Options.defaults(), null).send(ch, () -> {}, () -> {}).transferredBytes();
            loaded.get();
            return bytes;
        }
    }

    @Benchmark
    public long rawTcp() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Long> sink = CompletableFuture.supplyAsync(() -> {
            try (MigrationChannel ch = MigrationChannel.accept(0, 10_000, port::complete)) {
                InputStream in = ch.input();
                byte[] buf = new byte[256 * 1024];
                long n = 0;
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
                return n;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (MigrationChannel ch = MigrationChannel.connect("localhost:" + port.get(), 10_000)) {
            OutputStream out = ch.output();
            MemorySegment seg = src.block("pc.ram").segment();
            byte[] buf = new byte[256 * 1024];
            for (long off = 0; off < SIZE; off += buf.length) {
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, buf, 0, buf.length);
                out.write(buf);
            }
            out.flush();
        }
        return sink.get();
    }
}
