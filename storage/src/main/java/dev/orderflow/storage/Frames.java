package dev.orderflow.storage;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading Bitstamp frames exactly: numbers become {@link java.math.BigDecimal}/{@code long}/{@link java.math.BigInteger}
 * nodes that keep their value and scale, never {@code double}; every field is kept.
 */
public final class Frames {
    /** The mapper every module uses for frames. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNumberLength(1000).build());
    }

    private Frames() {
    }

    /** Parses one frame; throws {@link IOException} when it is not a JSON object. */
    public static ObjectNode parse(String text) throws IOException {
        return object(MAPPER.readTree(text));
    }

    /** Parses one frame from its UTF-8 bytes (as journaled), without making a String of it first. */
    public static ObjectNode parse(byte[] utf8) throws IOException {
        return object(MAPPER.readTree(utf8));
    }

    private static ObjectNode object(JsonNode node) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException("frame is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** {@code data.microtimestamp} (a string of µs on the wire), or -1 when absent or not a whole number. */
    public static long microtimestamp(JsonNode frame) {
        JsonNode data = frame.get("data");
        if (data == null) {
            return -1;
        }
        JsonNode mt = data.get("microtimestamp");
        if (mt == null || !(mt.isTextual() || mt.isIntegralNumber())) {
            return -1;
        }
        try {
            return Long.parseLong(mt.asText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A frame's identity as compact text, equal for frames equal as trees: its JSON with every object's fields in
     * name order and every number by its value ({@link java.math.BigDecimal#stripTrailingZeros}), as tree equality
     * compares decimals (the chunk encoding keeps a number that equals its {@code _str} sibling as the string, and
     * decodes it without trailing zeros). Frames that differ in a field, a string or a number's value differ. A key
     * for sets of many frames that need not hold their trees.
     */
    public static String identity(JsonNode frame) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writeCanonical(frame, g);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void writeCanonical(JsonNode node, JsonGenerator g) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            g.writeStartObject();
            for (String name : names) {
                g.writeFieldName(name);
                writeCanonical(node.get(name), g);
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode item : node) {
                writeCanonical(item, g);
            }
            g.writeEndArray();
        } else if (node.isNumber()) {
            g.writeNumber(node.decimalValue().stripTrailingZeros().toString());
        } else {
            g.writeTree(node);
        }
    }

    /** Serialises a frame back to JSON text. */
    public static String toJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
