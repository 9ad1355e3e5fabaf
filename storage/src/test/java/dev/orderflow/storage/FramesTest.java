package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
    void shouldGiveFramesThatDifferInAValueOrAScaleDifferentIdentities() throws Exception {
        String base = Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":\"7\"}}"));
        assertNotEquals(base, Frames.identity(Frames.parse("{\"data\":{\"amount\":0.5,\"id\":\"7\"}}")));
        assertNotEquals(base, Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":7}}")));
        assertNotEquals(base, Frames.identity(Frames.parse("{\"data\":{\"amount\":0.50,\"id\":\"7\",\"n\":null}}")));
    }
}
