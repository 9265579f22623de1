package org.guestmem.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MigrationChannelTest {
    @Test
    void tcpCarriesBytesAndADroppedConnectionFailsTheOtherSide() throws Exception {
        AtomicInteger port = new AtomicInteger();
        java.util.concurrent.CountDownLatch bound = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (MigrationChannel dst = MigrationChannel.accept(0, 10_000, p -> {
                port.set(p);
                bound.countDown();
            })) {
                return dst.input().readNBytes(5);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        bound.await();
        try (MigrationChannel src = MigrationChannel.connect("localhost:" + port.get(), 5_000)) {
            src.output().write("hello".getBytes());
            src.output().flush();
            assertArrayEquals("hello".getBytes(), received.get());
            // The destination closed: the source's writes fail (possibly after the kernel buffer fills).
            OutputStream out = src.output();
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    out.write(new byte[64 * 1024]);
                }
            });
        }
    }

    @Test
    void connectingToNothingNamesTheAddress() {
        IOException e = assertThrows(IOException.class, () -> MigrationChannel.connect("localhost:1", 2_000));
        assertTrue(e.getMessage().contains("localhost:1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MigrationChannel.parse("nohost"));
        assertThrows(IllegalArgumentException.class, () -> MigrationChannel.parse("host:99999"));
        assertThrows(IllegalArgumentException.class, () -> MigrationChannel.parse("host:abc"));
    }

    @Test
    void inMemoryPairIsAPipeBothWays() throws Exception {
        MigrationChannel[] pair = MigrationChannel.inMemoryPair(1 << 16);
        CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
            try {
                InputStream in = pair[0].input();
                pair[0].output().write(in.readNBytes(3));
                pair[0].output().flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        pair[1].output().write(new byte[] {1, 2, 3});
        pair[1].output().flush();
        assertArrayEquals(new byte[] {1, 2, 3}, pair[1].input().readNBytes(3));
        echo.get();
        pair[0].close();
        assertEquals(-1, pair[1].input().read(), "the closed end reads as EOF");
    }

    @Test
    void bandwidthLimitHoldsTheRateDown() throws IOException {
        OutputStream sink = OutputStream.nullOutputStream();
        long rate = 4 << 20; // 4 MiB/s
        long[] now = {0};    // a simulated clock: the limiter's sleeps advance it, no wall time is measured
        try (BandwidthLimit limited = new BandwidthLimit(sink, rate, () -> now[0], nanos -> now[0] += nanos)) {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 64; i++) {        // 4 MiB, of which the burst (~400 KiB) is free
                limited.write(chunk);
            }
            assertEquals(4 << 20, limited.written());
            double seconds = now[0] / 1e9;
            assertTrue(seconds >= 0.85 && seconds <= 1.0, "4 MiB at 4 MiB/s with a 0.1 s burst needs ~0.9 s of throttling, got " + seconds);
        }
        assertThrows(IllegalArgumentException.class, () -> new BandwidthLimit(sink, -1));
    }
}
