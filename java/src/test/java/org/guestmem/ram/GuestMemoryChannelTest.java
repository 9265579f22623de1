package org.guestmem.ram;

import static org.guestmem.ram.RamListTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link GuestMemory}'s transfers between guest memory and channels: pipes, files, short reads, range errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuestMemoryChannelTest {
    static final long MiB = 1 << 20, PAGE = 4096;
    Rcu rcu;
    RamList list;
    GuestMemory mem;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
        list.add(RamBlockSpec.of("a", MiB));          // [0, 1 MiB)
        list.add(RamBlockSpec.of("b", MiB));          // [1 MiB, 2 MiB): contiguous with a
        mem = new GuestMemory(list);
        clearDirty();
    }

    @AfterEach
    void tearDown() {
        list.close();
        rcu.close();
    }

    void clearDirty() {
        for (DirtyClient c : DirtyClient.values()) {
            list.dirtyMemory().testAndClear(0, list.ramEnd(), c);
        }
    }

    long dirtyPages() {
        return list.dirtyMemory().dirtyPages(0, list.ramEnd(), DirtyClient.MIGRATION);
    }

    static byte[] pattern(int n, int seed) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 31 + seed);
        }
        return d;
    }

    byte[] guest(long addr, int n) {
        byte[] out = new byte[n];
        mem.read(addr, out);
        return out;
    }

    @Test
    void pipeRoundTripCrossesContiguousBlocksAndMarksWhatItStored() throws Exception {
        byte[] data = pattern(3 * (int) PAGE + 100, 7);
        long at = MiB - PAGE - 50;                          // from a's last pages into b
        Pipe pipe = Pipe.open();
        // guest -> pipe, drained by another thread (a pipe buffer is smaller than the transfer)
        mem.write(at, data);
        clearDirty();
        CompletableFuture<byte[]> drained = CompletableFuture.supplyAsync(() -> {
            try (var in = Channels.newInputStream(pipe.source())) {
                return in.readNBytes(data.length);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(data.length, mem.readTo(at, data.length, pipe.sink()));
        assertArrayEquals(data, drained.get(30, TimeUnit.SECONDS));
        assertEquals(0, dirtyPages(), "reading guest memory marks nothing");
        // pipe -> guest at another place, fed by another thread
        Pipe back = Pipe.open();
        long to = 5 * PAGE + 3;
        CompletableFuture<Void> fed = CompletableFuture.runAsync(() -> {
            try (var sink = back.sink()) {
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    sink.write(src);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(data.length, mem.writeFrom(to, data.length, back.source()));
        fed.get(30, TimeUnit.SECONDS);
        assertArrayEquals(data, guest(to, data.length));
        assertEquals(4, dirtyPages(), "pages 5..8 hold [5 * PAGE + 3, +3 pages + 100)");
    }

    @Test
    void endOfStreamGivesAShortCountAndLeavesTheRestUntouched() throws Exception {
        byte[] data = pattern(1000, 3);
        long at = 2 * PAGE - 100;
        mem.fill(at, 3 * PAGE, (byte) 0x5a);
        clearDirty();
        var ch = Channels.newChannel(new java.io.ByteArrayInputStream(data));
        assertEquals(1000, mem.writeFrom(at, 3 * PAGE, ch), "short: the stream ends after 1000 bytes");
        assertArrayEquals(data, guest(at, 1000));
        assertEquals(0x5a, mem.readByte(at + 1000), "bytes past the count keep their contents");
        assertEquals(0x5a, mem.readByte(at + 3 * PAGE - 1));
        assertEquals(2, dirtyPages(), "only the pages that received bytes (1 and 2) are dirty");
        assertEquals(0, mem.writeFrom(at, 10, ch), "already at end of stream: 0");
        assertEquals(0, mem.writeFrom(at, 0, ch), "length 0: 0");
        var again = Channels.newChannel(new java.io.ByteArrayInputStream(data));
        expect(EOFException.class, "after 1000 of 1001 bytes", () -> mem.writeFullyFrom(at, 1001, again));
        var exact = Channels.newChannel(new java.io.ByteArrayInputStream(data));
        mem.writeFullyFrom(at, 1000, exact);
    }

    @Test
    void fileChannelsWorkAtTheirPositionAndAtAGivenPosition() throws Exception {
        byte[] data = pattern(2 * (int) PAGE, 11);
        Path f = dir.resolve("disk.img");
        Files.write(f, data);
        try (FileChannel fc = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // sequential: the channel's position advances
            assertEquals(PAGE, mem.writeFrom(MiB - 10, PAGE, fc));
            assertEquals(PAGE, fc.position());
            assertArrayEquals(java.util.Arrays.copyOf(data, (int) PAGE), guest(MiB - 10, (int) PAGE));
            assertEquals(PAGE / 2, mem.writeFrom(0, PAGE, fc, PAGE + PAGE / 2), "short: the file ends");
            assertEquals(PAGE, fc.position(), "a positional read leaves the position alone");
            assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) (PAGE + PAGE / 2), data.length), guest(0, (int) PAGE / 2));
            // guest -> file at a position (the file grows), and at the channel's position
            mem.write(3 * PAGE, pattern(300, 99));
            assertEquals(300, mem.readTo(3 * PAGE, 300, fc, 3 * PAGE));
            assertEquals(3 * PAGE + 300, fc.size());
            assertEquals(PAGE, fc.position());
            assertEquals(100, mem.readTo(3 * PAGE, 100, fc));
            assertEquals(PAGE + 100, fc.position());
        }
        byte[] file = Files.readAllBytes(f);
        assertArrayEquals(pattern(300, 99), java.util.Arrays.copyOfRange(file, 3 * (int) PAGE, 3 * (int) PAGE + 300));
        assertArrayEquals(java.util.Arrays.copyOf(pattern(300, 99), 100), java.util.Arrays.copyOfRange(file, (int) PAGE, (int) PAGE + 100));
    }

    @Test
    void badRangesAndChannelsFailBeforeAnyByteMoves() throws Exception {
        byte[] data = pattern(64, 5);
        long nearEnd = 2 * MiB - 16;
        var in = Channels.newChannel(new java.io.ByteArrayInputStream(data));
        expect(IllegalArgumentException.class, "0x200000", () -> mem.writeFrom(nearEnd, 64, in));
        assertEquals(64, in.read(ByteBuffer.allocate(100)), "the channel was not read");
        assertArrayEquals(new byte[16], guest(nearEnd, 16), "nothing was stored");
        assertEquals(0, dirtyPages());
        var out = new ByteArrayOutputStream();
        expect(IllegalArgumentException.class, "not inside any RAM block", () -> mem.readTo(nearEnd, 64, Channels.newChannel(out)));
        assertEquals(0, out.size(), "nothing reached the channel");
        expect(IllegalArgumentException.class, "negative", () -> mem.readTo(0, -1, Channels.newChannel(out)));
        Path f = dir.resolve("f");
        try (FileChannel fc = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            expect(IllegalArgumentException.class, "file range [-1, +8) is negative", () -> mem.readTo(0, 8, fc, -1));
            expect(IllegalArgumentException.class, "not inside any RAM block", () -> mem.readTo(MiB * 2 - 4, 8, fc, 0));
            assertEquals(0, fc.size());
        }
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        expect(IllegalArgumentException.class, "non-blocking", () -> mem.writeFrom(0, 8, pipe.source()));
        pipe.sink().configureBlocking(false);
        expect(IllegalArgumentException.class, "non-blocking", () -> mem.readTo(0, 8, pipe.sink()));
        assertFalse(pipe.source().read(ByteBuffer.allocate(8)) > 0, "nothing reached the pipe");
        assertTrue(mem.readLong(0) == 0 && dirtyPages() == 0);
    }
}
