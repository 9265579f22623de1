package org.guestmem.migration;

import static org.guestmem.migration.RamStream.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.lang3.Validate;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;

/**
 * A QEMU guest's state as guestmem holds it between a QEMU source and a QEMU destination: the RAM in
 * guestmem's own blocks (a {@link RamList} created from the source's MEM_SIZE record and loaded by a
 * {@link RamLoader}), the machine type of the configuration section, the id the source gave the "ram"
 * section, and the device state that follows the RAM (QEMU's FULL sections, EOF and VM description) kept
 * as an opaque tail: guestmem cannot parse device sections without their vmstate descriptions, and does
 * not need to.
 *
 * <p>{@link #write} produces a stream a QEMU 7.2 destination loads ({@code -incoming "exec:cat FILE"} or
 * {@code -incoming tcp:...}): file header, configuration section with the machine type, the "ram" section
 * written by a {@link RamSaver} from these blocks (START with MEM_SIZE, one PART with every page, END),
 * then the tail byte for byte. A program may change the RAM between {@link #receive} and {@link #write}
 * (through {@link #ram()}, e.g. with a {@code GuestMemory}); the destination resumes with the changed RAM.
 *
 * <p>Refused, with the reason and the byte offset, before anything is written: streams QEMU loads only
 * with a return path or extra channels (postcopy, return-path, multifd, any COMMAND record), a "ram"
 * section version other than 4, {@code x-ignore-shared}, a stream that stops before the "ram" section's
 * END, and one whose device state does not end with EOF and a VM description (a truncated stream).
 * Not thread-safe; {@link #close} frees the blocks.
 */
public final class QemuGuest implements AutoCloseable {
    /**
     * What a {@link #receive} read: stream bytes, RAM sections, records by kind, the XBZRLE record bytes
     * counted as QEMU's xbzrle-cache "bytes" (everything after the be64 header: idstr if any, encoding byte,
     * be16 length, data), and the size of the device state.
     */
    public record Received(long bytes, long ramSections, long pages, long zeroPages, long xbzrlePages, long xbzrleBytes, long deviceStateBytes) {}

    /** The VM description a guest created by guestmem ends with: no devices. */
    static final String EMPTY_VMDESC = "{\"page_size\":4096,\"devices\":[]}";

    private final Rcu rcu;
    private final RamList ram;
    private final String machine;
    private final int ramSectionId;
    private final byte[] deviceState;
    private final Received received;

    private QemuGuest(Rcu rcu, RamList ram, String machine, int ramSectionId, byte[] deviceState, Received received) {
        this.rcu = rcu;
        this.ram = ram;
        this.machine = machine;
        this.ramSectionId = ramSectionId;
        this.deviceState = deviceState;
        this.received = received;
    }

    /**
     * A guest guestmem creates itself: these blocks (zero-filled), no device state (the destination's devices
     * keep their reset state), the "ram" section id {@link LiveMigration#RAM_SECTION_ID}.
     */
    public static QemuGuest create(String machine, int pageSize, List<RamBlockSpec> blocks) {
        Validate.notBlank(machine, "machine type must not be blank");
        Validate.notEmpty(blocks, "a guest needs at least one RAM block");
        Rcu rcu = Rcu.create(Rcu.Flavor.FENCE);
        RamList list = new RamList(rcu, pageSize);
        try {
            blocks.forEach(list::add);
        } catch (RuntimeException e) {
            list.close();
            rcu.close();
            throw e;
        }
        return new QemuGuest(rcu, list, machine, LiveMigration.RAM_SECTION_ID, emptyDeviceState(), null);
    }

    /** Reads a whole QEMU stream (a live migration from a QEMU source, or a file) into new blocks. */
    public static QemuGuest receive(InputStream in, int pageSize) throws IOException {
        TailCapture cap = new TailCapture(in, 1 << 20);
        Rcu rcu = Rcu.create(Rcu.Flavor.FENCE);
        RamList list = new RamList(rcu, pageSize);
        try {
            return read(cap, rcu, list, pageSize);
        } catch (IOException | RuntimeException e) {
            list.close();
            rcu.close();
            throw e;
        }
    }

    /** Reads a stream file (written by {@link #save}, or by a QEMU's {@code migrate "exec:cat > FILE"}). */
    public static QemuGuest load(Path file, int pageSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a readable file");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return receive(in, pageSize);
        }
    }

    private static QemuGuest read(TailCapture cap, Rcu rcu, RamList list, int pageSize) throws IOException {
        RamStreamReader reader = new RamStreamReader(cap, pageSize);
        Loading sink = new Loading(list, reader);
        RamStreamReader.Result r = reader.readAll(sink);
        // A complete read ended on EOF (a stream without device sections): the tail starts at that byte.
        long tailStart = r.complete() ? r.bytesRead() - 1 : r.bytesRead();
        if (!r.complete()) {
            // A source that asked for a return path waits for answers: decide from what is here, read no further.
            byte[] here = cap.kept(tailStart);
            if (here.length > 0 && (here[0] & 0xff) == COMMAND) {
                throw new StreamFormatException(tailStart, refusedCommands(here));
            }
        }
        byte[] tail = cap.from(tailStart);
        if (reader.machine() == null) {
            throw new StreamFormatException(0, "the stream has no configuration section (machine type): a QEMU destination refuses it");
        }
        if (reader.capabilities().contains("x-ignore-shared")) {
            throw new StreamFormatException(8, "the source has capability x-ignore-shared (RAM not in the stream): guestmem cannot carry that guest");
        }
        if (!sink.ended) {
            throw new StreamFormatException(tailStart, "the stream stops before the ram section's END (" + r.stoppedAt()
                    + "): guestmem carries a precopy stream whose device state follows the RAM");
        }
        int first = tail.length == 0 ? -1 : tail[0] & 0xff;
        if (first != SECTION_FULL && first != VM_EOF) {
            throw new StreamFormatException(tailStart, "after the ram section's END comes " + (first < 0 ? "the end of the stream" : sectionTypeName(first))
                    + ", not a device (FULL) section or EOF");
        }
        checkEnding(tail, tailStart);
        Received rec = new Received(cap.total(), sink.loader.sections(), sink.loader.pages(), sink.loader.zeroPages(),
                sink.loader.xbzrlePages(), sink.xbzrleBytes, tail.length);
        return new QemuGuest(rcu, list, reader.machine(), sink.sectionId, tail, rec);
    }

    /**
     * Why COMMAND records are refused (QEMU sends them only with a return path, postcopy or COLO): names the
     * commands found back to back in {@code here} ({@code u8 0x08, be16 cmd, be16 len, len bytes}).
     */
    static String refusedCommands(byte[] here) {
        List<String> names = new ArrayList<>();
        boolean postcopy = false, returnPath = false;
        for (int p = 0; p + 5 <= here.length && (here[p] & 0xff) == COMMAND; ) {
            int cmd = (here[p + 1] & 0xff) << 8 | here[p + 2] & 0xff;
            int len = (here[p + 3] & 0xff) << 8 | here[p + 4] & 0xff;
            names.add(switch (cmd) {
                case 1 -> "OPEN_RETURN_PATH";
                case 2 -> "PING";
                case 3 -> "POSTCOPY_ADVISE";
                case 4 -> "POSTCOPY_LISTEN";
                case 5 -> "POSTCOPY_RUN";
                case 6 -> "POSTCOPY_RAM_DISCARD";
                case 7 -> "PACKAGED";
                case 8 -> "ENABLE_COLO";
                default -> "command " + cmd;
            });
            returnPath |= cmd == 1 || cmd == 2;
            postcopy |= cmd >= 3 && cmd <= 7;
            p += 5 + len;
        }
        String why = postcopy ? "the source wants postcopy (capability postcopy-ram)"
                : returnPath ? "the source asks for a return path (capability return-path, or postcopy-ram, which opens one)"
                : "commands are sent only with a return path, postcopy or COLO";
        return "refused: MIG_CMD " + String.join(", ", names) + ": " + why
                + "; guestmem carries precopy streams without a return path (turn that capability off on the source)";
    }

    /**
     * The device state must end with EOF (0x00) followed by the VM description (0x06, be32 len, len bytes
     * of JSON), as QEMU's precopy ends; anything else is a stream cut short.
     */
    private static void checkEnding(byte[] tail, long tailStart) {
        for (int p = tail.length - 6; p >= 0; p--) {
            if (tail[p] == VM_EOF && tail[p + 1] == VMDESCRIPTION) {
                long len = (tail[p + 2] & 0xffL) << 24 | (tail[p + 3] & 0xff) << 16 | (tail[p + 4] & 0xff) << 8 | tail[p + 5] & 0xff;
                if (len == tail.length - p - 6 && len > 0 && tail[p + 6] == '{') {
                    return;
                }
            }
        }
        throw new StreamFormatException(tailStart + tail.length, "the stream is truncated: the device state (" + tail.length
                + " bytes from byte offset " + tailStart + ") does not end with EOF and a VM description");
    }

    private static byte[] emptyDeviceState() {
        byte[] json = EMPTY_VMDESC.getBytes(StandardCharsets.US_ASCII);
        byte[] t = new byte[6 + json.length];
        t[0] = VM_EOF;
        t[1] = VMDESCRIPTION;
        t[2] = (byte) (json.length >>> 24);
        t[3] = (byte) (json.length >>> 16);
        t[4] = (byte) (json.length >>> 8);
        t[5] = (byte) json.length;
        System.arraycopy(json, 0, t, 6, json.length);
        return t;
    }

    /** Creates the destination blocks from MEM_SIZE (fixed size, migratable), then loads through a RamLoader. */
    private static final class Loading implements RamRecordSink {
        final RamList list;
        final RamLoader loader;
        final RamStreamReader reader;
        int sectionId = -1;
        boolean ended;
        long xbzrleBytes;

        Loading(RamList list, RamStreamReader reader) {
            this.list = list;
            this.loader = new RamLoader(list);
            this.reader = reader;
        }

        @Override
        public void ramSection(int type, int id) {
            if (type == SECTION_START) {
                Validate.isTrue(id != 0, "the ram section has id 0, which a QEMU destination gives every section before its START");
                sectionId = id;
            }
            ended |= type == SECTION_END;
            loader.ramSection(type, id);
        }

        @Override
        public void memSize(long total, List<BlockEntry> blocks) {
            for (BlockEntry e : blocks) {
                list.add(RamBlockSpec.of(e.name(), e.length()));
            }
            loader.memSize(total, blocks);
        }

        @Override
        public void zeroPage(String block, long offset) {
            loader.zeroPage(block, offset);
        }

        @Override
        public void page(String block, long offset, byte[] data, int dataOffset) {
            loader.page(block, offset, data, dataOffset);
        }

        @Override
        public void xbzrlePage(String block, long offset, byte[] data, int len) {
            loader.xbzrlePage(block, offset, data, len);
            xbzrleBytes += 3 + len + (reader.recordContinued() ? 0 : 1 + block.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    /**
     * Writes the stream for a QEMU destination: header, configuration, the "ram" section from these blocks
     * (RamSaver: START with MEM_SIZE, one PART with every page, END), then the device state unchanged.
     * Returns the bytes written.
     */
    public long write(OutputStream out) throws IOException {
        RamStreamWriter w = new RamStreamWriter(out, (int) ram.targetPageSize());
        w.fileHeader();
        w.configuration(machine);
        try (RamSaver saver = new RamSaver(ram, w, ramSectionId, RamSaver.Options.defaults())) {
            saver.setup();
            while (!saver.iterate(Long.MAX_VALUE)) {
                // one PART holds every page: nothing dirties these blocks while they are written
            }
            saver.complete();
        }
        w.raw(deviceState);
        return w.written();
    }

    /** {@link #write} into a file (replaced if it exists). */
    public long save(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            return write(out);
        }
    }

    /** The guest RAM: one block per MEM_SIZE entry, named and sized as the source sent them. */
    public RamList ram() {
        return ram;
    }

    /** Machine type of the configuration section (a QEMU destination must have one it starts with). */
    public String machine() {
        return machine;
    }

    public int ramSectionId() {
        return ramSectionId;
    }

    /** A copy of the device state: the bytes after the RAM, from the first FULL section to the VM description's end. */
    public byte[] deviceState() {
        return Arrays.copyOf(deviceState, deviceState.length);
    }

    /** What {@link #receive} read; null for a guest from {@link #create}. */
    public Received received() {
        return received;
    }

    @Override
    public void close() {
        ram.close();
        rcu.close();
    }

    @Override
    public String toString() {
        return "QemuGuest[machine=" + machine + ", blocks=" + ram.blocks().stream().map(b -> b.name() + ":" + b.usedLength()).toList()
                + ", device state " + deviceState.length + " bytes]";
    }
}
