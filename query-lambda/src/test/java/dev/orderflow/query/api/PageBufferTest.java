package dev.orderflow.query.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The size the buffer predicts is the size the body really takes as a JSON string in the Lambda response. */
@org.junit.jupiter.api.Timeout(600)
class PageBufferTest {
    private static final ObjectMapper LAMBDA_SERIALIZER = new ObjectMapper();

    @Test
    void shouldPredictTheEscapedSizeOfRowsInEveryFormat() throws Exception {
        Random random = new Random(6);
        String alphabet = "abc\"\\\n\r\t\u0001\u001f/ü€日,;'{}[]: 0123456789";
        for (int round = 0; round < 200; round++) {
            PageBuffer buffer = new PageBuffer(64);
            RowWriter rows = switch (round % 3) {
                case 0 -> RowWriter.ndjson(buffer);
                case 1 -> RowWriter.csv(buffer, List.of("a", "b"), "extra");
                default -> RowWriter.csv(buffer, List.of("a"), null);
            };
            for (int r = 0; r < 5; r++) {
                rows.startRow();
                for (String name : List.of("a", "b", "c\"\\\n")) {
                    StringBuilder value = new StringBuilder();
                    for (int i = random.nextInt(30); i > 0; i--) {
                        value.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    rows.string(name, value.toString());
                }
                rows.number("n", random.nextLong());
                rows.endRow();
            }
            rows.finish();
            String body = buffer.toString(StandardCharsets.UTF_8);
            int escaped = LAMBDA_SERIALIZER.writeValueAsBytes(body).length - 2; // without the enclosing quotes
            assertEquals(escaped, buffer.escapedSize(), body);
        }
    }

    @Test
    void shouldForgetATakenBackRow() {
        PageBuffer buffer = new PageBuffer(64);
        RowWriter rows = RowWriter.ndjson(buffer);
        rows.startRow();
        rows.string("a", "x");
        rows.endRow();
        long size = buffer.escapedSize();
        rows.startRow();
        rows.string("a", "\"quoted\"");
        rows.endRow();
        rows.dropRow();
        assertEquals(size, buffer.escapedSize());
        assertEquals("{\"a\":\"x\"}\n", buffer.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteJsonRowsAsJacksonWritesThem() throws Exception {
        Random random = new Random(9);
        String alphabet = "abc\"\\\n\r\t\b\f\u0000\u0001\u001f\u007f/ü€日\ud83d\ude00,;'{}[]: 0123456789";
        for (int round = 0; round < 300; round++) {
            PageBuffer buffer = new PageBuffer(16);
            RowWriter rows = RowWriter.ndjson(buffer);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            com.fasterxml.jackson.core.JsonGenerator json = dev.orderflow.storage.Frames.MAPPER.getFactory()
                    .createGenerator(expected);
            json.setRootValueSeparator(null);
            for (int r = 0; r < 3; r++) {
                rows.startRow();
                json.writeStartObject();
                for (int f = 0; f < 6; f++) {
                    StringBuilder text = new StringBuilder();
                    for (int i = random.nextInt(40); i > 0; i--) {
                        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    String name = f % 2 == 0 ? "f" + f : text + "#" + f;
                    switch (random.nextInt(5)) {
                        case 0 -> {
                            long n = random.nextLong() >> random.nextInt(64);
                            rows.number(name, n);
                            json.writeNumberField(name, n);
                        }
                        case 1 -> {
                            rows.bool(name, f % 3 == 0);
                            json.writeBooleanField(name, f % 3 == 0);
                        }
                        case 2 -> {
                            rows.nul(name);
                            json.writeNullField(name);
                        }
                        case 3 -> {
                            com.fasterxml.jackson.databind.JsonNode tree = dev.orderflow.storage.Frames.parse(
                                    "{\"a\":[1,\"x\\\"y\",0.10,null,{\"b\":true}]}");
                            rows.tree(name, tree);
                            json.writeFieldName(name);
                            json.writeTree(tree);
                        }
                        default -> {
                            rows.string(name, text.toString());
                            json.writeStringField(name, text.toString());
                        }
                    }
                }
                rows.endRow();
                json.writeEndObject();
                json.writeRaw('\n');
            }
            rows.finish();
            json.close();
            String body = buffer.toString(StandardCharsets.UTF_8);
            assertEquals(expected.toString(StandardCharsets.UTF_8), body);
            int escaped = LAMBDA_SERIALIZER.writeValueAsBytes(body).length - 2;
            assertEquals(escaped, buffer.escapedSize(), body);
        }
    }
}
