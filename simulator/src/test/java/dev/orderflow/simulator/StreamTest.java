package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;

/** The synthetic live_orders / live_trades streams: shape, chains, counts, realism. */
@org.junit.jupiter.api.Timeout(600)
class StreamTest {
    private static final List<String> ORDER_FIELDS = List.of("data", "channel", "event", "event_id", "pre_event_id",
            "order_source");
    private static final List<String> ORDER_DATA_FIELDS = List.of("id", "id_str", "order_type", "order_subtype",
            "datetime", "microtimestamp", "amount", "amount_str", "amount_traded", "amount_at_create", "price",
            "price_str", "is_liquidation");
    private static final List<String> TRADE_DATA_FIELDS = List.of("id", "timestamp", "amount", "amount_str", "price",
            "price_str", "type", "microtimestamp", "buy_order_id", "sell_order_id");

    private static Vertx vertx;
    private static Simulator simulator;
    private static SimHttp http;

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

    @Test
    void shouldEmitExactCountsSeenInStatsSentAndOnTheWire() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            c.subscribe("live_orders_ethusd");
            c.subscribe("live_trades_ethusd");
            long before = http.sentCount("live_orders_ethusd");
            long tradesBefore = http.sentCount("live_trades_ethusd");
            JsonNode answer = http.postJson("/sim/emit?pair=ethusd&count=700");
            assertEquals(700, answer.path("count").asInt());
            int byEvent = 0;
            for (Iterator<JsonNode> it = answer.path("events").elements(); it.hasNext(); ) {
                byEvent += it.next().asInt();
            }
            assertEquals(700, byEvent);
            long trades = answer.path("trades").asLong();
            assertEquals(before + 700, http.sentCount("live_orders_ethusd"));
            assertEquals(tradesBefore + trades, http.sentCount("live_trades_ethusd"));

            List<String> sentOrders = http.sent("live_orders_ethusd");
            List<String> received = c.collectChannel("live_orders_ethusd", 700, 10_000);
            assertEquals(sentOrders.subList(sentOrders.size() - 700, sentOrders.size()), received);
            JsonNode stats = http.getJson("/sim/stats").path("channels").path("live_orders_ethusd");
            assertEquals(Json.parseOrNull(received.get(699)).path("event_id").asText(),
                    stats.path("last_event_id").asText());
            assertEquals(answer.path("last_event_id").asText(), stats.path("last_event_id").asText());
            assertEquals(stats.path("sent").asLong(), stats.path("delivered").asLong());
        }
    }

    @Test
    void shouldChainEventIdsAndCarryTheMicrotimestampInThem() throws Exception {
        http.postJson("/sim/emit?pair=btcusd&count=3000");
        List<JsonNode> frames = parse(http.sent("live_orders_btcusd"));
        assertTrue(frames.size() >= 3000);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < frames.size(); i++) {
            JsonNode f = frames.get(i);
            String eventId = f.path("event_id").asText();
            assertTrue(eventId.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), eventId);
            assertTrue(ids.add(eventId), "duplicate " + eventId);
            long micros = Long.parseLong(f.path("data").path("microtimestamp").asText());
            assertEquals(0, micros % 1000, "whole milliseconds");
            assertEquals(micros, Long.parseUnsignedLong(eventId.substring(0, 18).replace("-", ""), 16));
            if (i > 0) {
                assertEquals(frames.get(i - 1).path("event_id").asText(), f.path("pre_event_id").asText());
                assertTrue(micros >= Long.parseLong(frames.get(i - 1).path("data").path("microtimestamp").asText()));
            }
        }
    }

    @Test
    void shouldCarryEveryRealFieldInTheRealOrderWithExactNumbers() throws Exception {
        http.postJson("/sim/emit?pair=btcusd&count=2000");
        for (JsonNode f : parse(http.sent("live_orders_btcusd"))) {
            assertEquals(ORDER_FIELDS, names(f));
            JsonNode d = f.path("data");
            assertEquals(ORDER_DATA_FIELDS, names(d));
            assertEquals("orderbook", f.path("order_source").asText());
            assertEquals(d.path("id").asText(), d.path("id_str").asText());
            assertTrue(d.path("id").isIntegralNumber());
            assertEquals(f.path("channel").asText(), "live_orders_btcusd");
            assertTrue(d.path("price_str").asText().matches("\\d+\\.\\d{2}"), d.toString());
            assertTrue(d.path("amount_str").asText().matches("0|\\d+\\.\\d{8}"), d.toString());
            assertTrue(d.path("amount_traded").asText().matches("0|\\d+\\.\\d{8}"), d.toString());
            assertTrue(d.path("amount_at_create").asText().matches("0|\\d+\\.\\d{8}"), d.toString());
            assertEquals(0, d.path("price").decimalValue().compareTo(new BigDecimal(d.path("price_str").asText())));
            assertEquals(0, d.path("amount").decimalValue().compareTo(new BigDecimal(d.path("amount_str").asText())));
            assertFalse(d.path("price").decimalValue().toPlainString().endsWith(".0"), "no padding in numbers");
            assertTrue(d.path("datetime").isTextual() && d.path("microtimestamp").isTextual());
            assertFalse(d.path("is_liquidation").asBoolean(true));
        }
        for (JsonNode t : parse(http.sent("live_trades_btcusd"))) {
            assertEquals(List.of("data", "channel", "event"), names(t));
            assertEquals(TRADE_DATA_FIELDS, names(t.path("data")));
            assertEquals("trade", t.path("event").asText());
        }
    }

    @Test
    void shouldLookLikeARealMarket() throws Exception {
        JsonNode snapshot = http.getJson("/api/v2/order_book/btcusd/?group=2");
        Set<String> known = new HashSet<>();
        snapshot.path("bids").forEach(r -> known.add(r.get(2).asText()));
        snapshot.path("asks").forEach(r -> known.add(r.get(2).asText()));
        long ordersBefore = http.sentCount("live_orders_btcusd");
        long tradesBefore = http.sentCount("live_trades_btcusd");
        http.postJson("/sim/emit?pair=btcusd&count=20000");
        List<JsonNode> orders = parse(http.sent("live_orders_btcusd")).subList((int) ordersBefore,
                (int) ordersBefore + 20000);
        List<JsonNode> trades = parse(http.sent("live_trades_btcusd"));
        trades = trades.subList((int) tradesBefore, trades.size());

        Map<String, Integer> counts = new HashMap<>();
        Set<Integer> subtypes = new HashSet<>();
        int fills = 0;
        int marketOrders = 0;
        Map<String, JsonNode> marketCreated = new HashMap<>();
        for (JsonNode f : orders) {
            String event = f.path("event").asText();
            JsonNode d = f.path("data");
            counts.merge(event, 1, Integer::sum);
            subtypes.add(d.path("order_subtype").asInt());
            known.add(d.path("id_str").asText());
            BigDecimal price = new BigDecimal(d.path("price_str").asText());
            boolean marketPrice = price.compareTo(new BigDecimal("999999999")) == 0 || price.signum() == 0;
            if (event.equals("order_created") && marketPrice) {
                assertEquals(0, new BigDecimal(d.path("amount_str").asText()).signum());
                assertEquals(d.path("order_type").asInt() == 0, price.signum() > 0, "buy at 999999999, sell at 0");
                marketCreated.put(d.path("id_str").asText(), d);
            } else if (event.equals("order_deleted") && marketCreated.remove(d.path("id_str").asText()) != null) {
                marketOrders++;
                assertFalse(marketPrice, "a market order is deleted at the real price");
            } else if (event.equals("order_deleted") && new BigDecimal(d.path("amount_traded").asText()).signum() > 0) {
                fills++;
            }
        }
        int created = counts.get("order_created");
        int deleted = counts.get("order_deleted");
        int changed = counts.getOrDefault("order_changed", 0);
        assertTrue(Math.abs(created - deleted) < 0.05 * created, counts.toString());
        assertTrue(changed > 0.002 * orders.size() && changed < 0.03 * orders.size(), counts.toString());
        assertTrue(fills > 50, "fills " + fills);
        assertTrue(marketOrders > 20, "market orders " + marketOrders);
        assertTrue(subtypes.size() >= 3, subtypes.toString());
        assertTrue(trades.size() > 100, "trades " + trades.size());
        for (JsonNode t : trades) {
            JsonNode d = t.path("data");
            assertTrue(known.contains(d.path("buy_order_id").asText()), "unknown buy order in " + t);
            assertTrue(known.contains(d.path("sell_order_id").asText()), "unknown sell order in " + t);
        }
        JsonNode book = http.getJson("/api/v2/order_book/btcusd/");
        BigDecimal bid = new BigDecimal(book.path("bids").get(0).get(0).asText());
        BigDecimal ask = new BigDecimal(book.path("asks").get(0).get(0).asText());
        assertTrue(bid.compareTo(ask) < 0, "crossed book " + bid + " / " + ask);
        assertTrue(ask.subtract(bid).compareTo(bid.movePointLeft(2)) < 0, "spread under 1%: " + bid + " / " + ask);
    }

    @Test
    void shouldGenerateAtTheConfiguredRate() throws Exception {
        try (Simulator s = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(200)
                .withPairs(List.of("btcusd")))) {
            SimHttp h = new SimHttp(s.port());
            long t0 = System.nanoTime();
            long n0 = h.sentCount("live_orders_btcusd");
            Thread.sleep(1500);
            long n1 = h.sentCount("live_orders_btcusd");
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (n1 - n0) / seconds;
            assertTrue(rate > 120 && rate < 280, "rate " + rate);
            h.postJson("/sim/pause");
            Thread.sleep(50);
            long paused = h.sentCount("live_orders_btcusd");
            Thread.sleep(300);
            assertEquals(paused, h.sentCount("live_orders_btcusd"));
            assertTrue(h.getJson("/sim/stats").path("paused").asBoolean());
            h.postJson("/sim/resume");
            Thread.sleep(300);
            assertTrue(h.sentCount("live_orders_btcusd") > paused);
        }
    }

    static List<JsonNode> parse(List<String> lines) {
        List<JsonNode> out = new ArrayList<>();
        lines.forEach(l -> out.add(Json.parseOrNull(l)));
        return out;
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
