package org.guestmem.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code guestmem demo}: the demo guest (several blocks, a resizeable one, a non-migratable vga.vram that
 * comes and goes) with vCPU threads dirtying pages, live-migrated over loopback TCP to a destination in a
 * child JVM ({@code migrate receive}), or in this JVM with {@code --in-process}; then per-block checksums
 * of source and destination compared, and the statistics.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Live-migrate a busy guest over loopback TCP to a destination JVM, compare RAM, print the statistics.",
                "Defaults: 1 GiB guest, 2 vCPUs at 20000 writes/s, no bandwidth cap, 300 ms downtime target."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    SourceOptions source;

    @Option(names = "--in-process", description = "Run the destination in this JVM (a second RamList) instead of a child JVM.")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
        long size = source.sizeBytes();
        Map<String, Object> out;
        Map<String, String> dest;
        try (DemoGuest g = DemoGuest.source(size, 1)) {
            if (inProcess) {
                try (DemoGuest d = DemoGuest.destination(size)) {
                    CompletableFuture<Integer> port = new CompletableFuture<>();
                    CompletableFuture<LiveMigration.LoadStats> loaded = CompletableFuture.supplyAsync(() -> {
                        try (MigrationChannel ch = MigrationChannel.accept(0, 30_000, port::complete)) {
                            return LiveMigration.receive(ch, d.list);
                        } catch (IOException e) {
                            port.completeExceptionally(e);
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    try (MigrationChannel ch = MigrationChannel.connect("localhost:" + port.get(30, TimeUnit.SECONDS), 10_000)) {
                        out = source.runSource(g, ch);
                    }
                    out.put("destination_load_ms", loaded.get(60, TimeUnit.SECONDS).millis());
                    dest = d.checksums();
                }
                out.put("destination", "in-process RamList over loopback TCP");
            } else {
                Process child = startDestination(size);
                try {
                    BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    int port = readPort(lines, child);
                    try (MigrationChannel ch = MigrationChannel.connect("localhost:" + port, 10_000)) {
                        out = source.runSource(g, ch);
                    }
                    dest = new LinkedHashMap<>();
                    for (String line; (line = lines.readLine()) != null; ) {
                        String[] f = line.split(" ");
                        if (f.length == 3 && f[0].equals("checksum")) {
                            dest.put(f[1], f[2]);
                        } else if (line.startsWith("load_ms")) {
                            out.put("destination_load_ms", Long.parseLong(line.substring(7).trim()));
                        }
                    }
                    if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
                        throw new IllegalStateException("the destination JVM failed (exit " + (child.isAlive() ? "none" : child.exitValue()) + ")");
                    }
                } finally {
                    child.destroy();
                }
                out.put("destination", "child JVM (pid " + child.pid() + ") over loopback TCP");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, String> src = (Map<String, String>) out.get("source_checksums");
        List<String> differ = new ArrayList<>();
        src.forEach((k, v) -> {
            if (!v.equals(dest.get(k))) {
                differ.add(k);
            }
        });
        out.put("destination_checksums", dest);
        out.put("ram_matches", differ.isEmpty() && src.size() == dest.size());
        print(out, source.json);
        if (!differ.isEmpty() || src.size() != dest.size()) {
            System.err.println("guestmem demo: destination RAM differs in " + differ + " (source " + src + ", destination " + dest + ")");
            return 1;
        }
        return 0;
    }

    private Process startDestination(long size) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "migrate", "receive", "--listen", "0",
                "--size", Long.toString(size)));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int readPort(BufferedReader lines, Process child) throws IOException {
        String first = lines.readLine();
        if (first == null || !first.startsWith("listening on port ")) {
            throw new IllegalStateException("the destination JVM did not start listening: " + first);
        }
        return Integer.parseInt(first.substring("listening on port ".length()).trim());
    }

    /** The result as JSON, or as the statistics table with the checksums. */
    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> out, boolean json) {
        if (json) {
            System.out.print(Json.write(out));
            return;
        }
        for (Map.Entry<String, Object> e : out.entrySet()) {
            if (e.getValue() instanceof List<?> l && e.getKey().equals("progress")) {
                System.out.printf("%-28s %d samples of dirty pages remaining (all of them with --json)%n", e.getKey(), l.size());
            } else if (e.getValue() instanceof Map<?, ?> m) {
                System.out.println(e.getKey() + ":");
                ((Map<String, Object>) m).forEach((k, v) -> System.out.printf("  %-26s %s%n", k, v));
            } else {
                System.out.printf("%-28s %s%n", e.getKey(), e.getValue());
            }
        }
    }
}
