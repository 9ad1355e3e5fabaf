package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.node.ObjectNode;

@Timeout(60)
class ChunkDictionaryTest {
    @Test
    void shouldBeTheLayoutOfTheFixtureFramesSoThatVersionTwoPayloadsStayReadable() throws IOException {
        byte[] trades = ChunkCodec.layout(fixture("trades.ndjson"));
        byte[] orders = ChunkCodec.layout(fixture("orders.ndjson"));
        byte[] expected = new byte[trades.length + orders.length];
        System.arraycopy(trades, 0, expected, 0, trades.length);
        System.arraycopy(orders, 0, expected, trades.length, orders.length);
        assertArrayEquals(expected, ChunkDictionary.V2, "the encoder no longer builds the frozen dictionary from its "
                + "fixture; keep V2 as it is (stored payloads need it) and add a payload version if a new one is "
                + "wanted. Built now: " + Base64.getEncoder().encodeToString(expected));
    }

    @Test
    void shouldReadBothPayloadVersionsAndMakeSmallChunksSmaller() throws IOException {
        List<CapturedEvent> events = fixture("orders.ndjson");
        byte[] v1 = ChunkCodec.encode(events, 1);
        byte[] v2 = ChunkCodec.encode(events, 2);
        assertEquals(events, ChunkCodec.decode(v1, 1));
        assertEquals(events, ChunkCodec.decode(v2, 2));
        assertTrue(v2.length * 2 < v1.length, "v1 " + v1.length + " bytes, v2 " + v2.length);
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.decode(v2, 1));
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.decode(v1, 3));
    }

    static List<CapturedEvent> fixture(String name) throws IOException {
        List<CapturedEvent> events = new ArrayList<>();
        try (InputStream in = ChunkDictionaryTest.class.getResourceAsStream("/chunk-dictionary/" + name)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                ObjectNode frame = (ObjectNode) Frames.parse(line);
                long micros = Frames.microtimestamp(frame);
                events.add(new CapturedEvent(micros, micros + 1_500, frame));
            }
        }
        return events;
    }
}
