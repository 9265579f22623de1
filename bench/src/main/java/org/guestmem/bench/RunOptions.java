package org.guestmem.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@link BenchRunner}: {@code SUITE [--full] [--json] [--out DIR] [--native-dir DIR]}.
 *
 * @param suite     which suite (only {@code rcu} so far)
 * @param full      JMH with proper forks and iterations, native benchmarks in their --full tier
 * @param json      print the JSON report on stdout instead of the table
 * @param outDir    where rcu-DATE.json and rcu-latest.md go (default: bench/results under guestmem.home)
 * @param nativeDir the CMake build directory (its native/bench/ holds the executables); default:
 *                  -Dguestmem.native.dir, else build/native under guestmem.home
 * @param nativeLib libguestmem.so for the JMH forks; default: -Dguestmem.native.lib, else under nativeDir
 */
public record RunOptions(String suite, boolean full, boolean json, Path outDir, Path nativeDir, Path nativeLib) {
    public static final List<String> SUITES = List.of("rcu");

    public static final String USAGE = "usage: BenchRunner SUITE [--full] [--json] [--out DIR] [--native-dir DIR]"
            + " (suites: " + String.join(", ", SUITES) + ")";

    /** Parses the arguments; IllegalArgumentException naming the argument for anything it does not know. */
    public static RunOptions parse(String... args) {
        String suite = null;
        boolean full = false;
        boolean json = false;
        Path home = Path.of(System.getProperty("guestmem.home", "."));
        Path out = null;
        Path nativeDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--full" -> full = true;
                case "--quick" -> full = false;
                case "--json" -> json = true;
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--native-dir" -> nativeDir = Path.of(value(args, ++i, a));
                default -> {
                    if (a.startsWith("-") || suite != null) {
                        throw new IllegalArgumentException("unknown argument '" + a + "'; " + USAGE);
                    }
                    suite = a;
                }
            }
        }
        if (suite == null) {
            suite = "rcu";
        }
        if (!SUITES.contains(suite)) {
            throw new IllegalArgumentException("unknown suite '" + suite + "': known suites are " + SUITES);
        }
        if (out == null) {
            out = home.resolve("bench/results");
        }
        if (nativeDir == null) {
            String prop = System.getProperty("guestmem.native.dir");
            nativeDir = prop != null && !prop.isBlank() ? Path.of(prop) : home.resolve("build/native");
        }
        String lib = System.getProperty("guestmem.native.lib");
        Path nativeLib = lib != null && !lib.isBlank() ? Path.of(lib) : nativeDir.resolve("native/libguestmem.so");
        return new RunOptions(suite, full, json, out, nativeDir, nativeLib.toAbsolutePath());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value; " + USAGE);
        }
        return args[i];
    }

    /** Where the native benchmark executables are. */
    public Path nativeBenchDir() {
        return nativeDir.resolve("native/bench");
    }
}
