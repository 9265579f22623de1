package org.guestmem.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.guestmem.parity.model.FormalVerdicts;
import org.junit.jupiter.api.Test;

/**
 * The exit status of {@code guestmem parity} from its verdicts, on the real table (whose formal verdicts all
 * pass): 0 when every run is as required, 3 when a broken variant ran out of time before it showed or reached
 * the never-seen bound, 1 when a verdict failed, whatever else is inconclusive.
 */
class ParityReportExitTest {
    private static final Path TABLE = Path.of("..", "..", "native", "harness", "litmus.table");

    private static ParityReport report(Verdict... verdicts) throws Exception {
        LitmusTable table = LitmusTable.load(TABLE);
        LitmusScenario sb = table.scenarios().stream().filter(s -> s.id().equals("SB-reader")).findFirst().orElseThrow();
        LitmusScenario.Variant broken = sb.variants().stream().filter(v -> v.name().equals("broken-nofence")).findFirst().orElseThrow();
        List<LitmusResult> results = java.util.Arrays.stream(verdicts)
                .map(v -> new LitmusResult(sb.id(), broken, Pairing.C_C, 1000, 900, Map.of(), 0, 0, v, 0.2, Verdict.NEVER_SEEN_BOUND))
                .toList();
        return new ParityReport(table, LitmusRun.Budget.quick(), results, FormalVerdicts.check(table));
    }

    @Test
    void everyVerdictAsRequiredExitsZero() throws Exception {
        ParityReport r = report(Verdict.FAILURE_OBSERVED, Verdict.FAILURE_OBSERVED);
        assertTrue(r.formal().ok(), "the real table passes its formal verdicts");
        assertEquals(0, r.exitStatus());
    }

    @Test
    void anInconclusiveRunExitsThreeAndSaysWhy() throws Exception {
        ParityReport r = report(Verdict.FAILURE_OBSERVED, Verdict.INCONCLUSIVE);
        assertTrue(r.ok());
        assertEquals(1, r.inconclusive());
        assertEquals(3, r.exitStatus());
        assertTrue(r.text().contains("1 inconclusive") && r.text().contains("SB-reader/broken-nofence C+C: INCONCLUSIVE"), r.text());
    }

    @Test
    void aFailedVerdictExitsOneEvenBesideAnInconclusiveRun() throws Exception {
        ParityReport r = report(Verdict.INCONCLUSIVE, Verdict.FAIL_NOT_OBSERVED);
        assertFalse(r.ok());
        assertEquals(1, r.exitStatus());
    }
}
