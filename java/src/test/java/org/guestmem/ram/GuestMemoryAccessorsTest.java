package org.guestmem.ram;

import static org.guestmem.ram.RamListTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The device-model accessors of {@link GuestMemory}: little-endian scalars, ordered words, range errors, freeing. */
class GuestMemoryAccessorsTest {
    static final long MiB = 1 << 20, PAGE = 4096;
    Rcu rcu;
    RamList list;
    GuestMemory mem;
    RamBlock a, b;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
        a = list.add(RamBlockSpec.of("a", MiB));          // [0, 1 MiB)
        b = list.add(RamBlockSpec.of("b", MiB));          // [1 MiB, 2 MiB): contiguous with a
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

    /** The raw bytes at a RAM address, read from the block's memory, not through GuestMemory. */
    byte[] raw(long addr, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            RamBlock blk = addr + i < MiB ? a : b;
            out[i] = blk.segment().get(ValueLayout.JAVA_BYTE, addr + i - blk.offset());
        }
        return out;
    }

    static byte[] le(long v, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    void assertOnlyPageDirty(long addr, String what) {
        for (DirtyClient c : DirtyClient.values()) {
            assertEquals(1, list.dirtyMemory().dirtyPages(0, list.ramEnd(), c), what + ": exactly one page dirty for " + c);
            assertTrue(list.dirtyMemory().isDirty(addr, 1, c), what + ": the page of 0x" + Long.toHexString(addr) + " is dirty for " + c);
        }
    }

    void assertNothingDirty(String what) {
        for (DirtyClient c : DirtyClient.values()) {
            assertEquals(0, list.dirtyMemory().dirtyPages(0, list.ramEnd(), c), what + ": nothing dirty for " + c);
        }
    }

    @Test
    void littleEndianAccessorsStoreLowByteFirstAtAnyAlignment() {
        mem.writeShortLE(0x101, (short) 0xa1b2);
        assertArrayEquals(new byte[] {(byte) 0xb2, (byte) 0xa1}, raw(0x101, 2));
        assertEquals((short) 0xa1b2, mem.readShortLE(0x101));
        mem.writeIntLE(0x203, 0x01020304);
        assertArrayEquals(new byte[] {4, 3, 2, 1}, raw(0x203, 4));
        assertEquals(0x01020304, mem.readIntLE(0x203));
        assertEquals(0x01020304, mem.readInt(0x203), "readInt is the same little-endian read");
        mem.writeLongLE(MiB + 0x305, 0x1122334455667788L);
        assertArrayEquals(le(0x1122334455667788L, 8), raw(MiB + 0x305, 8));
        assertEquals(0x1122334455667788L, mem.readLongLE(MiB + 0x305));
        assertEquals(0x1122334455667788L, mem.readLong(MiB + 0x305));
        mem.writeInt(0x400, 0xcafef00d);
        assertArrayEquals(le(0xcafef00dL, 4), raw(0x400, 4), "writeInt is little-endian too");
        assertEquals(0xcafef00d, mem.readIntLE(0x400));
    }

    /** Every store kind, keyed by name: stores value v at an address. */
    Map<String, LongConsumer> intStores(long v) {
        Map<String, LongConsumer> m = new LinkedHashMap<>();
        m.put("writeIntOpaque", at -> mem.writeIntOpaque(at, (int) v));
        m.put("writeIntRelease", at -> mem.writeIntRelease(at, (int) v));
        m.put("writeIntVolatile", at -> mem.writeIntVolatile(at, (int) v));
        m.put("compareAndSetInt", at -> assertTrue(mem.compareAndSetInt(at, mem.readIntVolatile(at), (int) v)));
        m.put("compareAndExchangeInt", at -> {
            int old = mem.readIntVolatile(at);
            assertEquals(old, mem.compareAndExchangeInt(at, old, (int) v));
        });
        m.put("getAndAddInt", at -> mem.getAndAddInt(at, (int) v - mem.readIntVolatile(at)));
        return m;
    }

    Map<String, LongConsumer> longStores(long v) {
        Map<String, LongConsumer> m = new LinkedHashMap<>();
        m.put("writeLongOpaque", at -> mem.writeLongOpaque(at, v));
        m.put("writeLongRelease", at -> mem.writeLongRelease(at, v));
        m.put("writeLongVolatile", at -> mem.writeLongVolatile(at, v));
        m.put("compareAndSetLong", at -> assertTrue(mem.compareAndSetLong(at, mem.readLongVolatile(at), v)));
        m.put("compareAndExchangeLong", at -> {
            long old = mem.readLongVolatile(at);
            assertEquals(old, mem.compareAndExchangeLong(at, old, v));
        });
        m.put("getAndAddLong", at -> mem.getAndAddLong(at, v - mem.readLongVolatile(at)));
        return m;
    }

    @Test
    void everyOrderedStoreWritesLittleEndianBytesThatEveryLoadReadsAndMarksDirty() {
        Map<String, LongUnaryOperator> intLoads = Map.of("readIntOpaque", mem::readIntOpaque, "readIntAcquire", mem::readIntAcquire,
                "readIntVolatile", mem::readIntVolatile, "readIntLE", mem::readIntLE);
        Map<String, LongUnaryOperator> longLoads = Map.of("readLongOpaque", mem::readLongOpaque, "readLongAcquire", mem::readLongAcquire,
                "readLongVolatile", mem::readLongVolatile, "readLongLE", mem::readLongLE);
        long at = MiB + 3 * PAGE + 16;
        int round = 0;
        for (var store : intStores(0x8badf00dL).entrySet()) {
            mem.writeLong(at, 0);                          // clean slate: the 4 bytes after the word stay 0
            clearDirty();
            store.getValue().accept(at);
            assertArrayEquals(new byte[] {0x0d, (byte) 0xf0, (byte) 0xad, (byte) 0x8b, 0, 0, 0, 0}, raw(at, 8), store.getKey() + " stores 4 bytes, low first");
            assertOnlyPageDirty(at, store.getKey());
            for (var load : intLoads.entrySet()) {
                assertEquals(0x8badf00d, (int) load.getValue().applyAsLong(at), load.getKey() + " after " + store.getKey());
            }
            round++;
        }
        for (var store : longStores(0x0123456789abcdefL).entrySet()) {
            mem.writeLong(at, 0);
            clearDirty();
            store.getValue().accept(at + 8);
            assertArrayEquals(le(0x0123456789abcdefL, 8), raw(at + 8, 8), store.getKey() + " stores 8 bytes, low first");
            assertOnlyPageDirty(at + 8, store.getKey());
            for (var load : longLoads.entrySet()) {
                assertEquals(0x0123456789abcdefL, load.getValue().applyAsLong(at + 8), load.getKey() + " after " + store.getKey());
            }
            mem.writeLong(at + 8, 0);
            round++;
        }
        assertEquals(12, round);
    }

    @Test
    void readModifyWritesReturnWhatTheyFoundAndMarkDirtyOnlyWhenTheyStore() {
        mem.writeLong(64, 5);
        clearDirty();
        assertFalse(mem.compareAndSetLong(64, 6, 7), "expected 6, found 5");
        assertEquals(5, mem.compareAndExchangeLong(64, 6, 7), "the witness is the value found");
        assertFalse(mem.compareAndSetInt(64, 6, 7));
        assertEquals(5, mem.compareAndExchangeInt(64, 6, 7));
        assertEquals(5, mem.readLong(64), "a failed compare stores nothing");
        assertNothingDirty("failed compares");
        assertEquals(5, mem.getAndAddLong(64, -10));
        assertEquals(-5, mem.readLong(64));
        assertOnlyPageDirty(64, "getAndAddLong");
        mem.writeInt(128, Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, mem.getAndAddInt(128, 1));
        assertEquals(Integer.MIN_VALUE, mem.readInt(128), "get-and-add wraps");
        assertEquals(0, mem.readInt(132), "an int add touches 4 bytes only");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void getAndAddAndCasCountersFromSeveralThreadsLoseNoUpdate() throws Exception {
        int threads = 4, perThread = 20_000;
        long intCounter = MiB + 8 * PAGE, longCounter = MiB + 8 * PAGE + 8, casCounter = MiB + 8 * PAGE + 16;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        mem.getAndAddInt(intCounter, 1);
                        mem.getAndAddLong(longCounter, 3);
                        long seen = mem.readLongOpaque(casCounter);
                        while (!mem.compareAndSetLong(casCounter, seen, seen + 1)) {
                            seen = mem.readLongVolatile(casCounter);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertNull(failure.get());
        assertEquals(threads * perThread, mem.readIntAcquire(intCounter));
        assertEquals(3L * threads * perThread, mem.readLongAcquire(longCounter));
        assertEquals((long) threads * perThread, mem.readLongAcquire(casCounter));
    }

    /**
     * Message passing: the writer fills a payload with plain little-endian writes, then publishes the round
     * number with writeLongRelease; the reader waits for it with readLongAcquire and must see the payload.
     * The acknowledgement goes back the same way (release/acquire on another word), int-sized this time.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void releaseAcquireMessagePassingDeliversThePayload() throws Exception {
        int rounds = 2_000;
        long flag = 2 * PAGE, ack = 2 * PAGE + 64, payload = MiB - 16;      // the payload crosses no block: a's last 16 bytes
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                for (int r = 1; r <= rounds; r++) {
                    while (mem.readLongAcquire(flag) != r) {
                        Thread.yield();                     // 2 cores shared with others: give the writer the CPU
                    }
                    assertEquals(r, mem.readLong(payload), "payload word 0 of round " + r);
                    assertEquals(~(long) r, mem.readLongLE(payload + 8), "payload word 1 of round " + r);
                    mem.writeIntRelease(ack, r);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        for (int r = 1; r <= rounds && failure.get() == null; r++) {
            mem.writeLong(payload, r);
            mem.writeLongLE(payload + 8, ~(long) r);
            mem.writeLongRelease(flag, r);
            while (mem.readIntAcquire(ack) != r && failure.get() == null && reader.isAlive()) {
                Thread.yield();
            }
        }
        reader.join();
        assertNull(failure.get());
        assertEquals(rounds, mem.readIntVolatile(ack));
    }

    @Test
    void misalignedOrderedAccessesThrowNamingTheAddressAndTouchNothing() {
        for (long at : new long[] {1, 2, 3}) {
            String hex = "0x" + Long.toHexString(at);
            expect(IllegalArgumentException.class, hex, () -> mem.readIntAcquire(at));
            expect(IllegalArgumentException.class, "multiple of 4", () -> mem.writeIntRelease(at, -1));
            expect(IllegalArgumentException.class, "multiple of 4", () -> mem.compareAndSetInt(at, 0, -1));
            expect(IllegalArgumentException.class, "multiple of 4", () -> mem.getAndAddInt(at, -1));
        }
        for (long at : new long[] {1, 4, 7}) {
            expect(IllegalArgumentException.class, "not aligned for an ordered 8-byte access", () -> mem.readLongOpaque(at));
            expect(IllegalArgumentException.class, "multiple of 8", () -> mem.writeLongVolatile(at, -1));
            expect(IllegalArgumentException.class, "multiple of 8", () -> mem.writeLongOpaque(at, -1));
            expect(IllegalArgumentException.class, "multiple of 8", () -> mem.compareAndExchangeLong(at, 0, -1));
            expect(IllegalArgumentException.class, "multiple of 8", () -> mem.getAndAddLong(at, -1));
        }
        assertArrayEquals(new byte[16], raw(0, 16), "nothing was written");
        assertNothingDirty("misaligned accesses");
    }

    @Test
    void accessesOutsideOrAcrossABlockThrowNamingAddressLengthAndBlockAndTouchNothing() {
        RamBlock r = list.add(RamBlockSpec.resizeable("grow", PAGE, 4 * PAGE));   // [2 MiB, +16 KiB), 4 KiB used
        clearDirty();
        long usedEnd = r.offset() + PAGE;
        expect(IllegalArgumentException.class, String.format("[0x%x, +8) reaches past the used length 4096 of block 'grow'", usedEnd),
                () -> mem.writeLongRelease(usedEnd, 1));
        expect(IllegalArgumentException.class, "block 'grow'", () -> mem.readIntVolatile(usedEnd));
        expect(IllegalArgumentException.class, "block 'grow'", () -> mem.getAndAddLong(usedEnd + 8, 1));
        expect(IllegalArgumentException.class, "not inside any RAM block", () -> mem.compareAndSetLong(r.offset() + 4 * PAGE, 0, 1));
        expect(IllegalArgumentException.class, "negative", () -> mem.writeIntOpaque(-8, 1));
        // Little-endian scalars may be misaligned but never cross a block's end, even into a contiguous block.
        expect(IllegalArgumentException.class, "[0xffffc, +8) reaches past the used length 1048576 of block 'a'", () -> mem.writeLongLE(MiB - 4, -1));
        expect(IllegalArgumentException.class, "block 'a'", () -> mem.writeShortLE(MiB - 1, (short) -1));
        expect(IllegalArgumentException.class, "block 'grow'", () -> mem.readShortLE(usedEnd - 1));
        assertArrayEquals(new byte[8], raw(MiB - 4, 8), "the tail of a and the head of b are untouched");
        assertNothingDirty("rejected accesses");
        list.resize(r, 2 * PAGE);
        mem.writeLongRelease(usedEnd, 1);                  // the same word is valid once the block grew
        assertEquals(1, mem.readLongAcquire(usedEnd));
    }

    /**
     * Threads run every kind of new accessor against block b while it is freed. Each access either completes
     * on the live block or fails cleanly: IllegalArgumentException once b is no longer found, or
     * IllegalStateException; never a crash or another error. Every thread must reach the failure.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void blockFreedWhileAccessorsRunFailsCleanly() throws Exception {
        int threads = 4;
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Throwable> endings = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch running = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final long slot = MiB + t * PAGE;
            workers.add(Thread.ofPlatform().start(() -> {
                WritableByteChannel sink = Channels.newChannel(java.io.OutputStream.nullOutputStream());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long n = 0;
                try {
                    while (System.nanoTime() < deadline) {
                        mem.getAndAddLong(slot, 1);
                        mem.compareAndSetInt(slot + 8, (int) n, (int) n + 1);
                        mem.writeLongRelease(slot + 16, n);
                        mem.readLongAcquire(slot + 16);
                        mem.writeShortLE(slot + 33, (short) n);
                        mem.readTo(slot, 256, sink);
                        if (++n == 100) {
                            running.countDown();
                        }
                    }
                    unexpected.compareAndSet(null, new AssertionError("block b was still reachable after 30 s"));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    endings.add(e);
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                } finally {
                    running.countDown();
                }
            }));
        }
        assertTrue(running.await(30, TimeUnit.SECONDS));
        list.free(b);
        rcu.drain();
        for (Thread w : workers) {
            w.join();
        }
        assertNull(unexpected.get(), () -> "unexpected: " + unexpected.get());
        assertEquals(threads, endings.size(), "every thread saw the block go");
        for (Throwable e : endings) {
            assertTrue(e instanceof IllegalStateException || e.getMessage().contains("not inside any RAM block"), "clean failure: " + e);
        }
        assertFalse(b.isMapped(), "b was reclaimed");
        mem.writeLongVolatile(8, 42);                       // block a is unaffected
        assertEquals(42, mem.readLongAcquire(8));
    }
}
