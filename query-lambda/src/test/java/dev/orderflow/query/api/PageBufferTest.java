package dev.orderflow.query.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The size the buffer predicts is the size the body really takes as a JSON string in the Lambda response. */
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
                for (String name : List.of("a", "b", "c")) {
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
}
