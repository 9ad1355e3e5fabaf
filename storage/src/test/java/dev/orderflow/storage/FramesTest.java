package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.node.ObjectNode;

@Timeout(30)
class FramesTest {

    @Test
    void shouldGiveFramesEqualAsTreesOneIdentityWhateverTheirFieldsOrder() throws Exception {
        String a = "{\"data\":{\"id\":1,\"price\":\"100.10\",\"x\":{\"b\":1,\"a\":2}},\"event\":\"order_created\","
                + "\"channel\":\"live_orders_btcusd\"}";
        String b = "{\"channel\":\"live_orders_btcusd\",\"event\":\"order_created\",\"data\":{\"x\":{\"a\":2,\"b\":1},"
                + "\"price\":\"100.10\",\"id\":1}}";
        assertEquals(Frames.parse(a), Frames.parse(b));
        assertEquals(Frames.identity(Frames.parse(a)), Frames.identity(Frames.parse(b)));
    }

    @Test
    void shouldGiveNumbersEqualInValueOneIdentityAsTreeEqualityDoes() throws Exception {
        // the chunk encoding decodes 0.04500000 beside its "_str" as 0.045: the same event
        ObjectNode received = Frames.parse("{\"data\":{\"amount\":0.04500000,\"amount_str\":\"0.04500000\"}}");
        ObjectNode decoded = Frames.parse("{\"data\":{\"amount\":0.045,\"amount_str\":\"0.04500000\"}}");
        assertEquals(received, decoded);
        assertEquals(Frames.identity(received), Frames.identity(decoded));
        assertEquals(Frames.identity(Frames.parse("{\"x\":[0.0,100]}")),
                Frames.identity(Frames.parse("{\"x\":[0,100.00]}")));
    }

    @Test
    void shouldGiveFramesThatDifferInAFieldAStringOrAValueDifferentIdentities() throws Exception {
        String base = Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":\"7\",\"s\":\"0.50\"}}"));
        assertNotEquals(base, Frames.identity(Frames.parse(
                "{\"data\":{\"amount\":0.51,\"id\":\"7\",\"s\":\"0.50\"}}")));
        assertNotEquals(base, Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":7,\"s\":\"0.50\"}}")));
        assertNotEquals(base, Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":\"7\",\"s\":\"0.5\"}}")));
        assertNotEquals(base, Frames.identity(Frames.parse(
                "{\"data\":{\"amount\":0.50,\"id\":\"7\",\"s\":\"0.50\",\"n\":null}}")));
        assertNotEquals(Frames.identity(Frames.parse("{\"a\":[1,2]}")), Frames.identity(Frames.parse("{\"a\":[2,1]}")));
    }
}
