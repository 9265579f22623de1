package org.guestmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's bookkeeping, on made-up figures: parsing, pairing, goals, the report files and charts. */
class BenchReportTest {
    @Test
    void parsesNativeLinesOfBothFormats() {
        Map<String, String> f = NativeBenches.parse(
                "{\"bench\":\"read\",\"variant\":\"lock_unlock\",\"impl\":\"liburcu-memb\",\"threads\":2,\"param\":0,\"ns_per_op\":1.2500}");
        assertEquals("liburcu-memb", f.get("impl"));
        assertEquals("2", f.get("threads"));
        assertEquals("1.2500", f.get("ns_per_op"));
        Map<String, String> lookup = NativeBenches.parse("{\"bench\":\"lookup\",\"variant\":\"hit\",\"blocks\":1024,\"ns_per_op\":1.375}");
        assertEquals("1024", lookup.get("blocks"));
    }

    @Test
    void goalsAreJudgedOnTheRatio() {
        Measurements m = new Measurements();
        m.addJava("A.x", Map.of(), 3.0, 0);
        m.addJava("A.y", Map.of(), 100.0, 0);
        Optional<Measurements.Figure> x = m.java("A.x"), y = m.java("A.y");
        assertEquals("yes", new Comparison("x", x, "p", Optional.of(fig(2.5)), Comparison.Goal.within(1.5)).met());
        assertEquals("NO", new Comparison("x", x, "p", Optional.of(fig(1.0)), Comparison.Goal.within(1.5)).met());
        assertEquals("yes", new Comparison("x", x, "y", y, Comparison.Goal.cheaper(10)).met());
        assertEquals("NO", new Comparison("x", x, "p", Optional.of(fig(20.0)), Comparison.Goal.cheaper(10)).met());
        assertEquals("n/a", new Comparison("x", x, "p", Optional.empty(), Comparison.Goal.within(1.3)).met());
        assertEquals("-", new Comparison("x", x, "p", y, Comparison.Goal.NONE).met());
        assertEquals(0.03, new Comparison("x", x, "y", y, Comparison.Goal.NONE).ratio(), 1e-12);
    }

    @Test
    void repeatedNativeProcessesKeepTheBestFigure() {
        Measurements m = new Measurements();
        m.addNative("guest_memory", "read_long", "c-twin", 1, 0, 4.5);
        m.addNativeBest("guest_memory", "read_long", "c-twin", 1, 0, 2.4, Map.of());
        m.addNativeBest("guest_memory", "read_long", "c-twin", 1, 0, 3.0, Map.of());
        m.addNativeBest("guest_memory", "write_long", "c-twin", 1, 0, 19.0, Map.of()); // a new key: added as is
        Measurements.Figure read = m.nativeFigure("guest_memory", "variant=read_long").orElseThrow();
        assertEquals(2.4, read.ns(), 1e-12);
        assertEquals("3", read.params().get("best_of"));
        assertEquals(2, m.nativeFigures().size());
        assertEquals(19.0, m.nativeFigure("guest_memory", "variant=write_long").orElseThrow().ns(), 1e-12);
    }

    @Test
    void roundsOfJmhForksKeepTheBestForkAndCountThemAll() {
        Measurements m = new Measurements();
        m.addJavaBest("GuestMemoryBench.readLongBatch", Map.of("flavor", "MEMBARRIER"), 3.1);
        m.addJavaBest("GuestMemoryBench.readLongBatch", Map.of("flavor", "MEMBARRIER"), 2.7);
        m.addJavaBest("GuestMemoryBench.readLongBatch", Map.of("flavor", "MEMBARRIER"), 2.9);
        m.addJavaBest("GuestMemoryBench.readLongBatch", Map.of("flavor", "FENCE"), 5.0); // other params: a figure of its own
        Measurements.Figure membarrier = m.java("GuestMemoryBench.readLongBatch", "flavor=MEMBARRIER").orElseThrow();
        assertEquals(2.7, membarrier.ns(), 1e-12);
        assertEquals("3", membarrier.params().get(Measurements.BEST_OF));
        Measurements.Figure fence = m.java("GuestMemoryBench.readLongBatch", "flavor=FENCE").orElseThrow();
        assertEquals(5.0, fence.ns(), 1e-12);
        assertEquals(null, fence.params().get(Measurements.BEST_OF), "one fork so far: no count");
        assertEquals(2, m.javaFigures().size());
    }

    @Test
    void interleavedRoundsRunEachPeerRightBeforeItsJavaForksAndReportEachNoteOnce() throws Exception {
        List<String> order = new java.util.ArrayList<>();
        List<String> notes = BenchRunner.interleaved(List.of(
                new BenchRunner.Turn(
                        () -> { order.add("C qsbr all"); return List.of("native x skipped"); },
                        () -> { order.add("C qsbr goal"); return List.of("native x skipped"); },
                        () -> order.add("Java QSBR")),
                new BenchRunner.Turn(
                        () -> { order.add("C rwlock"); return List.of("native y skipped"); },
                        List::of,
                        () -> order.add("Java lock"))));
        assertEquals(List.of("native x skipped", "native y skipped"), notes);
        List<String> expected = new java.util.ArrayList<>(List.of("C qsbr all", "Java QSBR", "C rwlock", "Java lock"));
        for (int round = 1; round < BenchRunner.BEST_OF; round++) {
            expected.addAll(List.of("C qsbr goal", "Java QSBR", "Java lock"));
        }
        assertEquals(expected, order);
    }

    @Test
    void eachFlavorHasItsLiburcuPeerExecutable() {
        for (String flavor : Comparisons.FLAVORS) {
            assertTrue(NativeBenches.LIBURCU_PEERS.contains(NativeBenches.liburcuPeer(flavor)), flavor);
        }
        assertEquals(Comparisons.FLAVORS.size(), Comparisons.FLAVORS.stream().map(NativeBenches::liburcuPeer).distinct().count());
        assertThrows(IllegalArgumentException.class, () -> NativeBenches.liburcuPeer("RWLOCK"));
    }

    @Test
    void pairsEachFlavorWithItsLiburcuFlavor() {
        Measurements m = new Measurements();
        m.addJava("RcuReadBench.readSectionBatch", Map.of("flavor", "MEMBARRIER"), 3.0, 0);
        m.addJava("RcuReadBench.readSection", Map.of("flavor", "MEMBARRIER"), 99.0, 0); // per JMH call: not the goal row
        m.addNative("read", "lock_unlock", "liburcu-memb", 1, 0, 1.0);
        m.addNative("read", "lock_unlock", "liburcu-mb", 1, 0, 50.0);
        Comparison row = Comparisons.rcu(m).stream()
                .filter(c -> c.benchmark().equals("read lock+unlock MEMBARRIER via Rcu.read(), 1 thread") && c.peerName().equals("liburcu-memb"))
                .findFirst().orElseThrow();
        assertEquals(3.0, row.ratio(), 1e-12);
        assertEquals("NO", row.met()); // goal: <= 2.5x liburcu memb
    }

    @Test
    void callRcuRowsTakeTheirOwnNativeVariant() {
        Measurements m = new Measurements();
        m.addJava("RcuCallbackBench.callRcuBatch", Map.of("flavor", "QSBR"), 80.0, 0);
        m.addJava("RcuCallbackBench.callRcuEnqueue", Map.of("flavor", "QSBR"), 200.0, 0);
        m.addNative("call_rcu", "enqueue", "liburcu-qsbr", 1, 10000, 40.0);   // printed first by urcu_bench
        m.addNative("call_rcu", "batch", "liburcu-qsbr", 1, 10000, 1000.0);
        List<Comparison> rows = Comparisons.rcu(m);
        Comparison batch = rows.stream().filter(c -> c.benchmark().startsWith("callRcu QSBR (per callback, batch")).findFirst().orElseThrow();
        Comparison alone = rows.stream().filter(c -> c.benchmark().startsWith("callRcu QSBR (per callback, the calls alone")).findFirst().orElseThrow();
        assertEquals(0.08, batch.ratio(), 1e-12);
        assertEquals(5.0, alone.ratio(), 1e-12);
    }

    @Test
    void writesJsonMarkdownAndCharts(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Measurements m = new Measurements();
        for (int b : BenchRunner.QUICK_BLOCKS) {
            m.addJava("RamListLookupBench.missBinarySearch", Map.of("blocks", Integer.toString(b)), 5 + b / 100.0, 0.1);
            m.addJava("RamListLookupBench.missLinearScanQemu", Map.of("blocks", Integer.toString(b)), b / 3.0, 0.1);
            m.addNative("lookup", "miss_scan", "c-twin", 1, b, b / 4.0);
        }
        List<Comparison> rows = Comparisons.ram(m, BenchRunner.QUICK_BLOCKS);
        ResultReport report = new ResultReport("ram", "quick", Machine.current(), rows, List.of("a \"quoted\" note"));
        String json = report.json(m);
        assertTrue(json.contains("\"benchmark\": \"lookup miss, binary search, 1024 blocks\""), json);
        assertTrue(json.contains("a \\\"quoted\\\" note"), json);
        assertTrue(report.table().contains("goals met: 1 of 15 (14 without a figure)"), report.table());
        String chart = ResultCharts.lookup(m, dir, "ram", BenchRunner.QUICK_BLOCKS).orElseThrow();
        byte[] png = Files.readAllBytes(dir.resolve(chart));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
        assertTrue(ResultCharts.readSide(new Measurements(), dir, "rcu").isEmpty());
    }

    @Test
    void missingLiburcuIsSaidAtTheTopWithTheFix(@TempDir Path dir) throws Exception {
        List<String> banner = NativeBenches.liburcuBanner(dir); // an empty build directory: no peer built
        assertEquals(2, banner.size(), banner.toString());
        assertTrue(banner.get(0).contains("urcu_memb_bench, urcu_qsbr_bench, urcu_mb_bench"), banner.get(0));
        assertTrue(banner.get(1).contains("apt-get install liburcu-dev"), banner.get(1));
        String table = new ResultReport("rcu", "quick", Machine.current(), List.of(), List.of("a note"), banner).table();
        String[] lines = table.split("\n");
        assertTrue(lines[2].startsWith("!! liburcu peers missing") && lines[3].contains("apt-get install liburcu-dev"), table);
        assertTrue(table.indexOf("apt-get install liburcu-dev") < table.indexOf("benchmark"), "before the table: " + table);
        assertTrue(new ResultReport("rcu", "quick", Machine.current(), List.of(), List.of(), banner).markdown(List.of())
                .contains("apt-get install liburcu-dev"));
        for (String exe : NativeBenches.LIBURCU_PEERS) {
            Path f = Files.writeString(dir.resolve(exe), "#!/bin/sh\n");
            f.toFile().setExecutable(true);
        }
        assertEquals(List.of(), NativeBenches.liburcuBanner(dir));
    }

    @Test
    void rejectsUnknownArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchRunner.Args.parse(new String[] {"rcu", "--fast"}));
        assertTrue(e.getMessage().contains("--fast"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchRunner.Args.parse(new String[] {"rcu", "ram"}));
        assertEquals(List.of("rcu", "ram", "scaling", "migration", "migration-progress"), BenchRunner.Args.parse(new String[] {"all", "--full"}).suites());
        assertEquals(List.of("rcu", "ram", "scaling", "migration", "migration-progress"), BenchRunner.Args.parse(new String[] {"--json"}).suites());
        assertEquals(List.of("scaling"), BenchRunner.Args.parse(new String[] {"scaling"}).suites());
        assertEquals(List.of("migration"), BenchRunner.Args.parse(new String[] {"migration"}).suites());
    }

    @Test
    void jmhScoresBecomeNanosecondsPerOperation() {
        assertEquals(2.5, JmhBenches.toNs(2.5, "ns/op"), 1e-12);
        assertEquals(2500, JmhBenches.toNs(2.5, "us/op"), 1e-9);
        assertEquals(2.5e6, JmhBenches.toNs(2.5, "ms/op"), 1e-6);
        assertEquals(250, JmhBenches.toNs(4e6, "ops/s"), 1e-9);
        assertEquals(0.5, JmhBenches.toNs(2, "ops/ns"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> JmhBenches.toNs(1, "B/op"));
        assertThrows(IllegalArgumentException.class, () -> JmhBenches.toNs(1, "ns"));
    }

    @Test
    void migrationRowsPairJavaWithTheCPortAndKeepTheLinesExtraFields() {
        Measurements m = new Measurements();
        m.addJava("XbzrleBench.encode", Map.of("pct", "10"), 900, 0);
        m.addNative("xbzrle", "encode", "c", 1, 10, 1000, Map.of("encoded_bytes", "149910"));
        m.addJava("ZeroPageBench.isZero", Map.of("where", "ram", "content", "zero"), 150, 0);
        m.addNative("zero_check", "read/zero", "c", 1, Comparisons.ZERO_RAM, 100);
        List<Comparison> rows = Comparisons.migration(m);
        Comparison enc = rows.stream().filter(c -> c.benchmark().startsWith("XBZRLE encode, 10%")).findFirst().orElseThrow();
        assertEquals(0.9, enc.ratio(), 1e-12);
        assertEquals("yes", enc.met());
        assertEquals("149910", enc.peer().orElseThrow().params().get("encoded_bytes"));
        Comparison bw = rows.stream().filter(c -> c.goal().text().contains("bandwidth")).findFirst().orElseThrow();
        assertEquals("NO", bw.met(), "150 ns against 100 ns is 67% of the bandwidth");
        assertEquals("n/a", rows.getLast().met(), "no migration figures");
        m.addNative("xbzrle", "encode", "c", 1, 1, 300, Map.of("encoded_bytes", "5"));
        List<String> notes = Comparisons.migrationNotes(m);
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("XBZRLE 10%: Java and C encode the same 256 page pairs to the same 149910 bytes")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("XBZRLE 1%: INPUTS DIFFER")), notes.toString());
    }

    private static Measurements.Figure fig(double ns) {
        return new Measurements.Figure("native", "p", Map.of(), ns, Double.NaN);
    }
}
