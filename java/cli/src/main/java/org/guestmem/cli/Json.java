package org.guestmem.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes maps, lists, strings, numbers and booleans as JSON: what --json of every verb prints. */
public final class Json {
    private Json() {}

    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, int indent) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Number n when n instanceof Double d && (d.isNaN() || d.isInfinite()) -> b.append("null");
            case Number n -> b.append(n);
            case Boolean z -> b.append(z);
            case Map<?, ?> m -> {
                b.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    var e = it.next();
                    newline(b, indent + 1);
                    string(b, String.valueOf(e.getKey()));
                    b.append(": ");
                    write(b, e.getValue(), indent + 1);
                    if (it.hasNext()) {
                        b.append(',');
                    }
                }
                if (!m.isEmpty()) {
                    newline(b, indent);
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    newline(b, indent + 1);
                    write(b, l.get(i), indent + 1);
                    if (i + 1 < l.size()) {
                        b.append(',');
                    }
                }
                if (!l.isEmpty()) {
                    newline(b, indent);
                }
                b.append(']');
            }
            case Enum<?> e -> string(b, e.name());
            default -> string(b, v.toString());
        }
    }

    private static void newline(StringBuilder b, int indent) {
        b.append('\n').append("  ".repeat(indent));
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
