package org.guestmem.cli;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import org.guestmem.migration.RamStreamReader;
import org.guestmem.migration.StreamInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guestmem inspect FILE}: what a migration stream (ours or QEMU's RAM section) holds, per block. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Read a migration stream (guestmem's, or the RAM section of a QEMU stream, e.g. from migrate \"exec:cat > FILE\")",
                "and list its blocks, pages, zero pages and XBZRLE pages. QEMU device sections cannot be read without their",
                "vmstate: reading stops at the first one after the RAM data and says so. A .gz file is decompressed."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The stream file.")
    Path file;

    @Option(names = "--extract", paramLabel = "DIR", description = "Write each block's RAM to DIR/<block>.ram.")
    Path extract;

    @Option(names = "--page-size", description = "Target page size of the stream (default ${DEFAULT-VALUE}).", defaultValue = "4096")
    int pageSize;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a readable file");
        }
        StreamInspector inspector = new StreamInspector(pageSize, extract);
        RamStreamReader.Result r;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            r = inspector.inspect(in);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("bytes_read", r.bytesRead());
        out.put("complete", r.complete());
        out.put("stopped_at", r.stoppedAt());
        out.put("machine", inspector.machine());
        out.put("ram_sections", inspector.sections());
        // what follows the RAM in the file: QEMU's device state (FULL sections, EOF, VM description), not read
        Long after = r.complete() ? Long.valueOf(0) : file.toString().endsWith(".gz") ? null : Files.size(file) - r.bytesRead();
        out.put("bytes_after_ram", after);
        out.put("capabilities", inspector.capabilities());
        List<Object> blocks = new ArrayList<>();
        for (StreamInspector.BlockCounts b : inspector.blocks().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name);
            m.put("length", b.length);
            m.put("pages", b.pages);
            m.put("zero_pages", b.zeroPages);
            m.put("xbzrle_pages", b.xbzrlePages);
            if (extract != null) {
                m.put("file", extract.resolve(StreamInspector.fileName(b.name)).toString());
            }
            blocks.add(m);
        }
        out.put("blocks", blocks);
        if (json) {
            System.out.print(Json.write(out));
            return 0;
        }
        System.out.printf("%s: %d bytes read, %d RAM sections; %s%s%n", file, r.bytesRead(), inspector.sections(),
                r.complete() ? "complete, " : "stopped at ", r.stoppedAt());
        if (inspector.machine() != null) {
            System.out.println("machine type: " + inspector.machine());
        }
        if (after != null && after > 0) {
            System.out.printf("%d bytes after the RAM (device state, not read)%n", after);
        }
        if (!inspector.capabilities().isEmpty()) {
            System.out.println("capabilities: " + String.join(", ", inspector.capabilities()));
        }
        System.out.printf("%-24s %12s %8s %8s %8s%n", "block", "length", "pages", "zero", "xbzrle");
        for (StreamInspector.BlockCounts b : inspector.blocks().values()) {
            System.out.printf("%-24s %12d %8d %8d %8d%n", b.name, b.length, b.pages, b.zeroPages, b.xbzrlePages);
        }
        if (extract != null) {
            System.out.println("extracted to " + extract);
        }
        return 0;
    }
}
