package org.guestmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own logic, without running a benchmark: arguments, native lines, pairing, goals, report. */
class BenchRunnerTest {

    @Test
    void argumentsParseAndBadOnesAreNamed() {
        RunOptions o = RunOptions.parse("rcu", "--full", "--json", "--out", "x", "--native-dir", "nd");
        assertTrue(o.full());
        assertTrue(o.json());
        assertEquals(Path.of("x"), o.outDir());
        assertEquals(Path.of("nd/native/bench"), o.nativeBenchDir());
        assertFalse(RunOptions.parse().full());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunOptions.parse("rcu", "--fast"));
        assertTrue(e.getMessage().contains("--fast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RunOptions.parse("ram2"));
        assertTrue(e.getMessage().contains("ram2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RunOptions.parse("rcu", "--out"));
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
    }

    @Test
    void nativeLineBecomesAFigure() {
        Figure f = NativePeers.parse("rcu_bench_memb", "{\"name\":\"read_lock_unlock\",\"flavor\":\"memb\",\"threads\":2,"
                + "\"ns_per_op\":1.5,\"ops_per_s\":1.3e+09,\"min_ns_per_op\":1,\"max_ns_per_op\":2,\"rounds\":5}");
        assertTrue(f.is("read_lock_unlock", "memb", 2));
        assertEquals(1.5, f.nsPerOp());
        assertEquals(0.5, f.error());
        assertEquals(2 * 1e9 / 1.5, f.opsPerSecond(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativePeers.parse("x", "{\"name\":\"a\",\"flavor\":\"b\",\"threads\":1}"));
        assertTrue(e.getMessage().contains("ns_per_op"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NativePeers.parse("x", "{\"name\":\"a\",\"flavor\":\"b\",\"threads\":1,\"ns_per_op\":0}"));
    }

    @Test
    void goalsJudgeBothDirections() {
        assertTrue(Goal.atMost(1.5).met(1.5));
        assertFalse(Goal.atMost(1.5).met(1.51));
        assertEquals(2.0, Goal.atMost(1.5).missedBy(3.0), 1e-9);
        assertTrue(Goal.cheaperBy(10).met(0.1));
        assertFalse(Goal.cheaperBy(10).met(0.2));
        assertEquals(2.0, Goal.cheaperBy(10).missedBy(0.2), 1e-9);
        assertNull(Goal.NONE.met(0.5));
        assertNull(Goal.atMost(1.5).met(Double.NaN));
    }

    @Test
    void figuresPairWithTheRightPeers() {
        List<Figure> java = new ArrayList<>();
        List<Figure> c = new ArrayList<>();
        java.add(new Figure("java", "RcuReadBench.read1", "MEMBARRIER", 1, 1.2, 0));
        java.add(new Figure("java", "RcuReadBench.handle1", "QSBR", 1, 9.0, 0));
        java.add(new Figure("java", "LockReadBench.rwLockRead1", "", 1, 10, 0));
        c.add(new Figure("rcu_bench_memb", "read_lock_unlock", "memb", 1, 1.0, 0));
        c.add(new Figure("rcu_bench_qsbr", "read_lock_unlock", "qsbr", 1, 0.5, 0));
        c.add(new Figure("rcu_bench_memb", "read_lock_unlock", "memb", 2, 99, 0)); // other thread count: not paired
        List<Comparison> rows = RcuSuite.comparisons(java, c);

        Comparison membVsUrcu = find(rows, "MEMBARRIER Rcu.read(), 1 thread", "liburcu-memb");
        assertEquals(1.2, membVsUrcu.ratio(), 1e-9);
        assertEquals(Boolean.TRUE, membVsUrcu.met());
        Comparison membVsRrwl = find(rows, "MEMBARRIER Rcu.read(), 1 thread", RcuSuite.RRWL);
        assertEquals(Boolean.FALSE, membVsRrwl.met()); // 10 / 1.2 < 10
        Comparison qsbr = find(rows, "QSBR RcuReader.read(), 1 thread", "liburcu-qsbr");
        assertEquals(18.0, qsbr.ratio(), 1e-9);
        assertEquals(Boolean.FALSE, qsbr.met());
        Comparison missing = find(rows, "FENCE Rcu.read(), 1 thread", "liburcu-mb");
        assertNull(missing.met());
        assertEquals("n/a", missing.ratioText());
        Comparison two = find(rows, "MEMBARRIER Rcu.read(), 2 threads", "liburcu-memb");
        assertNull(two.java());
        assertEquals(99, two.peer().nsPerOp());
    }

    @Test
    void reportNamesMachineGoalsAndWritesBothFiles(@TempDir Path dir) throws Exception {
        List<Figure> java = List.of(new Figure("java", "RcuReadBench.read1", "QSBR", 1, 3.0, 0.1));
        List<Figure> c = List.of(new Figure("rcu_bench_qsbr", "read_lock_unlock", "qsbr", 1, 0.5, 0));
        MachineInfo m = new MachineInfo("Some CPU", 2, "Linux 6 amd64", "JDK 25", Instant.parse("2026-01-02T03:04:05Z"), "1 2 3");
        BenchReport r = new BenchReport("rcu", false, m, RcuSuite.comparisons(java, c), java, c, List.of("rcu_bench_mb"),
                RcuSuite.notes());
        assertEquals(1, r.goalsTotal() - (int) r.rows().stream().filter(x -> x.goal().kind() != Goal.Kind.NONE && x.met() == null).count());
        assertEquals(0, r.goalsMet());
        assertEquals(1, r.missedGoals().size());
        assertTrue(r.missedGoals().get(0).contains("missed by 4.00x"), r.missedGoals().get(0));
        String table = r.table();
        assertTrue(table.contains("Some CPU, 2 cores"), table);
        assertTrue(table.contains("JDK 25"), table);
        assertTrue(table.contains("2026-01-02T03:04:05Z"), table);
        assertTrue(table.contains("6.00x"), table);
        List<Path> files = r.write(dir);
        assertEquals(dir.resolve("rcu-2026-01-02.json"), files.get(0));
        assertTrue(Files.readString(files.get(0)).contains("\"goals_met\": 0"));
        assertTrue(Files.readString(files.get(1)).contains("|QSBR Rcu.read(), 1 thread|3.00 ns|liburcu-qsbr|0.500 ns|6.00x|<= 1.5x|**NO**|"));
    }

    private static Comparison find(List<Comparison> rows, String benchmark, String peer) {
        return rows.stream().filter(r -> r.benchmark().equals(benchmark) && r.peerName().equals(peer)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + benchmark + " vs " + peer));
    }
}
