package org.guestmem.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated bindings agree with what the C compiler sees: every struct layout, field offset,
 * alignment and constant matches the shim's ABI report (gm_abi_entry_at), and every function's
 * descriptor matches the signature in bindings/symbols.txt, which the C build in turn checks
 * against guestmem.h with static assertions. A header change without regeneration fails here.
 */
class BindingParityTest {
    static Map<String, Long> facts;
    static List<String> symbolLines;

    @BeforeAll
    static void loadShim() throws IOException {
        String lib = System.getProperty("guestmem.native.lib");
        assertTrue(lib != null && Files.exists(Path.of(lib)), "the build passes -Dguestmem.native.lib=<libguestmem.so>; got " + lib);
        System.load(lib);
        facts = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = gm_abi_entry.allocate(arena);
            int n = guestmem_h.gm_abi_entry_count();
            for (int i = 0; i < n; i++) {
                assertEquals(0, guestmem_h.gm_abi_entry_at(i, e));
                facts.put(gm_abi_entry.name(e).getString(0), gm_abi_entry.value(e));
            }
            assertTrue(guestmem_h.gm_abi_entry_at(n, e) < 0, "index past the end is refused");
        }
        symbolLines = Files.readAllLines(Path.of("symbols.txt")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void abiVersionMatches() {
        assertEquals(guestmem_h.GM_ABI_VERSION(), guestmem_h.gm_abi_version());
        assertEquals((long) guestmem_h.GM_ABI_VERSION(), facts.get("GM_ABI_VERSION"));
    }

    @Test
    void everyStructFactMatchesTheJavaLayout() throws ReflectiveOperationException {
        int checked = 0;
        for (var fact : facts.entrySet()) {
            String[] parts = fact.getKey().split("\\.");
            if (parts.length < 2) {
                continue; // a constant, checked below
            }
            GroupLayout layout = layoutOf(parts[0]);
            long expected = fact.getValue();
            long actual = switch (parts.length == 2 ? parts[1] : parts[2]) {
                case "sizeof" -> parts.length == 2 ? layout.byteSize() : layout.select(PathElement.groupElement(parts[1])).byteSize();
                case "alignof" -> layout.byteAlignment();
                case "offset" -> layout.byteOffset(PathElement.groupElement(parts[1]));
                default -> throw new AssertionError("unknown ABI fact " + fact.getKey());
            };
            assertEquals(expected, actual, fact.getKey() + ": C compiler says " + expected + ", Java layout says " + actual);
            checked++;
        }
        assertTrue(checked > 10, "checked " + checked + " struct facts");
    }

    @Test
    void everyJavaStructFieldIsCoveredByAFact() throws ReflectiveOperationException {
        for (String line : symbolLines) {
            String[] kv = line.split("\\s+");
            if (!kv[0].equals("struct")) {
                continue;
            }
            assertTrue(facts.containsKey(kv[1] + ".sizeof"), "the shim reports no sizeof for " + kv[1] + ": add it to native/src/abi.c");
            for (MemoryLayout m : layoutOf(kv[1]).memberLayouts()) {
                Optional<String> name = m.name();
                if (name.isPresent()) {
                    assertTrue(facts.containsKey(kv[1] + "." + name.get() + ".offset"),
                            kv[1] + "." + name.get() + " has no offset fact: add GM_OFF(" + kv[1] + ", " + name.get() + ") to native/src/abi.c");
                }
            }
        }
    }

    @Test
    void everyConstantMatchesTheCompiler() throws ReflectiveOperationException {
        for (String line : symbolLines) {
            String[] kv = line.split("\\s+");
            if (!kv[0].equals("constant")) {
                continue;
            }
            Method m = guestmem_h.class.getMethod(kv[1]);
            long javaValue = ((Number) m.invoke(null)).longValue();
            assertEquals(facts.get(kv[1]), javaValue, kv[1] + ": bindings say " + javaValue + ", the compiler " + facts.get(kv[1]));
        }
    }

    @Test
    void everyFunctionDescriptorMatchesItsCSignature() throws ReflectiveOperationException {
        Set<String> listed = new TreeSet<>();
        for (String line : symbolLines) {
            String[] kv = line.split("\\s+", 3);
            if (!kv[0].equals("function")) {
                continue;
            }
            listed.add(kv[1]);
            String sig = kv[2];
            String ret = sig.substring(0, sig.indexOf('(')).strip();
            List<MemoryLayout> args = new ArrayList<>();
            for (String a : sig.substring(sig.indexOf('(') + 1, sig.lastIndexOf(')')).split(",")) {
                if (!a.isBlank() && !a.strip().equals("void")) {
                    args.add(cLayout(a.strip()));
                }
            }
            FunctionDescriptor expected = ret.equals("void")
                    ? FunctionDescriptor.ofVoid(args.toArray(MemoryLayout[]::new))
                    : FunctionDescriptor.of(cLayout(ret), args.toArray(MemoryLayout[]::new));
            FunctionDescriptor actual = (FunctionDescriptor) guestmem_h.class.getMethod(kv[1] + "$descriptor").invoke(null);
            assertEquals(shape(expected), shape(actual), kv[1] + " (" + sig + ")");
            assertTrue(guestmem_h.class.getMethod(kv[1] + "$address").invoke(null) instanceof MemorySegment s && s.address() != 0,
                    kv[1] + " resolves in libguestmem.so");
        }
        Set<String> bound = new TreeSet<>();
        for (Method m : guestmem_h.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getName().endsWith("$descriptor")) {
                bound.add(m.getName().substring(0, m.getName().length() - "$descriptor".length()));
            }
        }
        assertEquals(listed, bound, "bound functions are exactly the allow-list (regenerate with bindings/regenerate.sh)");
    }

    private static GroupLayout layoutOf(String struct) throws ReflectiveOperationException {
        Class<?> c;
        try {
            c = Class.forName("org.guestmem.bindings." + struct);
        } catch (ClassNotFoundException e) {
            fail("the shim reports struct " + struct + " but bindings have no class for it: run bindings/regenerate.sh");
            throw e;
        }
        return (GroupLayout) c.getMethod("layout").invoke(null);
    }

    private static MemoryLayout cLayout(String ctype) {
        if (ctype.endsWith("*")) {
            return ValueLayout.ADDRESS;
        }
        return switch (ctype) {
            case "int64_t", "uint64_t" -> ValueLayout.JAVA_LONG;
            case "int32_t", "uint32_t" -> ValueLayout.JAVA_INT;
            case "int16_t", "uint16_t" -> ValueLayout.JAVA_SHORT;
            case "int8_t", "uint8_t", "char" -> ValueLayout.JAVA_BYTE;
            default -> throw new AssertionError("symbols.txt uses C type " + ctype + " that the test does not know");
        };
    }

    /** Carrier and size of each layout: names and pointer target layouts do not change the call. */
    private static List<String> shape(FunctionDescriptor d) {
        List<String> s = new ArrayList<>();
        s.add(d.returnLayout().map(BindingParityTest::shape).orElse("void"));
        d.argumentLayouts().forEach(l -> s.add(shape(l)));
        return s;
    }

    private static String shape(MemoryLayout l) {
        return l instanceof ValueLayout v ? v.carrier().getSimpleName() + "/" + v.byteSize() : l.getClass().getSimpleName() + "/" + l.byteSize();
    }
}
