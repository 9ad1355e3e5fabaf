package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Json;

/** Same seed, same world: every field but the times. */
@org.junit.jupiter.api.Timeout(600)
class DeterminismTest {

    @Test
    void shouldGenerateTheSameEventsForTheSameSeedAndOthersForAnotherSeed() throws Exception {
        List<String> first = run(7);
        Thread.sleep(20);
        List<String> second = run(7);
        List<String> other = run(8);
        assertEquals(first, second);
        assertNotEquals(first, other);
    }

    /** Initial book, 1,500 order events of each pair and their trades, with time fields removed. */
    private static List<String> run(long seed) throws Exception {
        List<String> out = new ArrayList<>();
        try (Simulator s = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0).withSeed(seed))) {
            SimHttp http = new SimHttp(s.port());
            for (String pair : List.of("btcusd", "ethusd")) {
                JsonNode book = http.getJson("/api/v2/order_book/" + pair + "/?group=2");
                out.add(book.path("bids").toString());
                out.add(book.path("asks").toString());
                http.postJson("/sim/emit?pair=" + pair + "&count=1500");
                for (String channel : List.of("live_orders_" + pair, "live_trades_" + pair)) {
                    for (String line : http.sent(channel)) {
                        out.add(withoutTimes(Json.parseOrNull(line)));
                    }
                }
            }
        }
        return out;
    }

    private static String withoutTimes(JsonNode frame) {
        ObjectNode copy = frame.deepCopy();
        copy.remove(List.of("event_id", "pre_event_id"));
        ((ObjectNode) copy.get("data")).remove(List.of("datetime", "microtimestamp", "timestamp"));
        return copy.toString();
    }
}
