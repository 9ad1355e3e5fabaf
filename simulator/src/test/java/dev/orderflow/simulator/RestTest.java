package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.orderflow.simulator.world.Json;

/** REST endpoints: an L3 book consistent with the stream, L2, trading pairs, transactions, clear errors. */
@org.junit.jupiter.api.Timeout(600)
class RestTest {
    private static Simulator simulator;
    private static SimHttp http;

    @BeforeAll
    static void start() {
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0));
        http = new SimHttp(simulator.port());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    /**
     * The REST book is an exact cut of the stream at its stamp: the book stamped S, with every event stamped after S
     * and up to the next book's stamp applied, is the next book.
     */
    @Test
    void shouldServeAnL3SnapshotThatTheStreamCarriesForward() throws Exception {
        long sentBefore = http.sentCount("live_orders_btcusd");
        JsonNode before = freshBook();
        http.postJson("/sim/emit?pair=btcusd&count=5000");
        long lastEmitted = Json.parseOrNull(http.sent("live_orders_btcusd").get((int) http.sentCount(
                "live_orders_btcusd") - 1)).path("data").path("microtimestamp").asLong();
        Poll.until(java.time.Duration.ofSeconds(10), () -> stamp(freshBook()) >= lastEmitted);
        JsonNode after = freshBook();
        HttpResponse<String> all = http.get("/sim/sent?channel=live_orders_btcusd&from=1");
        assertEquals("1", all.headers().firstValue("X-Sim-First-Seq").orElseThrow());
        List<String> lines = new ArrayList<>();
        for (String line : all.body().split("\n")) {
            long micros = Json.parseOrNull(line).path("data").path("microtimestamp").asLong();
            if (micros > stamp(before) && micros <= stamp(after)) {
                lines.add(line);
            }
        }
        assertTrue(lines.size() >= 5000 && http.sentCount("live_orders_btcusd") >= sentBefore + 5000);
        Map<String, String[]> book = new LinkedHashMap<>();
        for (String side : List.of("bids", "asks")) {
            before.path(side).forEach(r -> book.put(r.get(2).asText(),
                    new String[] {side, r.get(0).asText(), r.get(1).asText()}));
        }
        int applied = 0;
        for (String line : lines) {
            JsonNode f = Json.parseOrNull(line);
            JsonNode d = f.path("data");
            String id = d.path("id_str").asText();
            String side = d.path("order_type").asInt() == 0 ? "bids" : "asks";
            BigDecimal price = new BigDecimal(d.path("price_str").asText());
            boolean rests = new BigDecimal(d.path("amount_str").asText()).signum() > 0 && price.signum() > 0
                    && price.compareTo(new BigDecimal("999999999")) < 0;
            String[] old = book.get(id);
            switch (f.path("event").asText()) {
                case "order_deleted" -> book.remove(id);
                case "order_created", "order_changed" -> {
                    if (!rests) {
                        book.remove(id);
                    } else if (old != null && new BigDecimal(old[1]).compareTo(price) == 0) {
                        old[2] = d.path("amount_str").asText();
                    } else {
                        book.remove(id);
                        book.put(id, new String[] {side, d.path("price_str").asText(), d.path("amount_str").asText()});
                    }
                }
                default -> throw new AssertionError(line);
            }
            applied++;
        }
        assertEquals(lines.size(), applied);
        assertEquals(rows(book, "bids"), after.path("bids").toString());
        assertEquals(rows(book, "asks"), after.path("asks").toString());
        assertTrue(after.path("bids").size() > 100 && after.path("asks").size() > 100);
        assertTrue(Long.parseLong(after.path("microtimestamp").asText()) / 1_000_000
                == Long.parseLong(after.path("timestamp").asText()));
    }

    private static int nonce;

    private static JsonNode freshBook() throws Exception {
        return http.getJson("/api/v2/order_book/btcusd/?group=2&nonce=" + ++nonce);
    }

    private static long stamp(JsonNode book) {
        return Long.parseLong(book.path("microtimestamp").asText());
    }

    /** Rows of one side as the REST book lists them: best price first, queue order within a price. */
    private static String rows(Map<String, String[]> book, String side) {
        List<Map.Entry<String, String[]>> entries = new ArrayList<>(book.entrySet());
        entries.removeIf(e -> !e.getValue()[0].equals(side));
        Comparator<Map.Entry<String, String[]>> byPrice = Comparator.comparing(e -> new BigDecimal(e.getValue()[1]));
        entries.sort(side.equals("bids") ? byPrice.reversed() : byPrice);
        ArrayNode out = Json.MAPPER.createArrayNode();
        entries.forEach(e -> out.addArray().add(e.getValue()[1]).add(e.getValue()[2]).add(e.getKey()));
        return out.toString();
    }

    @Test
    void shouldAggregateTheL2BookFromTheL3Book() throws Exception {
        JsonNode l3 = http.getJson("/api/v2/order_book/ethusd/?group=2");
        JsonNode l2 = http.getJson("/api/v2/order_book/ethusd/");
        JsonNode l0 = http.getJson("/api/v2/order_book/ethusd/?group=0");
        for (String side : List.of("bids", "asks")) {
            Map<BigDecimal, BigDecimal> sums = new LinkedHashMap<>();
            l3.path(side).forEach(r -> sums.merge(new BigDecimal(r.get(0).asText()), new BigDecimal(r.get(1).asText()),
                    BigDecimal::add));
            assertEquals(sums.size(), l2.path(side).size());
            int i = 0;
            for (Map.Entry<BigDecimal, BigDecimal> e : sums.entrySet()) {
                JsonNode row = l2.path(side).get(i++);
                assertEquals(0, e.getKey().compareTo(new BigDecimal(row.get(0).asText())));
                assertEquals(0, e.getValue().compareTo(new BigDecimal(row.get(1).asText())));
                assertTrue(row.get(1).asText().matches("\\d+\\.\\d{6}"), "ETH amounts have 6 decimals: " + row);
            }
            assertEquals(l3.path(side).size(), l0.path(side).size());
            assertEquals(2, l0.path(side).get(0).size());
        }
    }

    @Test
    void shouldListConfiguredPairsInTradingPairsInfo() throws Exception {
        JsonNode info = http.getJson("/api/v2/trading-pairs-info/");
        List<String> symbols = new ArrayList<>();
        info.forEach(p -> symbols.add(p.path("url_symbol").asText()));
        assertEquals(List.of("btcusd", "ethusd"), symbols);
        JsonNode btc = info.get(0);
        assertEquals("BTC/USD", btc.path("name").asText());
        assertEquals(8, btc.path("base_decimals").asInt());
        assertEquals(2, btc.path("counter_decimals").asInt());
        assertEquals("Enabled", btc.path("trading").asText());
        assertEquals("Bitcoin / U.S. dollar", btc.path("description").asText());
    }

    @Test
    void shouldListRecentTradesNewestFirstAsStrings() throws Exception {
        long tradesBefore = http.sentCount("live_trades_ethusd");
        while (http.sentCount("live_trades_ethusd") < tradesBefore + 5) {
            http.postJson("/sim/emit?pair=ethusd&count=200");
        }
        List<String> sent = http.sent("live_trades_ethusd");
        JsonNode newest = Json.parseOrNull(sent.get(sent.size() - 1)).path("data");
        JsonNode rows = http.getJson("/api/v2/transactions/ethusd/?time=minute");
        assertEquals(sent.size(), rows.size());
        JsonNode first = rows.get(0);
        assertEquals(List.of("date", "tid", "price", "type", "amount"), StreamTest.names(first));
        assertEquals(newest.path("id").asText(), first.path("tid").asText());
        assertEquals(newest.path("price_str").asText(), first.path("price").asText());
        assertEquals(newest.path("amount_str").asText(), first.path("amount").asText());
        assertEquals(newest.path("timestamp").asText(), first.path("date").asText());
        first.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), e.getKey()));
    }

    @Test
    void shouldAnswerBadRequestsWithProblemsNamingTheParameter() throws Exception {
        assertProblem(http.get("/api/v2/order_book/btcusd/?group=3"), 400, "group");
        assertProblem(http.get("/api/v2/transactions/btcusd/?time=week"), 400, "time");
        assertProblem(http.get("/api/v2/order_book/nosuch/"), 404, null);
        assertProblem(http.post("/sim/emit?pair=btcusd"), 400, "count");
        assertProblem(http.post("/sim/emit?pair=btcusd&count=0"), 400, "count");
        assertProblem(http.post("/sim/emit?pair=nosuch&count=1"), 400, "pair");
        assertProblem(http.post("/sim/faults/silence"), 400, "seconds");
        assertProblem(http.post("/sim/faults/silence?seconds=-1"), 400, "seconds");
        assertProblem(http.post("/sim/faults/skip?count=1"), 400, "channel");
        assertProblem(http.post("/sim/faults/explode"), 404, null);
        assertProblem(http.get("/sim/emit?pair=btcusd&count=1"), 405, null);
        assertProblem(http.get("/sim/sent"), 400, "channel");
        assertProblem(http.get("/nothing/here"), 404, null);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String parameter) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = Json.parseOrNull(r.body());
        assertEquals(status, body.path("status").asInt());
        assertTrue(body.path("detail").asText().length() > 5);
        if (parameter != null) {
            assertEquals(parameter, body.path("parameter").asText());
        }
    }
}
