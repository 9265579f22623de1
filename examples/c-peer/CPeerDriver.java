import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import org.guestmem.migration.MigrationStats;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/**
 * Loads the C device model (libcpeer.so, built from device.c against an installed libguestmem) through FFM,
 * lets its threads write and mark a guest's RAM while Java live-migrates the guest three times, and checks
 * after each migration that the destination equals the source byte for byte.
 *
 * Usage: java --enable-native-access=ALL-UNNAMED \
 *            -cp GUESTMEM_CLASSPATH CPeerDriver.java path/to/libcpeer.so
 */
public class CPeerDriver {
    static final long KiB = 1024, MiB = 1024 * KiB;

    public static void main(String[] args) throws Throwable {
        if (args.length != 1) {
            System.err.println("usage: CPeerDriver <path to libcpeer.so>");
            System.exit(2);
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup device = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MethodHandle start = linker.downcallHandle(device.findOrThrow("cpeer_start"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MethodHandle pause = linker.downcallHandle(device.findOrThrow("cpeer_pause"), FunctionDescriptor.ofVoid());
        MethodHandle resume = linker.downcallHandle(device.findOrThrow("cpeer_resume"), FunctionDescriptor.ofVoid());
        MethodHandle writes = linker.downcallHandle(device.findOrThrow("cpeer_writes"), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        MethodHandle stop = linker.downcallHandle(device.findOrThrow("cpeer_stop"), FunctionDescriptor.of(ValueLayout.JAVA_LONG));

        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList src = new RamList(rcu, 4096); RamList dst = new RamList(rcu, 4096)) {
            RamBlock ram = src.add(RamBlockSpec.of("pc.ram", 8 * MiB));
            src.add(RamBlockSpec.of("pc.bios", 256 * KiB));
            dst.add(RamBlockSpec.of("pc.ram", 8 * MiB));
            dst.add(RamBlockSpec.of("pc.bios", 256 * KiB));
            // The device writes a 2 MiB window of pc.ram through the C API.
            int rc = (int) start.invokeExact(rcu.readerTable().address(), src.nativeTable().root().address(),
                    src.dirtyMemory().nativeRoot().address(), ram.offset() + MiB, 2 * MiB, 2);
            if (rc != 0) {
                throw new IllegalStateException("cpeer_start failed: " + rc);
            }
            boolean same = true;
            for (int round = 1; round <= 3; round++) {
                MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 20);
                CompletableFuture<LiveMigration.LoadStats> loaded = CompletableFuture.supplyAsync(() -> {
                    try {
                        return LiveMigration.receive(pair[1], dst);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                long before = (long) writes.invokeExact();
                MigrationStats s = new LiveMigration(src, LiveMigration.Options.defaults().withMaxIterations(4), null)
                        .send(pair[0], () -> call(pause), () -> call(resume));   // the device is stopped for the switch-over
                loaded.get(30, TimeUnit.SECONDS);
                pair[0].close();
                long at = MemorySegment.mismatch(ram.segment(), 0, ram.usedLength(), dst.block("pc.ram").segment(), 0, ram.usedLength());
                same &= at == -1;
                System.out.printf("c-peer: migration %d: %d pages sent in %d iterations, %d C writes during it, destination %s%n",
                        round, s.normalPages() + s.zeroPages(), s.iterations(), (long) writes.invokeExact() - before,
                        at == -1 ? "equals the source" : "differs at byte " + at);
                call(resume);
            }
            long errors = (long) stop.invokeExact();
            System.out.printf("c-peer: %d C writes in all, %d failed calls%n", (long) writes.invokeExact(), errors);
            if (!same || errors != 0) {
                System.exit(1);
            }
        }
    }

    private static void call(MethodHandle h) {
        try {
            h.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
