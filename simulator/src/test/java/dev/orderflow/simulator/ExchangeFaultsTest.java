package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;

/**
 * The faults the real exchange shows: an event type the client does not know, in the chain; a
 * {@code bts:request_reconnect} whose next server is ahead of or behind the old one; a REST book older than the
 * stream.
 */
@org.junit.jupiter.api.Timeout(120)
class ExchangeFaultsTest {
    private static final String ORDERS = "live_orders_btcusd";
    private static Vertx vertx;
    private static Simulator simulator;
    private static SimHttp http;
    private final List<SimClient> clients = new ArrayList<>();

    @BeforeAll
    static void startClients() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopClients() {
        vertx.close();
    }

    /** A simulator per test: a fault's effect on later connections must not reach the next test. */
    @BeforeEach
    void start() {
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0));
        http = new SimHttp(simulator.port());
    }

    @AfterEach
    void stop() {
        clients.forEach(SimClient::close);
        simulator.close();
    }

    private SimClient subscribed() throws Exception {
        SimClient c = SimClient.connect(vertx, simulator.port());
        clients.add(c);
        c.subscribe(ORDERS);
        return c;
    }

    private static List<String> ids(List<String> frames) {
        return frames.stream().map(f -> Json.parseOrNull(f).path("event_id").asText()).toList();
    }

    @Test
    void unknownEventShouldKeepItsPlaceInTheChainAndChangeTheTrueBook() throws Exception {
        SimClient c = subscribed();
        JsonNode answer = http.postJson("/sim/faults/unknown-event?channel=" + ORDERS + "&count=2&type=order_replaced");
        assertEquals(2, answer.path("count").asInt());
        http.postJson("/sim/emit?pair=btcusd&count=4");
        List<JsonNode> got = c.collectChannel(ORDERS, 4, 5000).stream().map(Json::parseOrNull).toList();
        assertEquals(List.of("order_replaced", "order_replaced"),
                got.subList(0, 2).stream().map(f -> f.path("event").asText()).toList());
        assertTrue(got.subList(2, 4).stream().noneMatch(f -> f.path("event").asText().equals("order_replaced")));
        for (int i = 1; i < got.size(); i++) {
            assertEquals(got.get(i - 1).path("event_id").asText(), got.get(i).path("pre_event_id").asText());
        }
        List<String> sent = http.sent(ORDERS);
        assertEquals("order_replaced", Json.parseOrNull(sent.get(sent.size() - 4)).path("event").asText(),
                "what was sent is what the client got");
    }

    @Test
    void requestReconnectShouldLandOnAServerAheadOfTheOldOne() throws Exception {
        SimClient old = subscribed();
        http.postJson("/sim/faults/request-reconnect?seconds=30&ahead=5");
        assertEquals("bts:request_reconnect", Json.parseOrNull(old.next(5000)).path("event").asText());
        http.postJson("/sim/emit?pair=btcusd&count=10");
        SimClient fresh = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=3");
        List<String> sent = http.sent(ORDERS);
        List<String> last13 = ids(sent.subList(sent.size() - 13, sent.size()));
        assertEquals(last13.subList(10, 13), ids(fresh.collectChannel(ORDERS, 3, 5000)), "the new server is current");
        assertEquals(last13.subList(0, 8), ids(old.collectChannel(ORDERS, 8, 5000)), "the old one 5 events behind");
        assertNull(old.poll(200), "and owes the last 5");
    }

    @Test
    void requestReconnectShouldLandOnAServerBehindTheOldOne() throws Exception {
        SimClient old = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=10");
        old.collectChannel(ORDERS, 10, 5000);
        http.postJson("/sim/faults/request-reconnect?seconds=30&behind=4");
        assertEquals("bts:request_reconnect", Json.parseOrNull(old.next(5000)).path("event").asText());
        SimClient fresh = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=6");
        List<String> sent = http.sent(ORDERS);
        List<String> last10 = ids(sent.subList(sent.size() - 10, sent.size()));
        assertEquals(last10.subList(4, 10), ids(old.collectChannel(ORDERS, 6, 5000)));
        assertEquals(last10.subList(0, 6), ids(fresh.collectChannel(ORDERS, 6, 5000)),
                "the new server first sends the 4 events the old one sent last");
    }

    @Test
    void bookBehindShouldServeABookOlderThanTheStreamWhateverTheUrl() throws Exception {
        http.postJson("/sim/emit?pair=btcusd&count=5");
        long before = lastEventMicros();
        Poll.until(Duration.ofSeconds(10), () -> stamp("a") >= before);
        http.postJson("/sim/faults/book-behind?seconds=1.5");
        http.postJson("/sim/emit?pair=btcusd&count=5");
        long after = lastEventMicros();
        long held = stamp("b");
        assertTrue(held < after, "the held book misses what the stream sent since");
        Poll.until(Duration.ofSeconds(10), () -> stamp("c") >= after);
    }

    private static long lastEventMicros() throws Exception {
        List<String> sent = http.sent(ORDERS);
        return Json.parseOrNull(sent.get(sent.size() - 1)).path("data").path("microtimestamp").asLong();
    }

    private static long stamp(String prefix) throws Exception {
        return Long.parseLong(http.getJson("/api/v2/order_book/btcusd/?group=2&nonce=" + prefix + System.nanoTime())
                .path("microtimestamp").asText());
    }
}
