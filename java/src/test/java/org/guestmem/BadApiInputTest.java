package org.guestmem;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.migration.BandwidthLimit;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import org.guestmem.migration.RamLoader;
import org.guestmem.migration.RamSaver;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.migration.RamStreamReader;
import org.guestmem.migration.RamStreamWriter;
import org.guestmem.migration.SimulatedVcpus;
import org.guestmem.migration.StreamInspector;
import org.guestmem.migration.Xbzrle;
import org.guestmem.migration.XbzrlePageCache;
import org.guestmem.host.HostMapping;
import org.guestmem.host.HostMemory;
import org.guestmem.ram.Backing;
import org.guestmem.ram.GuestMemory;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every public entry point with invalid arguments, one row each: the exception type it must throw and a piece
 * of the message that names the offending value (or, for null, the parameter). Never a crash, an index error
 * from deep inside, or a silent wrong answer.
 */
class BadApiInputTest {
    static final long KiB = 1024, MiB = 1024 * KiB, PAGE = 4096;
    static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    static final Class<IllegalStateException> ISE = IllegalStateException.class;
    static final Class<NullPointerException> NPE = NullPointerException.class;

    static Rcu rcu, closedRcu;
    static RamList list, other, closedList;
    static RamBlock ram, ram2, freed, foreign;
    static GuestMemory mem;
    static DirtyMemory dirty;
    static HostMapping closedMapping, mapping;
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        rcu = Rcu.create(Rcu.Flavor.FENCE);
        list = new RamList(rcu, PAGE);
        ram = list.add(RamBlockSpec.of("pc.ram", MiB));
        ram2 = list.add(RamBlockSpec.resizeable("ram2", 64 * KiB, 256 * KiB));
        freed = list.add(RamBlockSpec.of("gone", 64 * KiB));
        list.free(freed);
        other = new RamList(rcu, PAGE);
        foreign = other.add(RamBlockSpec.of("pc.ram", 64 * KiB));
        closedList = new RamList(rcu, PAGE);
        closedList.close();
        closedRcu = Rcu.create(Rcu.Flavor.FENCE);
        closedRcu.close();
        mem = new GuestMemory(list);
        dirty = list.dirtyMemory();
        mapping = HostMemory.anonymous(64 * KiB);
        closedMapping = HostMemory.anonymous(64 * KiB);
        closedMapping.close();
        dir = Files.createTempDirectory("guestmem-bad-input");
    }

    @AfterAll
    static void tearDown() throws IOException {
        mapping.close();
        other.close();
        list.close();
        rcu.close();
        Files.deleteIfExists(dir);
    }

    record Case(String entry, Class<? extends Throwable> type, String names, Executable call) {}

    static Case c(String entry, Class<? extends Throwable> type, String names, Executable call) {
        return new Case(entry, type, names, call);
    }

    static List<Case> cases() {
        byte[] page = new byte[(int) PAGE];
        long end = ram.offset() + ram.usedLength();
        return List.of(
                // RamList
                c("new RamList(null rcu)", NPE, "rcu", () -> new RamList(null, PAGE)),
                c("new RamList(page size 1000)", IAE, "1000", () -> new RamList(rcu, 1000)),
                c("new RamList(page size 3072)", IAE, "3072", () -> new RamList(rcu, 3072)),
                c("RamList.add(null)", NPE, "spec", () -> list.add(null)),
                c("RamList.add(duplicate name)", IAE, "'pc.ram' already exists", () -> list.add(RamBlockSpec.of("pc.ram", PAGE))),
                c("RamList.add(size not a page multiple)", IAE, "6000", () -> list.add(RamBlockSpec.of("odd", 6000))),
                c("RamList.add(max not a page multiple)", IAE, "70000", () -> list.add(RamBlockSpec.resizeable("odd", PAGE, 70000))),
                c("RamList.add(on a closed list)", ISE, "closed", () -> closedList.add(RamBlockSpec.of("x", PAGE))),
                c("RamList.free(null)", NPE, "block", () -> list.free(null)),
                c("RamList.free(twice)", ISE, "'gone' was already freed", () -> list.free(freed)),
                c("RamList.free(another list's block)", IAE, "does not belong", () -> list.free(foreign)),
                c("RamList.resize(to 0)", IAE, "new used length 0", () -> list.resize(ram2, 0)),
                c("RamList.resize(past max)", IAE, "524288", () -> list.resize(ram2, 512 * KiB)),
                c("RamList.resize(negative)", IAE, "-4096", () -> list.resize(ram2, -PAGE)),
                c("RamList.resize(not a page multiple)", IAE, "5000", () -> list.resize(ram2, 5000)),
                c("RamList.resize(fixed block)", IAE, "'pc.ram' is not resizeable", () -> list.resize(ram, 2 * PAGE)),
                c("RamList.resize(freed block)", ISE, "'gone' was freed", () -> list.resize(freed, PAGE)),
                c("RamList.resize(null)", NPE, "block", () -> list.resize(null, PAGE)),
                c("RamList.lookup(negative)", IAE, "0xffffffffffffffff", () -> list.lookup(-1)),
                c("RamList.lookup(past RAM)", IAE, "0x4000000000000", () -> list.lookup(1L << 50)),
                c("RamList.lookupByScan(past RAM)", IAE, "0x4000000000000", () -> list.lookupByScan(1L << 50)),
                c("RamList.lookupHost(0)", IAE, "0x0", () -> list.lookupHost(0)),
                c("RamList.block(unknown)", IAE, "'nope'", () -> list.block("nope")),
                // RamBlockSpec
                c("RamBlockSpec(empty name)", IAE, "empty", () -> RamBlockSpec.of("", PAGE)),
                c("RamBlockSpec(null name)", IAE, "empty", () -> RamBlockSpec.of(null, PAGE)),
                c("RamBlockSpec(256-byte name)", IAE, "256 bytes", () -> RamBlockSpec.of("x".repeat(256), PAGE)),
                c("RamBlockSpec(control character)", IAE, "0x0a", () -> RamBlockSpec.of("a\nb", PAGE)),
                c("RamBlockSpec(used 0)", IAE, "used length 0", () -> RamBlockSpec.of("a", 0)),
                c("RamBlockSpec(used negative)", IAE, "-4096", () -> RamBlockSpec.of("a", -PAGE)),
                c("RamBlockSpec(max below used)", IAE, "max length 4096 is below the used length 8192", () -> RamBlockSpec.resizeable("a", 2 * PAGE, PAGE)),
                c("RamBlockSpec(max != used, not resizeable)", IAE, "not RESIZEABLE",
                        () -> new RamBlockSpec("a", PAGE, 2 * PAGE, Backing.anonymous(), EnumSet.of(RamBlock.Flag.MIGRATABLE))),
                c("RamBlockSpec(null backing)", NPE, "backing", () -> new RamBlockSpec("a", PAGE, PAGE, null, Set.of())),
                c("RamBlockSpec(null flags)", NPE, "flags", () -> new RamBlockSpec("a", PAGE, PAGE, Backing.anonymous(), null)),
                // GuestMemory
                c("new GuestMemory(null)", NPE, "list", () -> new GuestMemory(null)),
                c("new GuestMemory(bad client mask)", IAE, "0x8", () -> new GuestMemory(list, 0x8)),
                c("GuestMemory.readByte(negative)", IAE, "-1", () -> mem.readByte(-1)),
                c("GuestMemory.readByte(hole)", IAE, "0x4000000000000", () -> mem.readByte(1L << 50)),
                c("GuestMemory.readInt(across the used end)", IAE, "past the used length", () -> mem.readInt(end - 2)),
                c("GuestMemory.writeLong(across the used end)", IAE, Long.toHexString(end - 4), () -> mem.writeLong(end - 4, 1)),
                c("GuestMemory.writeByte(negative)", IAE, "-5", () -> mem.writeByte(-5, (byte) 1)),
                c("GuestMemory.read(null array)", NPE, "", () -> mem.read(0, (byte[]) null)),
                c("GuestMemory.read(segment offset -1)", IAE, "-1", () -> mem.read(0, MemorySegment.ofArray(page), -1, 4)),
                c("GuestMemory.write(segment range too long)", IAE, "8192", () -> mem.write(0, MemorySegment.ofArray(page), 0, 2 * PAGE)),
                c("GuestMemory.write(array past the used end)", IAE, "past the used length", () -> mem.write(ram2.offset() + ram2.usedLength() - 1, page)),
                c("GuestMemory.fill(negative length)", IAE, "-5", () -> mem.fill(0, -5, (byte) 0)),
                c("GuestMemory.view(length 0)", IAE, "length 0", () -> mem.view(0, 0)),
                c("GuestMemory.view(across the used end)", IAE, "past the used length", () -> mem.view(end - 8, 16)),
                c("GuestMemory.markDirty(negative)", IAE, "-8", () -> mem.markDirty(-8, 8)),
                // DirtyMemory
                c("new DirtyMemory(page size 1000)", IAE, "1000", () -> new DirtyMemory(rcu, 1000)),
                c("new DirtyMemory(chunk of 3 pages)", IAE, "3 pages", () -> new DirtyMemory(rcu, PAGE, 3)),
                c("new DirtyMemory(null rcu)", NPE, "rcu", () -> new DirtyMemory(null, PAGE)),
                c("DirtyMemory.grow(negative)", IAE, "-1", () -> dirty.grow(-1)),
                c("DirtyMemory.grow(too large)", IAE, "0x" + Long.toHexString(1L << 62), () -> dirty.grow(1L << 62)),
                c("DirtyMemory.setDirtyRange(negative address)", IAE, "-4096", () -> dirty.setDirtyRange(-PAGE, PAGE, DirtyClient.ALL)),
                c("DirtyMemory.setDirtyRange(negative length)", IAE, "length -1", () -> dirty.setDirtyRange(0, -1, DirtyClient.ALL)),
                c("DirtyMemory.setDirtyRange(unknown client bits)", IAE, "0x10", () -> dirty.setDirtyRange(0, PAGE, 0x10)),
                c("DirtyMemory.setDirtyRange(overflow)", IAE, "0x7ffffffffffff000", () -> dirty.setDirtyRange(Long.MAX_VALUE - 4095, 2 * PAGE, DirtyClient.ALL)),
                c("DirtyMemory.testAndClear(negative length)", IAE, "-4096", () -> dirty.testAndClear(0, -PAGE, DirtyClient.MIGRATION)),
                c("DirtyMemory.testAndClear(null client)", NPE, "client", () -> dirty.testAndClear(0, PAGE, null)),
                c("DirtyMemory.isDirty(negative address)", IAE, "-1", () -> dirty.isDirty(-1, PAGE, DirtyClient.VGA)),
                c("DirtyMemory.snapshotAndClear(huge)", IAE, "too large", () -> dirty.snapshotAndClear(0, 1L << 50, DirtyClient.MIGRATION)),
                c("DirtyMemory.takeInto(small destination)", IAE, "1 words", () -> dirty.takeInto(0, MiB, DirtyClient.MIGRATION, new long[1])),
                c("DirtyMemory.takeInto(null destination)", NPE, "dest", () -> dirty.takeInto(0, MiB, DirtyClient.MIGRATION, null)),
                c("DirtyMemory.dirtyPages(null client)", NPE, "client", () -> dirty.dirtyPages(null)),
                c("DirtyMemory.dirtyPages(negative range)", IAE, "-4096", () -> dirty.dirtyPages(-PAGE, PAGE, DirtyClient.CODE)),
                // Rcu
                c("Rcu.create(null)", NPE, "flavor", () -> Rcu.create(null)),
                c("Rcu.create(0 readers)", IAE, "got 0", () -> Rcu.create(Rcu.Flavor.FENCE, 0)),
                c("Rcu.create(too many readers)", IAE, "got 65537", () -> Rcu.create(Rcu.Flavor.FENCE, 65537)),
                c("Rcu.callRcu(null)", NPE, "callback", () -> rcu.callRcu(null)),
                c("Rcu.onCallbackFailure(null)", NPE, "handler", () -> rcu.onCallbackFailure(null)),
                c("Rcu.read(closed domain)", ISE, "closed", () -> closedRcu.read()),
                c("Rcu.callRcu(closed domain)", ISE, "closed", () -> closedRcu.callRcu(() -> {})),
                c("Rcu.synchronize(inside a read section)", ISE, "inside a read section", () -> {
                    try (var s = rcu.read()) {
                        rcu.synchronize();
                    }
                }),
                c("Rcu.global().close()", ISE, "never closed", () -> Rcu.global().close()),
                c("Rcu.quiescentState(QSBR, unregistered thread)", ISE, "not registered", () -> {
                    try (Rcu q = Rcu.create(Rcu.Flavor.QSBR, 4)) {
                        q.quiescentState();
                    }
                }),
                // HostMemory / HostMapping
                c("HostMemory.anonymous(0)", IAE, "size 0", () -> HostMemory.anonymous(0)),
                c("HostMemory.anonymous(negative)", IAE, "-4096", () -> HostMemory.anonymous(-PAGE)),
                c("HostMemory.anonymous(not a page multiple)", IAE, "4097", () -> HostMemory.anonymous(PAGE + 1)),
                c("HostMemory.anonymous(null options)", NPE, "options", () -> HostMemory.anonymous(PAGE, null)),
                c("HostMemory.memfd(blank name)", IAE, "blank", () -> HostMemory.memfd(" ", PAGE, HostMemory.DEFAULT_OPTIONS)),
                c("HostMemory.memfd(long name)", IAE, "longer than 249", () -> HostMemory.memfd("m".repeat(250), PAGE, HostMemory.DEFAULT_OPTIONS)),
                c("HostMemory.file(missing)", IAE, "does-not-exist", () -> HostMemory.file(dir.resolve("does-not-exist"), 0, PAGE, false, true)),
                c("HostMemory.file(directory)", IAE, "is a directory", () -> HostMemory.file(dir, 0, PAGE, false, true)),
                c("HostMemory.file(negative offset)", IAE, "-4096", () -> HostMemory.file(dir, -PAGE, PAGE, false, true)),
                c("HostMemory.file(null path)", NPE, "path", () -> HostMemory.file(null, 0, PAGE, false, true)),
                c("HostMapping.discard(past the end)", IAE, "65536", () -> mapping.discard(64 * KiB, PAGE)),
                c("HostMapping.discard(unaligned)", IAE, "not page aligned", () -> mapping.discard(100, PAGE)),
                c("HostMapping.discard(closed)", ISE, "closed", () -> closedMapping.discard(0, PAGE)),
                c("HostMapping.close(twice)", ISE, "already closed", () -> closedMapping.close()),
                // Stream reader and writer, loader, inspector
                c("new RamStreamReader(page size 1000)", IAE, "1000", () -> new RamStreamReader(new ByteArrayInputStream(page), 1000)),
                c("new RamStreamWriter(page size 3000)", IAE, "3000", () -> new RamStreamWriter(new ByteArrayOutputStream(), 3000)),
                c("new RamStreamWriter(null)", NPE, "out", () -> new RamStreamWriter(null, (int) PAGE)),
                c("RamStreamWriter.memSize(length not a page multiple)", IAE, "100", () -> writer().memSize(List.of(new BlockEntry("a", 100)))),
                c("RamStreamWriter.page(unaligned offset)", IAE, "page offset 5", () -> writer().page("a", 5, page, 0)),
                c("RamStreamWriter.zeroPage(negative offset)", IAE, "-4096", () -> writer().zeroPage("a", -PAGE)),
                c("RamStreamWriter.zeroPage(empty block name)", IAE, "0 bytes", () -> writer().zeroPage("", 0)),
                c("RamStreamWriter.zeroPage(256-byte block name)", IAE, "256 bytes", () -> writer().zeroPage("b".repeat(256), 0)),
                c("RamStreamWriter.xbzrlePage(length 0)", IAE, "length 0", () -> writer().xbzrlePage("a", 0, page, 0)),
                c("RamStreamWriter.xbzrlePage(length past the page)", IAE, "4097", () -> writer().xbzrlePage("a", 0, new byte[5000], 4097)),
                c("new RamLoader(null)", NPE, "list", () -> new RamLoader(null)),
                c("new StreamInspector(page size -1)", IAE, "-1", () -> new StreamInspector(-1, null)),
                c("new StreamInspector(page size 1000)", IAE, "1000", () -> new StreamInspector(1000, null)),
                c("new RamSaver(page size mismatch)", IAE, "8192", () -> new RamSaver(list, new RamStreamWriter(new ByteArrayOutputStream(), 8192), 2, RamSaver.Options.defaults())),
                // Migration options, channel, bandwidth, XBZRLE, vCPUs
                c("new BandwidthLimit(negative)", IAE, "-1", () -> new BandwidthLimit(new ByteArrayOutputStream(), -1)),
                c("LiveMigration.Options(negative bandwidth)", IAE, "-5", () -> LiveMigration.Options.defaults().withBandwidth(-5)),
                c("LiveMigration.Options(negative downtime)", IAE, "PT-1S", () -> LiveMigration.Options.defaults().withDowntimeTarget(Duration.ofSeconds(-1))),
                c("LiveMigration.Options(0 iterations)", IAE, "max iterations 0", () -> LiveMigration.Options.defaults().withMaxIterations(0)),
                c("LiveMigration.Options(0 time slice)", IAE, "PT0S",
                        () -> new LiveMigration.Options(0, Duration.ofMillis(300), 30, Duration.ZERO, RamSaver.Options.defaults())),
                c("new LiveMigration(null source)", NPE, "source", () -> new LiveMigration(null, LiveMigration.Options.defaults(), null)),
                c("MigrationChannel.parse(no port)", IAE, "'nohost'", () -> MigrationChannel.parse("nohost")),
                c("MigrationChannel.parse(port not a number)", IAE, "'h:x'", () -> MigrationChannel.parse("h:x")),
                c("MigrationChannel.parse(port too big)", IAE, "70000", () -> MigrationChannel.parse("h:70000")),
                c("MigrationChannel.connect(bad address)", IAE, "'h:0'", () -> MigrationChannel.connect("h:0", 100)),
                c("MigrationChannel.accept(negative port)", IAE, "-1", () -> MigrationChannel.accept(-1, 100, null)),
                c("Xbzrle.ulebEncode(too large)", IAE, "16384", () -> Xbzrle.ulebEncode(0x4000, new byte[4], 0)),
                c("Xbzrle.ulebEncode(negative)", IAE, "-1", () -> Xbzrle.ulebEncode(-1, new byte[4], 0)),
                c("Xbzrle.encode(negative length)", IAE, "-1", () -> Xbzrle.encode(page, page, -1, new byte[16], 16)),
                c("Xbzrle.encode(length past the pages)", IAE, "8192", () -> Xbzrle.encode(page, page, 8192, new byte[16], 16)),
                c("Xbzrle.encode(dlen past dst)", IAE, "64", () -> Xbzrle.encode(page, page, (int) PAGE, new byte[16], 64)),
                c("Xbzrle.decode(slen past src)", IAE, "100", () -> Xbzrle.decode(new byte[10], 100, page, (int) PAGE)),
                c("Xbzrle.decode(dlen past dst)", IAE, "8192", () -> Xbzrle.decode(new byte[10], 10, page, 8192)),
                c("new XbzrlePageCache(page size 3000)", IAE, "3000", () -> new XbzrlePageCache(MiB, 3000)),
                c("new XbzrlePageCache(smaller than a page)", IAE, "100", () -> new XbzrlePageCache(100, (int) PAGE)),
                c("XbzrlePageCache.insert(short page)", IAE, "page of 10 bytes", () -> new XbzrlePageCache(64 * KiB, (int) PAGE).insert(0, new byte[10], 0)),
                c("new SimulatedVcpus(no blocks)", IAE, "no blocks", () -> new SimulatedVcpus(mem, List.of(), 1, 0, 0)),
                c("new SimulatedVcpus(0 threads)", IAE, "thread count 0", () -> new SimulatedVcpus(mem, List.of(ram), 0, 0, 0)),
                c("new SimulatedVcpus(negative rate)", IAE, "-1", () -> new SimulatedVcpus(mem, List.of(ram), 1, -1, 0)));
    }

    static RamStreamWriter writer() {
        return new RamStreamWriter(new ByteArrayOutputStream(), (int) PAGE);
    }

    @TestFactory
    Stream<DynamicTest> everyEntryPointNamesTheBadValue() {
        return cases().stream().map(k -> DynamicTest.dynamicTest(k.entry(), () -> {
            Throwable t = assertThrows(k.type(), k.call(), k.entry());
            String m = String.valueOf(t.getMessage());
            assertTrue(m.contains(k.names()), () -> k.entry() + ": message '" + m + "' does not name '" + k.names() + "'");
            if (k.type() != NPE) {
                assertTrue(t.getClass() == k.type() || k.type().isInstance(t), t.toString());
            }
        }));
    }
}
