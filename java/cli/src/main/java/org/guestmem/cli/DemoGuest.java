package org.guestmem.cli;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.apache.commons.lang3.Validate;
import org.guestmem.migration.SimulatedVcpus;
import org.guestmem.ram.Backing;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/**
 * The guest of {@code demo} and {@code migrate}: {@code pc.ram} (most of the size), a resizeable
 * {@code mem1} (1/16 of the size used, twice that max; the destination starts with a different used length
 * and takes the source's), {@code pc.bios} 256 KiB, {@code pc.rom} 128 KiB, and a non-migratable
 * {@code vga.vram} (16 MiB) that a hot-plug thread frees and adds again every 20 ms on the source.
 * The source RAM is 3/4 random bytes and 1/4 zero pages.
 */
final class DemoGuest implements AutoCloseable {
    static final long KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB, PAGE = 4096;

    final Rcu rcu = Rcu.create(Rcu.Flavor.FENCE);
    final RamList list = new RamList(rcu, PAGE);
    private volatile boolean stopHotplug;      // written by close(), read by the hot-plug thread
    private Thread hotplug;
    /** Hot-plug rounds done; written by the hot-plug thread, read for reports. */
    final AtomicLong hotplugRounds = new AtomicLong();

    private DemoGuest(long size, boolean source) {
        Validate.isTrue(size >= 64 * MiB && size % (2 * MiB) == 0, "guest size %d must be a multiple of 2 MiB and at least 64 MiB", size);
        long mem1 = size / 16;
        list.add(RamBlockSpec.of("pc.ram", size - mem1));
        list.add(RamBlockSpec.resizeable("mem1", source ? mem1 : mem1 / 2, 2 * mem1));
        list.add(RamBlockSpec.of("pc.bios", 256 * KiB));
        list.add(RamBlockSpec.of("pc.rom", 128 * KiB));
        if (source) {
            list.add(vram());
        }
    }

    static DemoGuest source(long size, long seed) {
        DemoGuest g = new DemoGuest(size, true);
        g.fill(seed);
        return g;
    }

    static DemoGuest destination(long size) {
        return new DemoGuest(size, false);
    }

    private static RamBlockSpec vram() {
        return new RamBlockSpec("vga.vram", 16 * MiB, 16 * MiB, Backing.anonymous(), java.util.EnumSet.of(RamBlock.Flag.NORESERVE));
    }

    private void fill(long seed) {
        GuestMemory mem = new GuestMemory(list);
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] chunk = new byte[(int) (512 * KiB)];
        for (RamBlock b : list.blocks()) {
            for (long off = 0; off < b.usedLength(); off += 2 * MiB) {
                long n = Math.min(b.usedLength() - off, 3 * 512 * KiB);   // 1.5 MiB random of every 2 MiB
                for (long done = 0; done < n; done += chunk.length) {
                    int len = (int) Math.min(chunk.length, n - done);
                    rnd.nextBytes(chunk);
                    mem.write(b.offset() + off + done, java.lang.foreign.MemorySegment.ofArray(chunk), 0, len);
                }
            }
        }
    }

    /** vCPUs writing into pc.ram and mem1. */
    SimulatedVcpus vcpus(int threads, long writesPerSecond) {
        return new SimulatedVcpus(new GuestMemory(list), List.of(list.block("pc.ram"), list.block("mem1")), threads, writesPerSecond, 42);
    }

    /** Starts the thread that frees and re-adds the non-migratable vga.vram every 20 ms. */
    void startHotplug() {
        hotplug = Thread.ofPlatform().daemon().name("hotplug").start(() -> {
            while (!stopHotplug) {
                RamBlock v = list.findBlock("vga.vram");
                if (v != null) {
                    list.free(v);
                } else {
                    list.add(vram());
                }
                hotplugRounds.incrementAndGet();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void stopHotplug() {
        stopHotplug = true;
        if (hotplug != null) {
            try {
                hotplug.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** CRC32C of every migratable block's used bytes, by name. */
    Map<String, String> checksums() {
        Map<String, String> m = new LinkedHashMap<>();
        for (RamBlock b : list.blocks()) {
            if (!b.isMigratable()) {
                continue;
            }
            CRC32C crc = new CRC32C();
            MemorySegment seg = b.segment();
            for (long off = 0; off < b.usedLength(); off += 64 * MiB) {
                ByteBuffer bb = seg.asSlice(off, Math.min(64 * MiB, b.usedLength() - off)).asByteBuffer();
                crc.update(bb);
            }
            m.put(b.name(), String.format("%08x/%d", crc.getValue(), b.usedLength()));
        }
        return m;
    }

    @Override
    public void close() {
        stopHotplug();
        list.close();
        rcu.close();
    }

    /** "1G", "512M", "64K", "4096" → bytes. */
    static long parseSize(String s) {
        Validate.isTrue(s != null && s.matches("(?i)\\d+[KMGT]?"), "size '%s' is not a number with an optional K, M, G or T suffix", s);
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        long unit = switch (last) {
            case 'K' -> KiB;
            case 'M' -> MiB;
            case 'G' -> GiB;
            case 'T' -> 1024 * GiB;
            default -> 1;
        };
        String digits = Character.isDigit(last) ? s : s.substring(0, s.length() - 1);
        return Math.multiplyExact(Long.parseLong(digits), unit);
    }
}
