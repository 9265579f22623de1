package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.guestmem.ram.Backing;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/** Source and destination guests for migration tests: the same block names, patterned source RAM. */
final class Guests implements AutoCloseable {
    static final long KiB = 1024, MiB = 1024 * KiB, PAGE = 4096;

    final Rcu rcu = Rcu.create(Rcu.Flavor.FENCE);
    final RamList src = new RamList(rcu, PAGE);
    final RamList dst = new RamList(rcu, PAGE);

    /** pc.ram (ramMiB), pc.bios 256 KiB, resizeable ram2 (1 of 4 MiB; 2 MiB used on the destination), vga.vram not migratable (source only). */
    Guests(long ramMiB) {
        src.add(RamBlockSpec.of("pc.ram", ramMiB * MiB));
        src.add(RamBlockSpec.of("pc.bios", 256 * KiB));
        src.add(RamBlockSpec.resizeable("ram2", 1 * MiB, 4 * MiB));
        src.add(nonMigratable("vga.vram", 1 * MiB));
        dst.add(RamBlockSpec.of("pc.ram", ramMiB * MiB));
        dst.add(RamBlockSpec.of("pc.bios", 256 * KiB));
        dst.add(RamBlockSpec.resizeable("ram2", 2 * MiB, 4 * MiB));
        fill(src, 1);
    }

    static RamBlockSpec nonMigratable(String name, long size) {
        return new RamBlockSpec(name, size, size, Backing.anonymous(), EnumSet.of(RamBlock.Flag.NORESERVE));
    }

    /** Every other 64 KiB of every block gets random bytes, the rest stays zero (zero pages to detect). */
    static void fill(RamList list, long seed) {
        GuestMemory mem = new GuestMemory(list);
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] chunk = new byte[(int) (64 * KiB)];
        for (RamBlock b : list.blocks()) {
            for (long off = 0; off + chunk.length <= b.usedLength(); off += 2 * chunk.length) {
                rnd.nextBytes(chunk);
                mem.write(b.offset() + off, chunk);
            }
        }
    }

    GuestMemory srcMemory() {
        return new GuestMemory(src);
    }

    /** Every migratable source block equals its destination block byte for byte over the used length. */
    void assertSame() {
        for (RamBlock s : src.blocks()) {
            if (!s.isMigratable()) {
                continue;
            }
            RamBlock d = dst.block(s.name());
            assertEquals(s.usedLength(), d.usedLength(), "used length of " + s.name());
            long mismatch = MemorySegment.mismatch(s.segment(), 0, s.usedLength(), d.segment(), 0, d.usedLength());
            assertEquals(-1, mismatch, "block " + s.name() + " differs at byte " + mismatch);
        }
    }

    @Override
    public void close() {
        src.close();
        dst.close();
        rcu.close();
    }
}
