package dev.orderflow.storage;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
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

    private static final ObjectWriter SORTED = MAPPER.writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);

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
     * A frame's identity as compact text: its JSON with every object's fields in name order, so that frames equal as
     * trees (whatever the order of their fields) have the same identity, and frames that differ in any field, value or
     * number's scale do not. A key for sets of many frames that need not hold their trees.
     */
    public static String identity(JsonNode frame) {
        try {
            return SORTED.writeValueAsString(frame);
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
