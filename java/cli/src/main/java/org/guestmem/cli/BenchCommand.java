package org.guestmem.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code guestmem bench [suite] [--full] [--json]}: the side-by-side benchmarks (Java against C,
 * liburcu and java.util.concurrent peers in the same run). Runs {@code org.guestmem.bench.BenchRunner}
 * from the benchmark jar in a child JVM with the same native-access flags.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the quick side-by-side benchmarks (suite: rcu, ram, scaling, migration, migration-progress or all, the default; --full for proper JMH runs; --json; --out DIR); results go to bench/results/.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SUITE", description = "Which suite: rcu, ram, scaling, migration, migration-progress or all (default: all, quick).")
    String suite = "all";

    @Unmatched
    List<String> passThrough = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("guestmem.home", "."));
        Path jar = home.resolve("bench/target/benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("benchmark jar " + jar + " is missing: build it with ./mvnw -DskipTests package");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dguestmem.native.lib=" + System.getProperty("guestmem.native.lib", ""));
        cmd.add("-Dguestmem.native.dir=" + home.resolve("build/native"));
        cmd.add("-Dguestmem.home=" + home);
        cmd.add("-cp");
        cmd.add(jar.toString());
        cmd.add("org.guestmem.bench.BenchRunner");
        cmd.add(suite);
        cmd.addAll(passThrough);
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
