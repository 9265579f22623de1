package org.guestmem.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.guestmem.parity.LitmusScenario.Expectation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mixed mode: a Java thread races a C thread of the shim on the same native cells, graded by the
 * shared table. A fixed variant run this way shows no forbidden outcome, and since the updater's and the
 * reader's halves of each outcome come from different threads (a side that did not run leaves its result
 * word 0, the forbidden SB-reader outcome), a clean histogram shows that both sides ran. A broken
 * store-&gt;load variant must show its forbidden outcome, on x86 too.
 */
class MixedLitmusTest {
    private static LitmusTable table;

    @BeforeAll
    static void load() throws Exception {
        table = LitmusTable.load(Path.of("..", "..", "native", "harness", "litmus.table"));
    }

    private static final LitmusRun.Budget SHORT = new LitmusRun.Budget(2_000, 5, 2_000, 5, 500);

    private static long sum(LitmusResult r) {
        return r.counts().values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void fixedSbReaderRunsACThreadAgainstAJavaThreadBothWays() {
        LitmusScenario sb = table.scenario("SB-reader");
        for (Pairing p : new Pairing[] {Pairing.JAVA_C, Pairing.C_JAVA}) {
            LitmusResult r = LitmusRun.run(sb, sb.variant("fixed"), p, SHORT);
            assertEquals(2_000, r.samples(), r.toString());
            assertEquals(r.samples(), sum(r), "every sample lands in the histogram: " + r);
            assertEquals(0, r.forbidden(), "forbidden outcome in a fixed variant: " + r);
            assertEquals(0, r.counts().get("ptr=old,ctr=idle"), r.toString());
            assertEquals(Verdict.PASS, r.verdict());
            assertEquals("mixed", r.pairing().language());
        }
    }

    @Test
    void brokenNofenceSbReaderShowsStoreLoadReorderingMixed() {
        assumeTrue(LitmusRun.cpus() >= 2, "store buffering needs two threads running at once");
        LitmusScenario sb = table.scenario("SB-reader");
        // until it shows, up to the never-seen bound or 20 s each way; the reordering shows within a few
        // hundred samples on x86 (docs/PARITY.md); only a machine too busy to race the threads runs out of time
        LitmusRun.Budget patient = new LitmusRun.Budget(2_000, 20, Verdict.NEVER_SEEN_BOUND, 20, 5_000);
        for (Pairing p : new Pairing[] {Pairing.JAVA_C, Pairing.C_JAVA}) {
            LitmusResult r = LitmusRun.run(sb, sb.variant("broken-nofence"), p, patient);
            assumeTrue(!r.verdict().inconclusive(), "inconclusive: " + r.detail() + " " + r);
            assertTrue(r.counts().get("ptr=old,ctr=idle") > 0, "store->load reordering never seen: " + r);
            assertEquals(Verdict.FAILURE_OBSERVED, r.verdict());
        }
    }

    @Test
    void aJavaUpdaterWaitsForACReaderAndTheOtherWayRound() {
        LitmusScenario gp = table.scenario("RCU-gp");
        for (Pairing p : new Pairing[] {Pairing.JAVA_C, Pairing.C_JAVA}) {
            LitmusResult r = LitmusRun.run(gp, gp.variant("fixed"), p, SHORT);
            assertEquals(r.samples(), sum(r), r.toString());
            assertEquals(0, r.counts().get("saw=old,block=dead"), "a block reclaimed under an open section: " + r);
        }
    }

    @Test
    void everyFixedVariantPassesInEveryPairing() {
        LitmusRun.Budget tiny = new LitmusRun.Budget(200, 5, 200, 5, 200);
        int runs = 0;
        for (LitmusScenario s : table.scenarios()) {
            for (LitmusScenario.Variant v : s.variants()) {
                if (v.expect() != Expectation.NEVER) {
                    continue;
                }
                for (Pairing p : Pairing.values()) {
                    LitmusResult r = LitmusRun.run(s, v, p, tiny);
                    assertTrue(r.verdict() == Verdict.PASS || r.verdict() == Verdict.SKIPPED, r.toString());
                    assertEquals(r.samples(), sum(r), r.toString());
                    runs++;
                }
            }
        }
        assertTrue(runs >= 4 * 10, "fixed runs: " + runs);
    }

    @Test
    void aScenarioOrVariantJavaDoesNotImplementIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> JavaSide.of("IRIW"));
        assertTrue(e.getMessage().contains("IRIW"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> JavaSide.of("SB-reader").variant("broken-xyz"));
        assertTrue(f.getMessage().contains("broken-xyz"), f.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pairing.parse("Rust+C"));
    }
}
