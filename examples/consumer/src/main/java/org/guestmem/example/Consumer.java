package org.guestmem.example;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.guestmem.migration.RamLoader;
import org.guestmem.migration.RamSaver;
import org.guestmem.migration.RamStreamReader;
import org.guestmem.migration.RamStreamWriter;
import org.guestmem.nativeshim.CReaders;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/**
 * What a user of the published artifacts does: map a guest, write and read it, save it to a file in
 * QEMU's stream format, load the file into a second guest and compare every byte; then let a C reader
 * (from guestmem-native) translate an address through the same block table. Prints one line per step
 * and exits non-zero on the first mismatch.
 */
public final class Consumer {
    static final long MiB = 1024 * 1024;
    static final int PAGE = 4096;

    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0]) : Files.createTempFile("guestmem-consumer", ".stream");
        Module m = Consumer.class.getModule();
        System.out.println("consumer: running on the " + (m.isNamed() ? "module path (module " + m.getName() + ")" : "class path"));
        try (Rcu rcu = Rcu.create(Rcu.Flavor.FENCE);
             RamList source = guest(rcu);
             RamList destination = guest(rcu)) {
            GuestMemory src = new GuestMemory(source);
            RamBlock ram = source.block("pc.ram");
            RamBlock bios = source.block("pc.bios");
            for (long a = 0; a < ram.usedLength(); a += 8 * 64) {   // a word in every 64th word of pc.ram
                src.writeLong(ram.offset() + a, 0x9E3779B97F4A7C15L * (a + 1));
            }
            src.writeInt(bios.offset() + 16, 0xC0FFEE);
            src.write(bios.offset() + PAGE, "guestmem".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            check(src.readLong(ram.offset() + 8 * 64 * 3) == 0x9E3779B97F4A7C15L * (8 * 64 * 3 + 1), "read back a written word");
            check(src.readInt(bios.offset() + 16) == 0xC0FFEE, "read back a written int");
            System.out.println("consumer: wrote and read " + source.blocks().size() + " blocks through GuestMemory");

            // The device-model accessors: explicit little-endian, ordered words, atomics, channel transfers.
            long ring = bios.offset() + 2 * PAGE;
            src.writeShortLE(ring, (short) 0x1234);
            check(src.readShortLE(ring) == 0x1234, "a little-endian short reads back");
            src.writeLongLE(ring + 8, 0x0102030405060708L);
            byte[] le = new byte[8];
            src.read(ring + 8, le);
            check(le[0] == 0x08 && le[7] == 0x01, "writeLongLE puts the low byte first");
            src.writeIntRelease(ring + 16, 7);                        // a producer's index, published
            check(src.readIntAcquire(ring + 16) == 7, "an acquire load sees the released index");
            check(src.compareAndSetLong(ring + 24, 0L, 41L), "compare-and-set from 0");
            check(src.getAndAddLong(ring + 24, 1L) == 41L && src.readLongVolatile(ring + 24) == 42L, "get-and-add");
            Path blob = Files.createTempFile("guestmem-consumer", ".bin");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(blob,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                check(src.readTo(ram.offset(), 2 * PAGE, ch, 0) == 2 * PAGE, "two pages of pc.ram go to a file channel");
                check(src.writeFrom(bios.offset() + 3 * PAGE, 2 * PAGE, ch, 0) == 2 * PAGE, "and come back into pc.bios");
            } finally {
                Files.deleteIfExists(blob);
            }
            check(src.readLong(bios.offset() + 3 * PAGE) == src.readLong(ram.offset()), "the channel round trip kept the bytes");
            System.out.println("consumer: little-endian, ordered, atomic and channel accessors behave");

            save(source, file);
            System.out.println("consumer: saved to " + file + " (" + Files.size(file) + " bytes, QEMU RAM stream format)");
            RamStreamReader.Result r = load(destination, file);
            check(r.complete(), "the stream loads completely (" + r + ")");
            for (RamBlock b : source.blocks()) {
                byte[] want = new byte[(int) b.usedLength()];
                byte[] got = new byte[want.length];
                src.read(b.offset(), want);
                new GuestMemory(destination).read(destination.block(b.name()).offset(), got);
                check(Arrays.equals(want, got), "block " + b.name() + " is byte for byte the same after the round trip");
            }
            System.out.println("consumer: loaded it into a second guest; every byte matches");

            // The C-peer part: libguestmem.so comes out of the guestmem-native jar, no property needed.
            long host = CReaders.translate(source.nativeTable().root(), bios.offset() + PAGE, 8);
            check(host == bios.hostAddress() + PAGE, "a C reader translates pc.bios+4096 to its host address");
            System.out.println("consumer: a C reader translated a RAM address through the block table (shim at " + 
                    org.guestmem.nativeshim.NativeShim.ensureLoaded() + ")");
        } finally {
            if (args.length == 0) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("consumer: OK");
    }

    static RamList guest(Rcu rcu) {
        RamList list = new RamList(rcu, PAGE);
        list.add(RamBlockSpec.of("pc.ram", 8 * MiB));
        list.add(RamBlockSpec.of("pc.bios", 256 * 1024));
        return list;
    }

    static void save(RamList list, Path file) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
            RamStreamWriter out = new RamStreamWriter(os, PAGE);
            out.fileHeader();
            RamSaver saver = new RamSaver(list, out, 2, RamSaver.Options.defaults());
            try {
                saver.setup();
                while (!saver.iterate(Long.MAX_VALUE)) {
                    // send until RAM is clean
                }
                saver.complete();
            } finally {
                saver.close();
            }
            out.eof();
            out.flush();
        }
    }

    static RamStreamReader.Result load(RamList list, Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return new RamLoader(list).load(in);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("consumer: FAILED: " + what);
            System.exit(1);
        }
    }
}
