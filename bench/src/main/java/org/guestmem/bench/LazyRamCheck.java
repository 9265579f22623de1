package org.guestmem.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.RamSaver;
import org.guestmem.migration.RamStreamWriter;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/**
 * Checks, in the runner's own process, that the largest guest of {@link BitmapSyncBench} stays lazily
 * allocated: the resident set size before and after setting up the block, marking one page in 1024 dirty
 * and syncing, the way the benchmark does. Only the bitmaps should become resident.
 */
final class LazyRamCheck {
    private static final long PAGE = 4096;

    private LazyRamCheck() {
    }

    /** A one-line note with the RSS growth, or why it could not be measured. */
    static String run(long guestGiB) {
        long bytes = guestGiB << 30;
        long before = residentBytes();
        if (before < 0) {
            return "lazy allocation of the " + guestGiB + " GiB guest not checked: no /proc/self/status here";
        }
        long after;
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE); RamList list = new RamList(rcu, PAGE)) {
            list.add(RamBlockSpec.of("pc.ram", bytes));
            DirtyMemory dirty = list.dirtyMemory();
            try (RamSaver saver = new RamSaver(list, new RamStreamWriter(OutputStream.nullOutputStream(), (int) PAGE),
                    LiveMigration.RAM_SECTION_ID, RamSaver.Options.defaults())) {
                saver.setup();
                for (int round = 0; round < 3; round++) {
                    for (long p = 0; p < bytes / PAGE; p += BitmapSyncBench.STRIDE) {
                        dirty.setDirtyRange(p * PAGE, PAGE, DirtyClient.MIGRATION.mask());
                    }
                    saver.sync();
                    dirty.snapshotAndClear(0, bytes, DirtyClient.MIGRATION);
                }
                after = residentBytes();
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            return "lazy allocation of the " + guestGiB + " GiB guest not checked: " + e;
        }
        long grew = after - before;
        return String.format(Locale.ROOT, "%d GiB guest %s: the runner's RSS grew by %.1f MiB while it mapped the block,"
                        + " marked one page in 1024 dirty and synced three times (%.4f%% of the guest size: the bitmaps and the saver's own bitmap)",
                guestGiB, grew < bytes / 100 ? "stays lazily allocated" : "did NOT stay lazily allocated",
                grew / 1048576.0, 100.0 * grew / bytes);
    }

    /** VmRSS of this process in bytes, or -1 where /proc is not there. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
