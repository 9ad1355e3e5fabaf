package dev.orderflow.dynamodblocal.iam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a DynamoDB request or answer body (JSON) into maps, lists and strings; numbers, {@code true}, {@code false}
 * and {@code null} stay as their text ({@link Literal}). Writes such values back ({@link #write}).
 * Written for the IAM front, which needs only a few names out of each body: this module cannot use the JSON
 * library the applications use without changing the one DynamoDB Local runs with (see the pom).
 */
final class RequestJson {
    private final String text;
    private int at;

    /** A number, {@code true}, {@code false} or {@code null}, as written. */
    record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private RequestJson(String text) {
        this.text = text;
    }

    /** The value of a JSON document; an empty body is an empty object. */
    static Object parse(String text) {
        if (text.isBlank()) {
            return Map.of();
        }
        RequestJson reader = new RequestJson(text);
        Object value = reader.value();
        reader.skipSpace();
        if (reader.at != text.length()) {
            throw reader.error("text after the value");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        if (at >= text.length()) {
            throw error("end of input");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            default -> literal();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> object = new LinkedHashMap<>();
        at++; // {
        skipSpace();
        if (peek() == '}') {
            at++;
            return object;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a member name");
            }
            String name = string();
            skipSpace();
            expect(':');
            object.put(name, value());
            skipSpace();
            char c = next();
            if (c == '}') {
                return object;
            }
            if (c != ',') {
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> array = new ArrayList<>();
        at++; // [
        skipSpace();
        if (peek() == ']') {
            at++;
            return array;
        }
        while (true) {
            array.add(value());
            skipSpace();
            char c = next();
            if (c == ']') {
                return array;
            }
            if (c != ',') {
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        at++; // opening quote
        StringBuilder out = null;
        int start = at;
        while (true) {
            if (at >= text.length()) {
                throw error("the end of a string");
            }
            char c = text.charAt(at);
            if (c == '"') {
                String s = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
                at++;
                return s;
            }
            if (c != '\\') {
                at++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder();
            }
            out.append(text, start, at);
            if (at + 1 >= text.length()) {
                throw error("an escape");
            }
            char escaped = text.charAt(at + 1);
            at += 2;
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> throw error("a known escape");
            }
            start = at;
        }
    }

    /** A number, true, false or null, as its text. */
    private Literal literal() {
        int start = at;
        while (at < text.length() && ",]} \t\r\n".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        if (start == at) {
            throw error("a value");
        }
        return new Literal(text.substring(start, at));
    }

    /** {@code value} (maps, lists, strings, {@link Literal}s) as JSON. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof Literal literal) {
            out.append(literal.text());
        } else {
            writeString(String.valueOf(value), out);
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw error("more input");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("'" + c + "'");
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("malformed JSON: expected " + expected + " at offset " + at);
    }
}
