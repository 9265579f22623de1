package org.guestmem.parity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.commons.lang3.Validate;
import org.guestmem.parity.LitmusScenario.Variant;

/**
 * The litmus scenarios of ORDERING.md, read from {@code native/harness/litmus.table}: the one definition
 * that the C harness ({@code gm-litmus}) reads too. The format is described at the top of that file and in
 * {@code docs/PARITY.md}; this reader enforces the same rules as the C reader ({@code native/harness/table.c}),
 * and a test compares what both read.
 *
 * <p>Modules that run scenarios get the file as the class path resource {@value #RESOURCE} next to this class
 * (the jcstress module copies it there from {@code native/harness}).
 */
public final class LitmusTable {

    /** The class path resource name, relative to this class's package. */
    public static final String RESOURCE = "litmus.table";

    private final String source;
    private final List<LitmusScenario> scenarios;

    LitmusTable(String source, List<LitmusScenario> scenarios) {
        this.source = source;
        this.scenarios = List.copyOf(scenarios);
    }

    /** Parses table text; {@code source} names it in error messages (IllegalArgumentException: "source:line: rule"). */
    public static LitmusTable parse(String text, String source) {
        Validate.notNull(text, "table text is null");
        Validate.notBlank(source, "source name is blank");
        return new LitmusTable(source, new LitmusTableParser(source).parse(text));
    }

    /** Reads and parses the table file. */
    public static LitmusTable load(Path file) throws IOException {
        Validate.notNull(file, "table path is null");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** The table from this class's class loader (see {@link #RESOURCE}). */
    public static LitmusTable fromClasspath() {
        return fromClasspath(LitmusTable.class.getClassLoader());
    }

    /** The table from {@code loader}, as resource {@code org/guestmem/parity/litmus.table}. */
    public static LitmusTable fromClasspath(ClassLoader loader) {
        Validate.notNull(loader, "class loader is null");
        String name = LitmusTable.class.getPackageName().replace('.', '/') + "/" + RESOURCE;
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("class path resource " + name + " not found: it is copied from "
                        + "native/harness/litmus.table by the Maven resources of the module that runs litmus tests");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + name);
        } catch (IOException e) {
            throw new UncheckedIOException("reading class path resource " + name, e);
        }
    }

    /** Where the table came from (a path or {@code classpath:...}). */
    public String source() {
        return source;
    }

    /** The scenarios, in table order. */
    public List<LitmusScenario> scenarios() {
        return scenarios;
    }

    /** The scenario with this ID; IllegalArgumentException names the IDs the table has. */
    public LitmusScenario scenario(String id) {
        return scenarios.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no scenario '" + id + "' in " + source + "; it has "
                        + scenarios.stream().map(LitmusScenario::id).toList()));
    }

    /** One line per variant, "ID VARIANT EXPECT TSAN", as {@code gm-litmus --list} prints them (without the text). */
    public List<String> variantLines() {
        List<String> lines = new ArrayList<>();
        for (LitmusScenario s : scenarios) {
            for (Variant v : s.variants()) {
                lines.add(String.join(" ", s.id(), v.name(), v.expectText(), v.tsan().name().toLowerCase(Locale.ROOT)));
            }
        }
        return lines;
    }
}
