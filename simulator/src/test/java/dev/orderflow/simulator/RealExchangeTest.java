package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;

/**
 * The REST side behaves like the exchange by default: books from a cache per URL, behind the stream and stamped with
 * their last change in µs, while events carry whole milliseconds; rate limits answered with {@code 400.002};
 * {@code markets} beside the obsolete {@code trading-pairs-info}; perpetual markets.
 */
@org.junit.jupiter.api.Timeout(120)
class RealExchangeTest {
    private static final AtomicLong NONCE = new AtomicLong();
    private static Simulator simulator;
    private static SimHttp http;

    @BeforeAll
    static void start() {
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                .withPairs(List.of("btcusd", "ethusd", "btcusd-perp")));
        http = new SimHttp(simulator.port());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    private static JsonNode freshBook(String pair) throws Exception {
        return http.getJson("/api/v2/order_book/" + pair + "/?group=2&nonce=" + NONCE.incrementAndGet());
    }

    private static long stamp(JsonNode book) {
        return Long.parseLong(book.path("microtimestamp").asText());
    }

    private static long lastEventMicros(String channel) throws Exception {
        List<String> sent = http.sent(channel);
        return Json.parseOrNull(sent.get(sent.size() - 1)).path("data").path("microtimestamp").asLong();
    }

    @Test
    void shouldModelTheRealExchangeUnlessToldOtherwise() {
        RestModel rest = SimulatorOptions.defaults().rest();
        assertEquals(RestModel.realistic(), rest);
        assertEquals(Duration.ofSeconds(1), rest.bookCache());
        assertTrue(rest.bookDelay().toMillis() > 0 && rest.stampLastChange());
        assertEquals(400, rest.perSecond());
        assertEquals(10_000, rest.perTenMinutes());
    }

    @Test
    void shouldStampEventsInWholeMillisecondsAndTheBookWithItsLastChangeInMicroseconds() throws Exception {
        http.postJson("/sim/emit?pair=ethusd&count=50");
        long last = lastEventMicros("live_orders_ethusd");
        for (String line : http.sent("live_orders_ethusd")) {
            long micros = Json.parseOrNull(line).path("data").path("microtimestamp").asLong();
            assertEquals(0, micros % 1000, line);
        }
        Poll.until(Duration.ofSeconds(10), () -> stamp(freshBook("ethusd")) >= last);
        long stamp = stamp(freshBook("ethusd"));
        assertNotEquals(0, stamp % 1000, "µs digits: " + stamp);
        assertEquals(last / 1000, stamp / 1000, "stamped within the millisecond of its last change");
    }

    @Test
    void shouldServeABookBehindTheStreamThatCatchesUp() throws Exception {
        http.postJson("/sim/emit?pair=btcusd&count=20");
        long last = lastEventMicros("live_orders_btcusd");
        long before = stamp(freshBook("btcusd"));
        assertTrue(before < last, "the book lags the stream: stamp " + before + ", last event " + last);
        Poll.until(Duration.ofSeconds(10), () -> stamp(freshBook("btcusd")) >= last);
    }

    @Test
    void shouldServeTheCachedBodyAgainUntilTheUrlVaries() throws Exception {
        try (Simulator cached = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                .withRest(RestModel.realistic().withBookCache(Duration.ofMinutes(5)).withBookDelay(Duration.ZERO)))) {
            SimHttp client = new SimHttp(cached.port());
            String url = "/api/v2/order_book/btcusd/?group=2";
            String first = client.get(url).body();
            client.postJson("/sim/emit?pair=btcusd&count=20");
            assertEquals(first, client.get(url).body(), "the same URL gets the cached body");
            JsonNode fresh = client.getJson(url + "&nonce=1");
            assertTrue(stamp(fresh) > stamp(Json.parseOrNull(first)), "a nonce gets the book as it is now");
            assertEquals(1, client.getJson("/sim/stats").path("rest_cache_hits").asLong());
        }
    }

    @Test
    void shouldRefuseRequestsOverTheRateLimitWithCode400002() throws Exception {
        try (Simulator limited = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                .withRest(RestModel.realistic().withLimits(5, 8)))) {
            SimHttp client = new SimHttp(limited.port());
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> refused = null;
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> r = client.get("/api/v2/order_book/btcusd/?group=2&nonce=" + i);
                statuses.add(r.statusCode());
                if (r.statusCode() != 200 && refused == null) {
                    refused = r;
                }
            }
            assertTrue(statuses.subList(0, 5).stream().allMatch(s -> s == 200), statuses.toString());
            assertEquals(400, refused.statusCode());
            assertEquals("400.002", Json.parseOrNull(refused.body()).path("code").asText());
            assertTrue(statuses.stream().filter(s -> s == 200).count() <= 8, "at most 8 in ten minutes");
            assertTrue(client.getJson("/sim/stats").path("rest_refused").asLong() >= 4);
        }
    }

    @Test
    void shouldRefuseTheNextRequestsWhenTheRateLimitFaultAsksForIt() throws Exception {
        long refusedBefore = http.getJson("/sim/stats").path("rest_refused").asLong();
        assertEquals(200, http.post("/sim/faults/rate-limit?count=2").statusCode());
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = http.get("/api/v2/order_book/btcusd/?group=2&nonce=" + NONCE.incrementAndGet());
            assertEquals(400, r.statusCode(), "request " + (i + 1) + " after the fault");
            assertEquals("400.002", Json.parseOrNull(r.body()).path("code").asText());
        }
        assertEquals(200, http.get("/api/v2/order_book/btcusd/?group=2&nonce=" + NONCE.incrementAndGet())
                .statusCode(), "the third request is served again");
        assertEquals(refusedBefore + 2, http.getJson("/sim/stats").path("rest_refused").asLong());
    }

    @Test
    void shouldListPerpetualsInMarketsButNotInTheObsoleteTradingPairsInfo() throws Exception {
        List<String> markets = new ArrayList<>();
        List<String> types = new ArrayList<>();
        http.getJson("/api/v2/markets/").forEach(m -> {
            markets.add(m.path("market_symbol").asText());
            types.add(m.path("market_type").asText());
        });
        assertEquals(List.of("btcusd", "ethusd", "btcusd-perp"), markets);
        assertEquals(List.of("SPOT", "SPOT", "PERPETUAL"), types);
        List<String> info = new ArrayList<>();
        http.getJson("/api/v2/trading-pairs-info/").forEach(p -> info.add(p.path("url_symbol").asText()));
        assertEquals(List.of("btcusd", "ethusd"), info);
    }

    @Test
    void shouldStreamPerpetualMarketsWithTradeTimestampsInMilliseconds() throws Exception {
        long before = http.sentCount("live_trades_btcusd-perp");
        for (int i = 0; i < 50 && http.sentCount("live_trades_btcusd-perp") <= before; i++) {
            http.postJson("/sim/emit?pair=btcusd-perp&count=100");
        }
        List<String> trades = http.sent("live_trades_btcusd-perp");
        JsonNode trade = Json.parseOrNull(trades.get(trades.size() - 1)).path("data");
        assertEquals(trade.path("microtimestamp").asLong() / 1000, trade.path("timestamp").asLong());
        assertTrue(freshBook("btcusd-perp").path("bids").size() > 0);
    }
}
