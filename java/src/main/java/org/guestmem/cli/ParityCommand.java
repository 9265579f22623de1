package org.guestmem.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code guestmem parity}: runs every litmus scenario of native/harness/litmus.table on this machine's
 * CPUs with the C harness (gm-litmus) and prints its outcome table (scenario, variant, samples, each
 * outcome's count, forbidden seen, verdict); the Java side of the same scenarios is the jcstress suite
 * (java/stress, run by scripts/jcstress-check.sh). Exit status non-zero when a fixed variant shows a
 * forbidden outcome or a broken variant that must be observable on this CPU never fails.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Run the ORDERING.md litmus scenarios (C harness) and print the outcome table; --full for long runs, --json for machines.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = "--full", description = "Long runs (1M samples per variant).")
    boolean full;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--scenario", description = "Only this scenario (repeatable).")
    List<String> scenarios = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("guestmem.home", "."));
        Path exe = home.resolve("build/native/native/harness/gm-litmus");
        if (!Files.isExecutable(exe)) {
            throw new IllegalStateException("litmus harness " + exe + " is missing: build it with ./mvnw -DskipTests package");
        }
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), full ? "--full" : "--quick",
                "--table", home.resolve("native/harness/litmus.table").toString()));
        for (String s : scenarios) {
            cmd.add("--scenario");
            cmd.add(s);
        }
        if (json) {
            cmd.add("--json");
        }
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
