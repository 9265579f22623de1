/*
 * Writes Java bindings for native/include/guestmem.h in the shape jextract 22+ generates
 * (header class with NAME$descriptor()/NAME$handle()/NAME$address() and a static wrapper per
 * function, one class per struct with layout(), FIELD$layout(), FIELD$offset(), getters/setters,
 * allocate()), limited to the allow-list bindings/symbols.txt.
 *
 * Used by bindings/regenerate.sh where jextract itself is not installed. Like jextract, it asks the
 * C compiler for every fact it cannot read off the text (constant values, field offsets), so the
 * output agrees with what the compiler sees.
 *
 * Run: java bindings/generator/JextractShape.java <repo root>
 */
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class JextractShape {
    static final String PKG = "org.guestmem.bindings";
    static final String HEADER_CLASS = "guestmem_h";

    record Function(String name, String ret, List<String> args) {}
    record Field(String name, String type, int count, long offset) {}
    record Struct(String name, long size, long align, List<Field> fields) {}

    public static void main(String[] argv) throws Exception {
        Path root = Path.of(argv.length > 0 ? argv[0] : ".");
        Path header = root.resolve("native/include/guestmem.h");
        List<String> structNames = new ArrayList<>(), constants = new ArrayList<>();
        List<Function> functions = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("bindings/symbols.txt"))) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] kv = line.split("\\s+", 3);
            switch (kv[0]) {
                case "struct" -> structNames.add(kv[1]);
                case "constant" -> constants.add(kv[1]);
                case "function" -> {
                    Matcher m = Pattern.compile("(.+?)\\((.*)\\)").matcher(kv[2]);
                    if (!m.matches()) throw new IllegalArgumentException("symbols.txt: " + line);
                    List<String> args = new ArrayList<>();
                    for (String a : m.group(2).split(",")) if (!a.isBlank() && !a.strip().equals("void")) args.add(a.strip());
                    functions.add(new Function(kv[1], m.group(1).strip(), args));
                }
                default -> throw new IllegalArgumentException("symbols.txt: unknown kind in " + line);
            }
        }
        String text = Files.readString(header);
        Map<String, List<String[]>> rawFields = new LinkedHashMap<>();
        for (String s : structNames) rawFields.put(s, parseStruct(text, s));
        Map<String, Long> facts = askCompiler(root, header, constants, rawFields);

        Path out = root.resolve("bindings/src/main/java/" + PKG.replace('.', '/'));
        Files.createDirectories(out);
        Files.writeString(out.resolve(HEADER_CLASS + ".java"), headerClass(functions, constants, facts));
        for (var e : rawFields.entrySet()) {
            List<Field> fields = new ArrayList<>();
            for (String[] f : e.getValue()) {
                fields.add(new Field(f[1], f[0], Integer.parseInt(f[2]), facts.get(e.getKey() + "." + f[1] + ".offset")));
            }
            Struct st = new Struct(e.getKey(), facts.get(e.getKey() + ".sizeof"), facts.get(e.getKey() + ".alignof"), fields);
            Files.writeString(out.resolve(st.name() + ".java"), structClass(st));
        }
    }

    /** Fields of "typedef struct NAME { TYPE field; TYPE field[N]; ... } NAME;" as {type, name, count}. */
    static List<String[]> parseStruct(String text, String name) {
        Matcher m = Pattern.compile("typedef struct " + name + " \\{(.*?)\\} " + name + ";", Pattern.DOTALL).matcher(text);
        if (!m.find()) throw new IllegalArgumentException("guestmem.h: no typedef struct " + name);
        List<String[]> fields = new ArrayList<>();
        for (String decl : m.group(1).replaceAll("/\\*.*?\\*/", "").split(";")) {
            decl = decl.strip();
            if (decl.isEmpty()) continue;
            Matcher f = Pattern.compile("([a-z_0-9 ]+?)\\s*(\\*?)\\s*([a-z_0-9]+)(?:\\[(\\d+)\\])?").matcher(decl);
            if (!f.matches()) throw new IllegalArgumentException("guestmem.h: cannot read field '" + decl + "' of " + name);
            fields.add(new String[] {f.group(1).strip() + f.group(2), f.group(3), f.group(4) == null ? "0" : f.group(4)});
        }
        return fields;
    }

    /** Compiles and runs a probe that prints constants, sizes, alignments and offsets, as jextract learns them from clang. */
    static Map<String, Long> askCompiler(Path root, Path header, List<String> constants, Map<String, List<String[]>> structs)
            throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"guestmem.h\"\nint main(void) {\n");
        for (String k : constants) c.append("  printf(\"%s %lld\\n\", \"").append(k).append("\", (long long)(").append(k).append("));\n");
        for (var e : structs.entrySet()) {
            String s = e.getKey();
            c.append("  printf(\"%s %zu\\n\", \"").append(s).append(".sizeof\", sizeof(").append(s).append("));\n");
            c.append("  printf(\"%s %zu\\n\", \"").append(s).append(".alignof\", _Alignof(").append(s).append("));\n");
            for (String[] f : e.getValue())
                c.append("  printf(\"%s %zu\\n\", \"").append(s).append('.').append(f[1]).append(".offset\", offsetof(").append(s).append(", ").append(f[1]).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path dir = Files.createTempDirectory("jextract-shape");
        Files.writeString(dir.resolve("probe.c"), c);
        run(dir, "cc", "-std=c11", "-I", header.getParent().toAbsolutePath().toString(), "-o", "probe", "probe.c");
        Map<String, Long> facts = new LinkedHashMap<>();
        for (String l : run(dir, dir.resolve("probe").toString()).split("\n")) {
            String[] kv = l.split(" ");
            facts.put(kv[0], Long.parseLong(kv[1]));
        }
        return facts;
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    static String layoutOf(String ctype) {
        if (ctype.endsWith("*")) return HEADER_CLASS + ".C_POINTER";
        return switch (ctype.replace("const ", "")) {
            case "int64_t", "uint64_t" -> HEADER_CLASS + ".C_LONG";
            case "int32_t", "uint32_t" -> HEADER_CLASS + ".C_INT";
            case "int16_t", "uint16_t" -> HEADER_CLASS + ".C_SHORT";
            case "int8_t", "uint8_t", "char" -> HEADER_CLASS + ".C_CHAR";
            default -> throw new IllegalArgumentException("no layout for C type " + ctype);
        };
    }

    static String javaType(String ctype) {
        if (ctype.endsWith("*")) return "MemorySegment";
        return switch (layoutOf(ctype)) {
            case HEADER_CLASS + ".C_LONG" -> "long";
            case HEADER_CLASS + ".C_INT" -> "int";
            case HEADER_CLASS + ".C_SHORT" -> "short";
            default -> "byte";
        };
    }

    static String ofType(String ctype) {
        return switch (javaType(ctype)) {
            case "long" -> "OfLong"; case "int" -> "OfInt"; case "short" -> "OfShort"; case "byte" -> "OfByte";
            default -> "AddressLayout";
        };
    }

    static final String PREAMBLE = "// Generated by bindings/regenerate.sh from native/include/guestmem.h (jextract's shape). DO NOT EDIT.\n\npackage " + PKG + ";\n\n"
            + "import java.lang.foreign.*;\nimport java.lang.invoke.*;\nimport java.util.*;\nimport java.util.function.*;\n\n"
            + "import static java.lang.foreign.MemoryLayout.PathElement.*;\nimport static java.lang.foreign.ValueLayout.*;\n\n";

    static String headerClass(List<Function> functions, List<String> constants, Map<String, Long> facts) {
        StringBuilder b = new StringBuilder(PREAMBLE);
        b.append("@SuppressWarnings({\"unused\", \"restricted\"})\npublic class ").append(HEADER_CLASS).append(" {\n\n");
        b.append("    ").append(HEADER_CLASS).append("() {\n        // Should not be called directly\n    }\n\n");
        b.append("""
                    static final Arena LIBRARY_ARENA = Arena.ofAuto();
                    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

                    static void traceDowncall(String name, Object... args) {
                         String traceArgs = Arrays.stream(args)
                                       .map(Object::toString)
                                       .collect(Collectors.joining(", "));
                         System.out.printf("%s(%s)\\n", name, traceArgs);
                    }

                    static MemorySegment findOrThrow(String symbol) {
                        return SYMBOL_LOOKUP.find(symbol)
                            .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
                    }

                    // The library is loaded with System.load before this class initialises (see the library's native loader).
                    static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()
                            .or(Linker.nativeLinker().defaultLookup());

                    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
                    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
                    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
                    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
                    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
                    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
                    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
                    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
                            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
                    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;

                """);
        for (String k : constants) {
            long v = facts.get(k);
            boolean fitsInt = v >= Integer.MIN_VALUE && v <= 0xffffffffL;
            String t = fitsInt ? "int" : "long";
            String lit = fitsInt ? "(int)" + v + "L" : v + "L";
            b.append("    private static final ").append(t).append(' ').append(k).append(" = ").append(lit).append(";\n\n");
            b.append("    /**\n     * {@snippet lang=c :\n     * #define ").append(k).append(' ').append(v).append("\n     * }\n     */\n");
            b.append("    public static ").append(t).append(' ').append(k).append("() {\n        return ").append(k).append(";\n    }\n\n");
        }
        for (Function f : functions) {
            String n = f.name();
            boolean isVoid = f.ret().equals("void");
            StringBuilder desc = new StringBuilder(isVoid ? "FunctionDescriptor.ofVoid(" : "FunctionDescriptor.of(" + layoutOf(f.ret()));
            for (int i = 0; i < f.args().size(); i++) desc.append(isVoid && i == 0 ? "" : ",").append("\n            ").append(layoutOf(f.args().get(i)));
            desc.append("\n        )");
            StringBuilder params = new StringBuilder(), names = new StringBuilder();
            for (int i = 0; i < f.args().size(); i++) {
                String pn = "x" + i;
                params.append(i == 0 ? "" : ", ").append(javaType(f.args().get(i))).append(' ').append(pn);
                names.append(i == 0 ? "" : ", ").append(pn);
            }
            String jret = isVoid ? "void" : javaType(f.ret());
            b.append("    private static class ").append(n).append(" {\n");
            b.append("        public static final FunctionDescriptor DESC = ").append(desc).append(";\n\n");
            b.append("        public static final MemorySegment ADDR = ").append(HEADER_CLASS).append(".findOrThrow(\"").append(n).append("\");\n\n");
            b.append("        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);\n    }\n\n");
            String sig = f.ret() + " " + n + "(" + String.join(", ", f.args().isEmpty() ? List.of("void") : f.args()) + ")";
            String doc = "    /**\n     * Function descriptor for:\n     * {@snippet lang=c :\n     * " + sig + "\n     * }\n     */\n";
            b.append(doc).append("    public static FunctionDescriptor ").append(n).append("$descriptor() {\n        return ").append(n).append(".DESC;\n    }\n\n");
            b.append(doc.replace("Function descriptor", "Downcall method handle")).append("    public static MethodHandle ").append(n).append("$handle() {\n        return ").append(n).append(".HANDLE;\n    }\n\n");
            b.append(doc.replace("Function descriptor", "Address")).append("    public static MemorySegment ").append(n).append("$address() {\n        return ").append(n).append(".ADDR;\n    }\n\n");
            b.append("    /**\n     * {@snippet lang=c :\n     * ").append(sig).append("\n     * }\n     */\n");
            b.append("    public static ").append(jret).append(' ').append(n).append('(').append(params).append(") {\n");
            b.append("        var mh$ = ").append(n).append(".HANDLE;\n        try {\n");
            b.append("            if (TRACE_DOWNCALLS) {\n                traceDowncall(\"").append(n).append('"').append(names.isEmpty() ? "" : ", " + names).append(");\n            }\n");
            b.append("            ").append(isVoid ? "" : "return (" + jret + ")").append("mh$.invokeExact(").append(names).append(");\n");
            b.append("        } catch (Error | RuntimeException ex) {\n           throw ex;\n        } catch (Throwable ex$) {\n           throw new AssertionError(\"should not reach here\", ex$);\n        }\n    }\n\n");
        }
        b.append("}\n");
        return b.toString().replace("import java.util.function.*;\n", "import java.util.function.*;\nimport java.util.stream.*;\n");
    }

    static String structClass(Struct s) {
        StringBuilder b = new StringBuilder(PREAMBLE);
        b.append("/**\n * {@snippet lang=c :\n * typedef struct ").append(s.name()).append(" {\n");
        for (Field f : s.fields()) b.append(" *     ").append(f.type()).append(' ').append(f.name()).append(f.count() > 0 ? "[" + f.count() + "]" : "").append(";\n");
        b.append(" * } ").append(s.name()).append("\n * }\n */\n");
        b.append("@SuppressWarnings({\"unused\", \"restricted\"})\npublic class ").append(s.name()).append(" {\n\n");
        b.append("    ").append(s.name()).append("() {\n        // Should not be called directly\n    }\n\n");
        b.append("    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(\n");
        long at = 0;
        List<String> elems = new ArrayList<>();
        for (Field f : s.fields()) {
            if (f.offset() > at) elems.add("MemoryLayout.paddingLayout(" + (f.offset() - at) + ")");
            long width = elemSize(f.type());
            if (f.count() > 0) {
                elems.add("MemoryLayout.sequenceLayout(" + f.count() + ", " + layoutOf(f.type()) + ").withName(\"" + f.name() + "\")");
                at = f.offset() + width * f.count();
            } else {
                elems.add(layoutOf(f.type()) + ".withName(\"" + f.name() + "\")");
                at = f.offset() + width;
            }
        }
        if (s.size() > at) elems.add("MemoryLayout.paddingLayout(" + (s.size() - at) + ")");
        b.append("        ").append(String.join(",\n        ", elems)).append("\n    ).withName(\"").append(s.name()).append("\");\n\n");
        b.append("    /**\n     * The layout of this struct\n     */\n    public static final GroupLayout layout() {\n        return $LAYOUT;\n    }\n\n");
        for (Field f : s.fields()) {
            String n = f.name();
            if (f.count() > 0) {
                b.append("    private static final SequenceLayout ").append(n).append("$LAYOUT = (SequenceLayout)$LAYOUT.select(groupElement(\"").append(n).append("\"));\n\n");
                b.append("    public static final SequenceLayout ").append(n).append("$layout() {\n        return ").append(n).append("$LAYOUT;\n    }\n\n");
                b.append("    private static final long ").append(n).append("$OFFSET = ").append(f.offset()).append(";\n\n");
                b.append("    public static final long ").append(n).append("$offset() {\n        return ").append(n).append("$OFFSET;\n    }\n\n");
                b.append("    public static MemorySegment ").append(n).append("(MemorySegment struct) {\n        return struct.asSlice(").append(n).append("$OFFSET, ").append(n).append("$LAYOUT.byteSize());\n    }\n\n");
                b.append("    public static void ").append(n).append("(MemorySegment struct, MemorySegment fieldValue) {\n        MemorySegment.copy(fieldValue, 0L, struct, ").append(n).append("$OFFSET, ").append(n).append("$LAYOUT.byteSize());\n    }\n\n");
                b.append("    private static long[] ").append(n).append("$DIMS = { ").append(f.count()).append(" };\n\n");
                b.append("    public static long[] ").append(n).append("$dimensions() {\n        return ").append(n).append("$DIMS;\n    }\n\n");
                String jt = javaType(f.type());
                b.append("    private static final VarHandle ").append(n).append("$ELEM_HANDLE = ").append(n).append("$LAYOUT.varHandle(sequenceElement());\n\n");
                b.append("    public static ").append(jt).append(' ').append(n).append("(MemorySegment struct, long index0) {\n        return (").append(jt).append(")").append(n).append("$ELEM_HANDLE.get(struct, 0L, index0);\n    }\n\n");
                b.append("    public static void ").append(n).append("(MemorySegment struct, long index0, ").append(jt).append(" fieldValue) {\n        ").append(n).append("$ELEM_HANDLE.set(struct, 0L, index0, fieldValue);\n    }\n\n");
            } else {
                String of = ofType(f.type()), jt = javaType(f.type());
                b.append("    private static final ").append(of).append(' ').append(n).append("$LAYOUT = (").append(of).append(")$LAYOUT.select(groupElement(\"").append(n).append("\"));\n\n");
                b.append("    public static final ").append(of).append(' ').append(n).append("$layout() {\n        return ").append(n).append("$LAYOUT;\n    }\n\n");
                b.append("    private static final long ").append(n).append("$OFFSET = ").append(f.offset()).append(";\n\n");
                b.append("    public static final long ").append(n).append("$offset() {\n        return ").append(n).append("$OFFSET;\n    }\n\n");
                b.append("    public static ").append(jt).append(' ').append(n).append("(MemorySegment struct) {\n        return struct.get(").append(n).append("$LAYOUT, ").append(n).append("$OFFSET);\n    }\n\n");
                b.append("    public static void ").append(n).append("(MemorySegment struct, ").append(jt).append(" fieldValue) {\n        struct.set(").append(n).append("$LAYOUT, ").append(n).append("$OFFSET, fieldValue);\n    }\n\n");
            }
        }
        b.append("""
                    public static MemorySegment asSlice(MemorySegment array, long index) {
                        return array.asSlice(layout().byteSize() * index);
                    }

                    public static long sizeof() { return layout().byteSize(); }

                    public static MemorySegment allocate(SegmentAllocator allocator) {
                        return allocator.allocate(layout());
                    }

                    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
                        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
                    }

                    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
                        return reinterpret(addr, 1, arena, cleanup);
                    }

                    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
                        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
                    }
                }
                """);
        return b.toString();
    }

    static long elemSize(String ctype) {
        return switch (javaType(ctype)) { case "long", "MemorySegment" -> 8; case "int" -> 4; case "short" -> 2; default -> 1; };
    }
}
