package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/** Every fault of /sim/faults, observed by real clients. */
@Timeout(60)
class FaultsTest {
    private static final String ORDERS = "live_orders_btcusd";
    private static Vertx vertx;
    private static Simulator simulator;
    private static SimHttp http;
    private final List<SimClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0));
        http = new SimHttp(simulator.port());
    }

    @AfterAll
    static void stop() {
        simulator.close();
        vertx.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(SimClient::close);
    }

    private SimClient subscribed() throws Exception {
        SimClient c = SimClient.connect(vertx, simulator.port());
        clients.add(c);
        c.subscribe(ORDERS);
        return c;
    }

    private JsonNode ordersStats() throws Exception {
        return http.getJson("/sim/stats").path("channels").path(ORDERS);
    }

    @Test
    void shouldFaultOnlyTheConnectionsOfTheClientNamed() throws Exception {
        SimClient a = SimClient.connect(vertx, simulator.port(), "orderflow-capture (host a)");
        SimClient b = SimClient.connect(vertx, simulator.port(), "orderflow-capture (host b)");
        clients.add(a);
        clients.add(b);
        a.subscribe(ORDERS);
        b.subscribe(ORDERS);

        JsonNode answer = http.postJson("/sim/faults/drop?client=host%20b");

        assertEquals(1, answer.path("connections").asInt(), answer.toString());
        Short status = b.closed.get(5, TimeUnit.SECONDS);
        assertTrue(status == null || status == 1006, "b dropped, got status " + status);
        assertFalse(a.closed.isDone(), "a untouched");
        http.postJson("/sim/emit?pair=btcusd&count=1");
        assertTrue(a.next(5000).contains("order_"), "a still receives");

        http.postJson("/sim/faults/refuse?seconds=30&client=host%20b");
        assertThrows(ExecutionException.class,
                () -> SimClient.connectRaw(vertx, simulator.port(), "orderflow-capture (host b)").get(10,
                        TimeUnit.SECONDS));
        clients.add(SimClient.connect(vertx, simulator.port(), "orderflow-capture (host a)")); // a is not refused
    }

    @Test
    void dropShouldCloseTheSocketWithoutACloseFrame() throws Exception {
        SimClient c = subscribed();
        JsonNode answer = http.postJson("/sim/faults/drop");
        assertEquals("drop", answer.path("fault").asText());
        assertTrue(answer.path("connections").asInt() >= 1);
        Short status = c.closed.get(5, TimeUnit.SECONDS);
        assertTrue(status == null || status == 1006, "no close frame, got status " + status);
        for (int i = 0; i < 100 && http.getJson("/sim/stats").path("connections").asInt() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, http.getJson("/sim/stats").path("connections").asInt());
    }

    @Test
    void silenceShouldWithholdEverythingThenResume() throws Exception {
        SimClient c = subscribed();
        CompletableFuture<Buffer> pong = new CompletableFuture<>();
        c.ws.pongHandler(pong::complete);
        JsonNode before = ordersStats();
        JsonNode answer = http.postJson("/sim/faults/silence?seconds=1");
        assertEquals(1, answer.path("connections").asInt());
        http.postJson("/sim/emit?pair=btcusd&count=5");
        c.send("{\"event\":\"bts:heartbeat\"}");
        c.ws.writePing(Buffer.buffer("are you there"));
        assertNull(c.poll(700), "nothing during the silence");
        assertFalse(pong.isDone(), "no pong during the silence");
        JsonNode during = ordersStats();
        assertEquals(before.path("sent").asLong() + 5, during.path("sent").asLong());
        assertEquals(before.path("delivered").asLong(), during.path("delivered").asLong());
        assertEquals(before.path("withheld").asLong() + 5, during.path("withheld").asLong());

        assertTrue(c.next(3000).contains("bts:heartbeat"), "the request made during the silence is answered after");
        pong.get(3, TimeUnit.SECONDS);
        http.postJson("/sim/emit?pair=btcusd&count=2");
        assertEquals(2, c.collectChannel(ORDERS, 2, 3000).size());
    }

    @Test
    void staleShouldAnswerPingsHeartbeatsAndSubscriptionsButWithholdEventsThenResume() throws Exception {
        SimClient c = subscribed();
        JsonNode before = ordersStats();
        JsonNode answer = http.postJson("/sim/faults/stale?seconds=1.5");
        assertEquals("stale", answer.path("fault").asText());
        assertEquals(1, answer.path("connections").asInt());
        http.postJson("/sim/emit?pair=btcusd&count=5");

        CompletableFuture<Buffer> pong = new CompletableFuture<>();
        c.ws.pongHandler(pong::complete);
        c.ws.writePing(Buffer.buffer("are you there"));
        assertEquals("are you there", pong.get(3, TimeUnit.SECONDS).toString(), "pongs go on");
        c.send("{\"event\":\"bts:heartbeat\"}");
        assertTrue(c.next(3000).contains("bts:heartbeat"), "heartbeats are answered");
        c.subscribe("live_trades_btcusd");
        assertNull(c.poll(300), "no channel event while stale");
        assertFalse(c.closed.isDone());
        JsonNode during = ordersStats();
        assertEquals(before.path("sent").asLong() + 5, during.path("sent").asLong());
        assertEquals(before.path("delivered").asLong(), during.path("delivered").asLong());
        assertEquals(before.path("withheld").asLong() + 5, during.path("withheld").asLong());

        SimClient fresh = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=1");
        assertEquals(1, fresh.collectChannel(ORDERS, 1, 3000).size(), "new connections are normal");
        assertNull(c.poll(100), "the stale one still gets nothing");

        long until = answer.path("until_micros").asLong() / 1000;
        List<String> resumed = new ArrayList<>();
        while (resumed.isEmpty() && System.currentTimeMillis() < until + 3000) {
            http.postJson("/sim/emit?pair=btcusd&count=1");
            String m = c.poll(200);
            if (m != null) {
                resumed.add(m);
            }
        }
        assertFalse(resumed.isEmpty(), "events resume after the stale time");
        assertTrue(System.currentTimeMillis() >= until - 50, "events resume only once the stale time is over");
        assertTrue(resumed.get(0).contains(ORDERS), resumed.get(0));
    }

    @Test
    void requestReconnectShouldWarnThenCloseOnlyTheOldConnections() throws Exception {
        SimClient old = subscribed();
        JsonNode answer = http.postJson("/sim/faults/request-reconnect?seconds=1");
        assertEquals(1.0, answer.path("close_after_seconds").asDouble());
        assertEquals("{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":\"\"}", old.next(3000));
        SimClient fresh = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=3");
        assertEquals(3, old.collectChannel(ORDERS, 3, 3000).size(), "the old connection still works meanwhile");
        assertEquals(3, fresh.collectChannel(ORDERS, 3, 3000).size());
        assertEquals((short) 1000, old.closed.get(5, TimeUnit.SECONDS));
        http.postJson("/sim/emit?pair=btcusd&count=1");
        assertEquals(1, fresh.collectChannel(ORDERS, 1, 3000).size());
        assertFalse(fresh.closed.isDone());
    }

    @Test
    void malformedShouldSendEachKindOfBadFrame() throws Exception {
        SimClient c = subscribed();
        long sentBefore = ordersStats().path("sent").asLong();
        JsonNode answer = http.postJson("/sim/faults/malformed?count=5");
        assertEquals(5, answer.path("count").asInt());
        Map<String, Integer> kinds = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            String frame = c.next(3000);
            JsonNode n = Json.parseOrNull(frame);
            if (n == null) {
                kinds.merge("not json", 1, Integer::sum);
            } else if (frame.length() > 100_000) {
                kinds.merge("huge", 1, Integer::sum);
            } else if (!List.of("order_created", "order_changed", "order_deleted").contains(n.path("event").asText())) {
                kinds.merge("unknown event", 1, Integer::sum);
            } else if (!n.path("data").path("id").isIntegralNumber()) {
                kinds.merge(n.path("data").has("id") ? "wrong types" : "missing fields", 1, Integer::sum);
            }
        }
        assertEquals(Map.of("not json", 1, "huge", 1, "unknown event", 1, "wrong types", 1, "missing fields", 1),
                kinds);
        assertEquals(sentBefore, ordersStats().path("sent").asLong(), "bad frames are not channel events");
        assertTrue(http.getJson("/sim/stats").path("malformed_sent").asLong() >= 5);
    }

    @Test
    void skipShouldBreakTheChainByExactlyTheSkippedEvents() throws Exception {
        SimClient c = subscribed();
        http.postJson("/sim/emit?pair=btcusd&count=2");
        List<String> first = c.collectChannel(ORDERS, 2, 3000);
        JsonNode before = ordersStats();
        http.postJson("/sim/faults/skip?channel=" + ORDERS + "&count=3");
        http.postJson("/sim/emit?pair=btcusd&count=10");
        List<String> after = c.collectChannel(ORDERS, 7, 3000);
        assertNull(c.poll(200));

        JsonNode lastBefore = Json.parseOrNull(first.get(1));
        JsonNode firstAfter = Json.parseOrNull(after.get(0));
        assertNotEquals(lastBefore.path("event_id").asText(), firstAfter.path("pre_event_id").asText());
        JsonNode skipped = http.getJson("/sim/skipped?channel=" + ORDERS);
        assertEquals(3, skipped.path("event_ids").size());
        assertEquals(skipped.path("event_ids").get(2).asText(), firstAfter.path("pre_event_id").asText());
        JsonNode now = ordersStats();
        assertEquals(before.path("skipped").asLong() + 3, now.path("skipped").asLong());
        assertEquals(before.path("generated").asLong() + 10, now.path("generated").asLong());
        assertEquals(before.path("sent").asLong() + 7, now.path("sent").asLong());
        List<String> sent = http.sent(ORDERS);
        assertEquals(after, sent.subList(sent.size() - 7, sent.size()));
        for (JsonNode id : skipped.path("event_ids")) {
            assertTrue(sent.stream().noneMatch(f -> f.contains(id.asText() + "\",\"pre")), "skipped not in sent");
        }
    }

    @Test
    void refuseShouldRejectNewConnectionsForAWhileButKeepRestAndOldConnections() throws Exception {
        SimClient old = subscribed();
        JsonNode answer = http.postJson("/sim/faults/refuse?seconds=1");
        assertEquals("refuse", answer.path("fault").asText());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> SimClient.connectRaw(vertx, simulator.port()).get(5, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("503"), refused.getCause().toString());
        assertTrue(http.getJson("/sim/stats").path("refusing").asBoolean());
        http.postJson("/sim/emit?pair=btcusd&count=1");
        assertEquals(1, old.collectChannel(ORDERS, 1, 3000).size());
        Thread.sleep(1100);
        subscribed();
    }
}
