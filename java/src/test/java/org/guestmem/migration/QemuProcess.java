package org.guestmem.migration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A qemu-system-x86_64 driven over QMP on stdio, for the round-trip tests: {@code -M pc -m 32M -accel tcg
 * -nodefaults -nographic}, a 64 KiB {@code -bios} whose reset vector loops incrementing the dword at
 * {@link #COUNTER} (no guest OS needed). {@link #close} kills the process.
 */
public final class QemuProcess implements AutoCloseable {
    public static final String BINARY = "qemu-system-x86_64";
    /** Guest-physical address of the counter the BIOS loop increments. */
    public static final long COUNTER = 0x7000;
    public static final long RAM = 32L << 20;
    static final long BIOS_SIZE = 64 << 10;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outReader, errReader;
    private final OutputStream stdin;

    /**
     * Skips the calling test (with the reason) where QEMU is not installed; fails instead where the
     * environment says QEMU must be there ({@code GUESTMEM_REQUIRE_QEMU=1}, set by {@code .ci/run}).
     */
    public static void assumeInstalled() {
        if (!installed() && "1".equals(System.getenv("GUESTMEM_REQUIRE_QEMU"))) {
            Assertions.fail(BINARY + " is not on PATH but GUESTMEM_REQUIRE_QEMU=1: install qemu-system-x86");
        }
        Assumptions.assumeTrue(installed(), BINARY + " is not on PATH: the QEMU round-trip tests are skipped (install qemu-system-x86)");
    }

    static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the counter BIOS (64 KiB of 0xF4, hlt). The reset vector at 0xFFF0 jumps to a loop at 0xFF00
     * that, in real mode, toggles CR0.WP, increments the dword at {@link #COUNTER} and then one word in each
     * of the 64 pages 0x10000..0x4FFFF:
     * <pre>
     * FF00  0F 20 C0            mov eax, cr0
     * FF03  66 35 00 00 01 00   xor eax, 0x10000    (WP)
     * FF09  0F 22 C0            mov cr0, eax
     * FF0C  31 C0               xor ax, ax
     * FF0E  8E D8               mov ds, ax
     * FF10  66 FF 06 00 70      inc dword [0x7000]
     * FF15  B8 00 10            mov ax, 0x1000
     * FF18  8E D8               mov ds, ax          (segments 0x1000..0x4000)
     * FF1A  31 DB               xor bx, bx
     * FF1C  FF 07               inc word [bx]
     * FF1E  81 C3 00 10         add bx, 0x1000
     * FF22  75 F8               jnz FF1C            (bx wraps to 0 after 0xF000)
     * FF24  05 00 10            add ax, 0x1000
     * FF27  3D 00 50            cmp ax, 0x5000
     * FF2A  75 EC               jne FF18
     * FF2C  EB D2               jmp FF00
     * FFF0  E9 0D FF            jmp FF00            (reset vector)
     * </pre>
     * Changing CR0.WP flushes TCG's TLB: QEMU 7.2's migration bitmap sync clears dirty bits without
     * resetting the TLB's not-dirty marks, so without the flush a page written before is never seen dirty
     * again. The 65 pages dirtied per loop (260 KiB) take a source capped at 1 MiB/s more than two of its
     * 100 ms rate-limit windows to send, so between two bitmap syncs the source sleeps long enough for the
     * guest to run, however loaded the machine.
     */
    public static Path writeBios(Path dir) throws IOException {
        return Files.write(dir.resolve("counter-bios.bin"), bios());
    }

    /** The counter BIOS's bytes (see {@link #writeBios}). */
    public static byte[] bios() {
        byte[] b = new byte[(int) BIOS_SIZE];
        Arrays.fill(b, (byte) 0xf4);
        byte[] loop = java.util.HexFormat.of().parseHex("0f20c06635000001000f22c031c08ed866ff060070b800108ed831dbff0781c3001075f80500103d005075ecebd2");
        System.arraycopy(loop, 0, b, 0xff00, loop.length);
        byte[] reset = {(byte) 0xe9, 0x0d, (byte) 0xff};
        System.arraycopy(reset, 0, b, 0xfff0, reset.length);
        return b;
    }

    /** A TCP port nobody listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts QEMU with the common options, {@code -bios bios} (if not null) and {@code extra}; waits for the QMP greeting. */
    public static QemuProcess start(Path bios, String machine, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-M", machine, "-m", "32M", "-accel", "tcg", "-nodefaults", "-nographic",
                "-qmp", "stdio", "-serial", "none", "-monitor", "none"));
        if (bios != null) {
            cmd.addAll(List.of("-bios", bios.toString()));
        }
        cmd.addAll(List.of(extra));
        return new QemuProcess(new ProcessBuilder(cmd).start());
    }

    private QemuProcess(Process p) throws IOException {
        this.process = p;
        this.stdin = p.getOutputStream();
        outReader = Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), null));
        errReader = Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), stderr));
        String greeting = next(20);
        if (!greeting.contains("\"QMP\"")) {
            throw new IOException("no QMP greeting from QEMU: " + greeting + "; stderr: " + stderr());
        }
        execute("{\"execute\":\"qmp_capabilities\"}");
    }

    private void pump(BufferedReader r, StringBuilder into) {
        try (r) {
            for (String l; (l = r.readLine()) != null; ) {
                if (into == null) {
                    lines.add(l);
                } else {
                    synchronized (into) {
                        into.append(l).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private String next(int seconds) throws IOException {
        try {
            String l = lines.poll(seconds, TimeUnit.SECONDS);
            if (l == null) {
                throw new IOException("QEMU said nothing on QMP for " + seconds + " s (alive: " + process.isAlive() + "); stderr: " + stderr());
            }
            return l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Sends one QMP command and returns its answer line ({"return": ...}); an {"error": ...} throws. Events are skipped. */
    public String execute(String json) throws IOException {
        stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        while (true) {
            String l = next(30);
            if (l.contains("\"event\"")) {
                continue;
            }
            if (l.contains("\"error\"")) {
                throw new IOException("QMP " + json + " failed: " + l);
            }
            return l;
        }
    }

    String hmp(String command) throws IOException {
        return execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"" + command + "\"}}");
    }

    /** The dword at a guest-physical address (HMP xp). */
    public long readDword(long gpa) throws IOException {
        String r = hmp("xp /1wx 0x" + Long.toHexString(gpa));
        Matcher m = Pattern.compile(": 0x([0-9a-f]+)").matcher(r);
        if (!m.find()) {
            throw new IOException("cannot read xp output: " + r);
        }
        return Long.parseLong(m.group(1), 16);
    }

    /** query-status's "status" (e.g. inmigrate, paused, running, postmigrate). */
    public String status() throws IOException {
        return field(execute("{\"execute\":\"query-status\"}"), "status");
    }

    /** query-migrate's whole answer. */
    public String queryMigrate() throws IOException {
        return execute("{\"execute\":\"query-migrate\"}");
    }

    /** Starts a migration to {@code uri} and waits until it is completed (or throws when it failed). */
    public void migrate(String uri, int seconds) throws IOException {
        execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"" + uri + "\"}}");
        awaitMigration(seconds);
    }

    /**
     * Migrates with XBZRLE on: a 1 MiB/s bandwidth cap and a 1 ms downtime limit make the switch-over
     * threshold (bandwidth x downtime, 1 KiB) smaller than one page; the guest dirties 65 pages per loop,
     * more than two 100 ms windows of the cap move, so every pass waits out windows while the guest runs
     * and the next sync finds pages dirty again. The source iterates until query-migrate counts XBZRLE pages;
     * then the defaults (128 MiB/s, 300 ms) let it complete. Returns the final query-migrate answer.
     */
    public String migrateWithXbzrle(String uri, int seconds) throws IOException {
        execute("{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":[{\"capability\":\"xbzrle\",\"state\":true}]}}");
        execute("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"downtime-limit\":1,\"max-bandwidth\":1048576}}");
        execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"" + uri + "\"}}");
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            String q = queryMigrate();
            if (xbzrlePages(q) > 0) {
                break;
            }
            String s = field(q, "status");
            if ("failed".equals(s) || "completed".equals(s) || System.nanoTime() > end) {
                throw new IOException("no XBZRLE pages before the migration " + s + ": " + q);
            }
            sleep(10);
        }
        execute("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"downtime-limit\":300,\"max-bandwidth\":134217728}}");
        return awaitMigration(seconds);
    }

    /** query-migrate's xbzrle-cache pages (0 when absent). */
    public static long xbzrlePages(String queryMigrate) {
        Matcher m = Pattern.compile("\"xbzrle-cache\": *\\{[^}]*\"pages\": *(\\d+)").matcher(queryMigrate);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** query-migrate's xbzrle-cache bytes (0 when absent). */
    public static long xbzrleBytes(String queryMigrate) {
        Matcher m = Pattern.compile("\"xbzrle-cache\": *\\{[^}]*\"bytes\": *(\\d+)").matcher(queryMigrate);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    public String awaitMigration(int seconds) throws IOException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            String q = queryMigrate();
            String s = field(q, "status");
            if ("completed".equals(s)) {
                return q;
            }
            if ("failed".equals(s) || "cancelled".equals(s)) {
                throw new IOException("migration " + s + ": " + q);
            }
            sleep(20);
        }
        throw new IOException("migration did not complete within " + seconds + " s: " + queryMigrate());
    }

    /** Waits until query-status says one of {@code states}; returns it. */
    public String awaitStatus(int seconds, String... states) throws IOException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        String s = null;
        while (System.nanoTime() < end) {
            s = status();
            if (List.of(states).contains(s)) {
                return s;
            }
            sleep(20);
        }
        throw new IOException("QEMU status stayed '" + s + "', not one of " + List.of(states) + "; stderr: " + stderr());
    }

    /** Guest-physical memory [gpa, gpa + size) via pmemsave into a file in {@code dir}. */
    public byte[] pmem(Path dir, long gpa, long size) throws IOException {
        Path f = Files.createTempFile(dir, "pmem", ".bin");
        execute("{\"execute\":\"pmemsave\",\"arguments\":{\"val\":" + gpa + ",\"size\":" + size + ",\"filename\":\"" + f + "\"}}");
        byte[] b = Files.readAllBytes(f);
        Files.delete(f);
        return b;
    }

    /** Waits for the process to exit; returns its exit code. */
    public int awaitExit(int seconds) throws IOException {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IOException("QEMU did not exit within " + seconds + " s; stderr: " + stderr());
            }
            errReader.join(2000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": *\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            outReader.join(1000);
            errReader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
