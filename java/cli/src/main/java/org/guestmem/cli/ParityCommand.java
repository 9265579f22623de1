package org.guestmem.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.guestmem.parity.LitmusRun;
import org.guestmem.parity.LitmusTable;
import org.guestmem.parity.Pairing;
import org.guestmem.parity.ParityReport;
import org.guestmem.parity.model.LitmusExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code guestmem parity}: runs every litmus scenario of native/harness/litmus.table on this machine's
 * CPUs with C threads, Java threads and one of each on the same native words, and prints one table
 * (scenario, variant, language, threads, samples, each outcome's count, forbidden seen, verdict). Exit
 * status 1 when a fixed variant shows a forbidden outcome or a broken variant that must be observable on
 * this CPU never fails in enough raced samples to say so; 3 when a run's time ran out first
 * (inconclusive). The work is {@link ParityReport}'s; this class only reads options and prints.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Run the ORDERING.md litmus scenarios with C, Java and mixed Java/C threads and print one outcome table; --full for long runs, --json for machines.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = "--full", description = "Long runs (1M samples per run).")
    boolean full;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--scenario", description = "Only this scenario (repeatable).")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--variant", description = "Only this variant (repeatable).")
    List<String> variants = new ArrayList<>();

    @Option(names = "--threads", description = "Only this pairing, updater+reader: C+C, Java+Java, Java+C, C+Java (repeatable).")
    List<String> pairings = new ArrayList<>();

    @Option(names = "--samples", description = "Samples per run (overrides the mode's count and its time limit, up to a minute per run).")
    Long samples;

    @Option(names = "--patience", paramLabel = "SECONDS",
            description = "How long a broken OBSERVABLE variant not seen yet keeps sampling (default: 10 s, --full 120 s); when it runs out first, the run is INCONCLUSIVE (exit 3).")
    Double patience;

    @Option(names = "--table", description = "The litmus table (default: native/harness/litmus.table under guestmem.home, else the class path copy).")
    Path tablePath;

    @Option(names = "--export-litmus", paramLabel = "DIR",
            description = "Write every variant as a herd-style C11 litmus file into DIR (forbidden outcome as the exists clause) and exit; runs nothing.")
    Path exportDir;

    @Override
    public Integer call() throws Exception {
        LitmusTable table = table();
        if (exportDir != null) {
            for (Path p : LitmusExport.write(table, exportDir)) {
                System.out.println(p);
            }
            return 0;
        }
        LitmusRun.Budget b = full ? LitmusRun.Budget.full() : LitmusRun.Budget.quick();
        if (samples != null) {
            // the count asked for, unless a run takes over a minute
            b = new LitmusRun.Budget(samples, Math.max(60, b.maxSeconds()), b.bound(), b.patienceSeconds(),
                    (int) Math.min(samples, b.batch()));
        }
        if (patience != null) {
            if (!(patience > 0)) {
                throw new IllegalArgumentException("--patience " + patience + " must be a positive number of seconds");
            }
            b = b.withPatience(patience);
        }
        List<Pairing> which = pairings.isEmpty() ? List.of(Pairing.values()) : pairings.stream().map(Pairing::parse).toList();
        ParityReport report = ParityReport.run(table, b, scenarios, variants, which, r -> {
            if (!json) {
                System.err.printf("  %s/%s %s: %s%n", r.scenario(), r.variant().name(), r.pairing().threads(), r.verdict());
            }
        });
        System.out.print(json ? Json.write(report.toMap()) : report.text());
        return report.exitStatus();
    }

    private LitmusTable table() throws Exception {
        if (tablePath != null) {
            return LitmusTable.load(tablePath);
        }
        Path home = Path.of(System.getProperty("guestmem.home", "."));
        for (Path p : List.of(home.resolve("native/harness/litmus.table"), Path.of("..", "native", "harness", "litmus.table"),
                Path.of("..", "..", "native", "harness", "litmus.table"))) {
            if (Files.isRegularFile(p)) {
                return LitmusTable.load(p);
            }
        }
        return LitmusTable.fromClasspath();
    }
}
