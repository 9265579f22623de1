package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.Validate;
import org.guestmem.migration.RamStream.BlockEntry;

/**
 * Reads a migration stream (ours, or the RAM section of a real QEMU stream) and counts what it holds per
 * block; optionally extracts each block's RAM into {@code DIR/<block>.ram} (pages at their offsets, holes
 * for pages never sent, XBZRLE applied to what the file already holds). One thread.
 */
public final class StreamInspector implements RamRecordSink {
    /** Counts for one block. */
    public static final class BlockCounts {
        public final String name;
        public final long length;
        public long pages, zeroPages, xbzrlePages;

        BlockCounts(String name, long length) {
            this.name = name;
            this.length = length;
        }
    }

    private final int pageSize;
    private final Path extractDir;
    private final Map<String, BlockCounts> blocks = new LinkedHashMap<>();
    private final Map<String, FileChannel> files = new LinkedHashMap<>();
    private final byte[] scratch;
    private long sections;
    private RamStreamReader.Result result;
    private List<String> capabilities = List.of();
    private String machine;

    /** @param extractDir where to write the blocks, or null to only count */
    public StreamInspector(int pageSize, Path extractDir) {
        Validate.isTrue(pageSize >= 1024 && Integer.bitCount(pageSize) == 1, "page size %d must be a power of two >= 1024", pageSize);
        this.pageSize = pageSize;
        this.extractDir = extractDir;
        this.scratch = new byte[pageSize];
    }

    /** Reads the stream; closes the extracted files. */
    public RamStreamReader.Result inspect(InputStream in) throws IOException {
        if (extractDir != null) {
            Files.createDirectories(extractDir);
        }
        RamStreamReader reader = new RamStreamReader(in, pageSize);
        try {
            result = reader.readAll(this);
            return result;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            capabilities = reader.capabilities();
            machine = reader.machine();
            for (FileChannel f : files.values()) {
                f.close();
            }
        }
    }

    public Map<String, BlockCounts> blocks() {
        return blocks;
    }

    /** The machine type of the stream's configuration section, or null (guestmem's own streams have none). */
    public String machine() {
        return machine;
    }

    /** The capabilities the stream's configuration named (a QEMU stream with x-ignore-shared, validate-uuid). */
    public List<String> capabilities() {
        return capabilities;
    }

    public long sections() {
        return sections;
    }

    /** The file a block is extracted to: its name with anything but letters, digits, '.', '-' and '_' as '_'. */
    public static String fileName(String block) {
        return block.replaceAll("[^A-Za-z0-9._-]", "_") + ".ram";
    }

    @Override
    public void ramSection(int type, int sectionId) {
        sections++;
    }

    @Override
    public void memSize(long total, List<BlockEntry> list) {
        for (BlockEntry e : list) {
            blocks.put(e.name(), new BlockCounts(e.name(), e.length()));
            if (extractDir != null) {
                Path file = extractDir.resolve(fileName(e.name()));
                FileChannel f;
                try {
                    f = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
                files.put(e.name(), f);
                try {
                    f.write(ByteBuffer.allocate(1), e.length() - 1);          // the file has the block's length
                } catch (IOException x) {
                    // The stream's claim, not the disk, is what fails here (e.g. EFBIG for an exabyte block): the
                    // reader reports it as a format error at the MEM_SIZE record's offset.
                    throw new IllegalArgumentException(String.format("MEM_SIZE block '%s' of %d bytes cannot be extracted to %s: %s",
                            e.name(), e.length(), file, x.getMessage()), x);
                }
            }
        }
    }

    @Override
    public void zeroPage(String block, long offset) {
        blocks.get(block).zeroPages++;
        write(block, offset, new byte[pageSize], 0);
    }

    @Override
    public void page(String block, long offset, byte[] data, int dataOffset) {
        blocks.get(block).pages++;
        write(block, offset, data, dataOffset);
    }

    @Override
    public void xbzrlePage(String block, long offset, byte[] data, int len) {
        blocks.get(block).xbzrlePages++;
        FileChannel f = files.get(block);
        if (f == null) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(scratch);
            while (b.hasRemaining() && f.read(b, offset + b.position()) >= 0) {
                // read the page the delta applies to
            }
            Xbzrle.decode(data, len, scratch, pageSize);                    // the reader checked the data decodes
            write(block, offset, scratch, 0);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private void write(String block, long offset, byte[] data, int off) {
        FileChannel f = files.get(block);
        if (f == null) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data, off, pageSize);
            while (b.hasRemaining()) {
                f.write(b, offset + b.position() - off);
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
