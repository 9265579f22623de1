package org.guestmem.bench;

import java.util.concurrent.TimeUnit;
import org.guestmem.migration.Xbzrle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * XBZRLE encode and decode ({@link Xbzrle}, QEMU's page delta) per 4 KiB page, on {@value #PAGES} page
 * pairs with {@code pct}% of the bytes changed in runs of 1-8 bytes. The pages are exactly those of the C
 * peer native/bench/xbzrle_bench.c ({@link #pages}: the same splitmix64 stream), so both sides encode the
 * same bytes; {@link #encodedBytes} is the total the C peer prints beside its figure. Encode: old and new
 * page to a scratch buffer, with QEMU's bound (the page size). Decode: each delta applied to a copy of the
 * old page (after the first call it holds the new page, and the same bytes are written again). Besides
 * wall time, each iteration reports the thread's CPU time per page ({@link CpuTime}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = "--enable-native-access=ALL-UNNAMED")
public class XbzrleBench {
    static final int PAGE = 4096;
    static final int PAGES = 256;

    @Param({"1", "10", "50"})
    int pct;

    byte[][] old, cur, work, enc;
    int[] encLen;
    byte[] scratch = new byte[PAGE];

    @Setup(Level.Trial)
    public void setup() {
        byte[][][] p = pages(pct);
        old = p[0];
        cur = p[1];
        work = new byte[PAGES][];
        enc = new byte[PAGES][PAGE];
        encLen = new int[PAGES];
        for (int i = 0; i < PAGES; i++) {
            work[i] = old[i].clone();
            encLen[i] = Xbzrle.encode(old[i], cur[i], PAGE, enc[i], PAGE);
            if (encLen[i] > 0 && (Xbzrle.decode(enc[i], encLen[i], work[i], PAGE) < 0 || !java.util.Arrays.equals(work[i], cur[i]))) {
                throw new IllegalStateException("page " + i + " at " + pct + "% does not decode to the new page");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long encode(CpuTime cpu) {
        cpu.ops += PAGES;
        long total = 0;
        for (int i = 0; i < PAGES; i++) {
            total += Xbzrle.encode(old[i], cur[i], PAGE, scratch, PAGE);
        }
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long decode(CpuTime cpu) {
        cpu.ops += PAGES;
        long total = 0;
        for (int i = 0; i < PAGES; i++) {
            if (encLen[i] > 0) {
                total += Xbzrle.decode(enc[i], encLen[i], work[i], PAGE);
            }
        }
        return total;
    }

    /** Total encoded bytes of the {@code pct} set (pages that overflow count 0), for the cross-check with C. */
    static long encodedBytes(int pct) {
        byte[][][] p = pages(pct);
        byte[] dst = new byte[PAGE];
        long total = 0;
        for (int i = 0; i < PAGES; i++) {
            total += Math.max(0, Xbzrle.encode(p[0][i], p[1][i], PAGE, dst, PAGE));
        }
        return total;
    }

    /**
     * The page pairs {old, new}: old = random bytes (splitmix64 seeded with 0x58425a524c45 + pct, eight
     * bytes per output, least significant first); new = old with runs changed until pct% of the bytes
     * differ. Each run: r = next(); start (r >>> 16) % 4096, length 1 + (r & 7), changed byte
     * old ^ (1 + ((r >>> 8) & 0xff) % 255).
     */
    static byte[][][] pages(int pct) {
        Splitmix rnd = new Splitmix(0x58425a524c45L + pct);
        byte[][] o = new byte[PAGES][PAGE], c = new byte[PAGES][];
        for (int p = 0; p < PAGES; p++) {
            rnd.fill(o[p]);
            c[p] = o[p].clone();
            int target = PAGE * pct / 100, changed = 0;
            while (changed < target) {
                long r = rnd.next();
                int start = (int) ((r >>> 16) % PAGE), len = 1 + (int) (r & 7);
                byte flip = (byte) (1 + ((r >>> 8) & 0xff) % 255);
                for (int k = start; k < start + len && k < PAGE && changed < target; k++) {
                    if (c[p][k] == o[p][k]) {
                        c[p][k] = (byte) (o[p][k] ^ flip);
                        changed++;
                    }
                }
            }
        }
        return new byte[][][] {o, c};
    }

    /** splitmix64, the generator the C peers use too. */
    static final class Splitmix {
        private long state;

        Splitmix(long seed) {
            state = seed;
        }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        void fill(byte[] b) {
            for (int i = 0; i < b.length; i += 8) {
                long r = next();
                for (int k = 0; k < 8 && i + k < b.length; k++) {
                    b[i + k] = (byte) (r >>> (8 * k));
                }
            }
        }
    }
}
