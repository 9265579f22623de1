package org.guestmem.migration;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * QEMU's XBZRLE page delta (migration/xbzrle.c), same bytes on the wire:
 * <pre>
 * page  := zrun nzrun | zrun nzrun page      zrun := length      nzrun := length, then length NEW bytes
 * length := uleb128 of at most 14 bits (1 or 2 bytes)
 * </pre>
 * A zrun is a run of bytes equal in the old and new page, an nzrun a run of differing bytes carried
 * verbatim (not XOR). Only the first zrun may be 0; the trailing zrun is never written. The encoder
 * scans equal runs with the vectorised {@link Arrays#mismatch} and differing runs eight bytes at a time
 * (the result is the same as a byte loop); the decoder copies short runs with two overlapping moves.
 */
public final class Xbzrle {
    private Xbzrle() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L;
    /** The largest value the small uleb128 encodes. */
    public static final int ULEB_MAX = 0x3fff;

    /** Encodes {@code n} (0..0x3fff) at {@code dst[off]}; returns the bytes written (1 or 2). */
    public static int ulebEncode(int n, byte[] dst, int off) {
        if (n < 0 || n > ULEB_MAX) {
            throw new IllegalArgumentException("uleb128 value " + n + " is outside 0..0x3fff");
        }
        if (n < 0x80) {
            dst[off] = (byte) n;
            return 1;
        }
        dst[off] = (byte) (n & 0x7f | 0x80);
        dst[off + 1] = (byte) (n >>> 7);
        return 2;
    }

    /**
     * Decodes a small uleb128 at {@code src[off]} (two bytes must be readable) into {@code value[0]};
     * returns the bytes consumed, or -1 if the second byte has bit 7 set (value[0] then holds the low 7 bits).
     */
    public static int ulebDecode(byte[] src, int off, int[] value) {
        int b0 = src[off] & 0xff;
        if ((b0 & 0x80) == 0) {
            value[0] = b0;
            return 1;
        }
        value[0] = b0 & 0x7f;
        int b1 = src[off + 1] & 0xff;
        if ((b1 & 0x80) != 0) {
            return -1;
        }
        value[0] |= b1 << 7;
        return 2;
    }

    /**
     * Encodes the change from {@code old} to {@code cur} (both {@code slen} bytes from offset 0) into
     * {@code dst}; returns the encoded length, 0 if the pages are equal, -1 if it needs more than
     * {@code dlen} bytes (QEMU's xbzrle_encode_buffer, same checks in the same order).
     */
    public static int encode(byte[] old, byte[] cur, int slen, byte[] dst, int dlen) {
        checkLength("page length", slen, Math.min(old.length, cur.length), "the old and current pages");
        checkLength("destination length", dlen, dst.length, "the destination");
        int i = 0, d = 0;
        while (i < slen) {
            if (d + 2 > dlen) {
                return -1;
            }
            int start = i;
            i = equalRunEnd(old, cur, i, slen);
            int zrun = i - start;
            if (zrun == slen) {
                return 0;
            }
            if (i == slen) {
                return d;                                   // the trailing equal run is not written
            }
            d += ulebEncode(zrun, dst, d);
            if (d + 2 > dlen) {
                return -1;
            }
            start = i;
            i = differentRunEnd(old, cur, i, slen);
            int nzrun = i - start;
            d += ulebEncode(nzrun, dst, d);
            if (d + nzrun > dlen) {
                return -1;
            }
            System.arraycopy(cur, start, dst, d, nzrun);
            d += nzrun;
        }
        return d;
    }

    /**
     * Applies {@code slen} bytes of encoded data to {@code dst} (the old page, {@code dlen} bytes); returns
     * the end offset of the last changed run, or -1 for data that breaks the grammar or the bounds (QEMU's
     * xbzrle_decode_buffer). On -1, {@code dst} may be partly written: decode into a copy when that matters.
     */
    public static int decode(byte[] src, int slen, byte[] dst, int dlen) {
        checkLength("encoded length", slen, src.length, "the encoded data");
        checkLength("page length", dlen, dst.length, "the page");
        int i = 0, d = 0;
        while (i < slen) {
            if (slen - i < 2) {
                return -1;
            }
            // zrun: the small uleb128 read in line (ulebDecode's rules)
            int b0 = src[i] & 0xff, zrun;
            if (b0 < 0x80) {
                zrun = b0;
                if (zrun == 0 && i != 0) {                  // only the very first zrun may be 0
                    return -1;
                }
                i++;
            } else {
                int b1 = src[i + 1] & 0xff;
                zrun = b0 & 0x7f | b1 << 7;
                if (b1 >= 0x80 || (zrun == 0 && i != 0)) {
                    return -1;
                }
                i += 2;
            }
            d += zrun;
            if (d > dlen || slen - i < 2) {
                return -1;
            }
            b0 = src[i] & 0xff;
            int nzrun;
            if (b0 < 0x80) {
                nzrun = b0;
                i++;
            } else {
                int b1 = src[i + 1] & 0xff;
                if (b1 >= 0x80) {
                    return -1;
                }
                nzrun = b0 & 0x7f | b1 << 7;
                i += 2;
            }
            if (nzrun == 0 || d + nzrun > dlen || i + nzrun > slen) {
                return -1;
            }
            copyRun(src, i, dst, d, nzrun);
            i += nzrun;
            d += nzrun;
        }
        return d;
    }

    /**
     * Copies a run of {@code n >= 1} bytes as small copies do: two overlapping 8-, 4- or 2-byte moves
     * (first and last) for up to 16 bytes, System.arraycopy beyond. Writes exactly {@code dst[d, d + n)}.
     */
    private static void copyRun(byte[] src, int i, byte[] dst, int d, int n) {
        if (n > 16) {
            System.arraycopy(src, i, dst, d, n);
        } else if (n >= 8) {
            LONGS.set(dst, d, (long) LONGS.get(src, i));
            LONGS.set(dst, d + n - 8, (long) LONGS.get(src, i + n - 8));
        } else if (n >= 4) {
            INTS.set(dst, d, (int) INTS.get(src, i));
            INTS.set(dst, d + n - 4, (int) INTS.get(src, i + n - 4));
        } else if (n >= 2) {
            SHORTS.set(dst, d, (short) SHORTS.get(src, i));
            SHORTS.set(dst, d + n - 2, (short) SHORTS.get(src, i + n - 2));
        } else {
            dst[d] = src[i];
        }
    }

    /**
     * End of the run of equal bytes starting at {@code i}: the first long in line (short runs end there),
     * then {@link Arrays#mismatch}, which the JIT turns into a vector loop.
     */
    private static int equalRunEnd(byte[] a, byte[] b, int i, int n) {
        if (i + 8 <= n) {
            long x = (long) LONGS.get(a, i) ^ (long) LONGS.get(b, i);
            if (x != 0) {
                return i + (Long.numberOfTrailingZeros(x) >>> 3);   // little-endian: lowest byte first
            }
            i += 8;
        }
        int m = Arrays.mismatch(a, i, n, b, i, n);
        return m < 0 ? n : i + m;
    }

    /** End of the run of differing bytes starting at {@code i}. */
    private static int differentRunEnd(byte[] a, byte[] b, int i, int n) {
        for (; i + 8 <= n; i += 8) {
            long x = (long) LONGS.get(a, i) ^ (long) LONGS.get(b, i);
            long zeroBytes = (x - ONES) & ~x & HIGHS;           // exact for the lowest zero byte
            if (zeroBytes != 0) {
                return i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        while (i < n && a[i] != b[i]) {
            i++;
        }
        return i;
    }

    /** A length argument must lie in {@code 0..limit} (what the array holds); names the value otherwise. */
    private static void checkLength(String what, int len, int limit, String array) {
        if (len < 0 || len > limit) {
            throw new IllegalArgumentException(what + " " + len + " is outside 0.." + limit + " (the size of " + array + ")");
        }
    }
}
