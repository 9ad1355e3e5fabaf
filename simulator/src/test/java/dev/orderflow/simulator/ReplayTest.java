package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;

/** Replay of each recorded format in the shared samples folder (skipped, with the reason, where it is absent). */
@org.junit.jupiter.api.Timeout(600)
class ReplayTest {
    private static Path samples;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        String configured = System.getProperty("samples.dir");
        samples = (configured != null ? Path.of(configured) : Path.of("../../shared/bitstamp-samples"))
                .toAbsolutePath().normalize();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    private static Path sample(String name) {
        Path file = samples.resolve(name);
        assumeTrue(Files.isRegularFile(file), "recorded samples not found: " + file
                + " (set -Dsamples.dir to the bitstamp-samples folder)");
        return file;
    }

    private static Simulator replay(Path file, double speed) {
        return Simulator.start(SimulatorOptions.defaults().withPort(0).withReplay(file).withSpeed(speed));
    }

    private static void awaitDone(SimHttp http) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (http.getJson("/sim/stats").path("replay").path("state").asText().equals("done")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("replay did not finish: " + http.getJson("/sim/stats"));
    }

    @Test
    void shouldReplayCryptofeedFramesVerbatimPerSubscribedChannel() throws Exception {
        Path file = sample("cryptofeed__be4e5c81__BITSTAMP.ws.19.0");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(": ");
            if (colon > 0 && line.substring(0, colon).matches("\\d+\\.\\d+")) {
                String frame = line.substring(colon + 2);
                JsonNode n = Json.parseOrNull(frame);
                if (!n.path("event").asText().startsWith("bts:")) {
                    expected.computeIfAbsent(n.path("channel").asText(), c -> new ArrayList<>()).add(frame);
                }
            }
        }
        assertTrue(expected.containsKey("live_trades_btcusd") && expected.containsKey("diff_order_book_btcusd"));
        try (Simulator s = replay(file, 0); SimClient c = SimClient.connect(vertx, s.port())) {
            SimHttp http = new SimHttp(s.port());
            c.subscribe("live_trades_btcusd");
            c.subscribe("diff_order_book_btcusd");
            awaitDone(http);
            int total = expected.get("live_trades_btcusd").size() + expected.get("diff_order_book_btcusd").size();
            List<String> received = c.collect(l -> l.size() >= total, 5000);
            Thread.sleep(100);
            assertTrue(c.messages.isEmpty(), "only the subscribed channels");
            for (String channel : List.of("live_trades_btcusd", "diff_order_book_btcusd")) {
                assertEquals(expected.get(channel), received.stream()
                        .filter(f -> Json.parseOrNull(f).path("channel").asText().equals(channel)).toList());
            }
            JsonNode stats = http.getJson("/sim/stats");
            assertEquals("cryptofeed", stats.path("replay").path("format").asText());
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                assertEquals(e.getValue().size(), stats.path("channels").path(e.getKey()).path("sent").asInt(),
                        e.getKey());
            }
        }
    }

    @Test
    void shouldServeRecordedRestBodiesVerbatim() throws Exception {
        Path file = sample("cryptofeed__7136ce8d__BITSTAMP-b88f8b.0");
        String recordedBook = Files.readAllLines(file).stream()
                .filter(l -> l.startsWith("https://www.bitstamp.net/api/v2/order_book/xlmeur "))
                .map(l -> l.substring(l.indexOf(": ") + 2)).findFirst().orElseThrow();
        try (Simulator s = replay(file, 0)) {
            SimHttp http = new SimHttp(s.port());
            assertEquals(recordedBook, http.get("/api/v2/order_book/xlmeur/").body());
            assertEquals(200, http.get("/api/v2/order_book/xlmeur/?group=2").statusCode());
        }
        Path pairsFile = sample("cryptofeed__57d73e85__BITSTAMP.0");
        String recordedPairs = Files.readAllLines(pairsFile).stream().filter(l -> l.contains("trading-pairs-info"))
                .map(l -> l.substring(l.indexOf(": ") + 2)).findFirst().orElseThrow();
        try (Simulator s = replay(pairsFile, 0)) {
            assertEquals(recordedPairs, new SimHttp(s.port()).get("/api/v2/trading-pairs-info/").body());
        }
    }

    @Test
    void shouldReplayRawFrameLinesAtTheRecordedPaceTimesSpeed() throws Exception {
        Path file = sample("Trading-Engine__bitstamp_live_orders_sample.jsonl");
        List<String> frames = Files.readAllLines(file).stream().filter(l -> l.contains("\"order_")).toList();
        assertEquals(4, frames.size());
        long span = Json.parseOrNull(frames.get(3)).path("data").path("microtimestamp").asLong()
                - Json.parseOrNull(frames.get(0)).path("data").path("microtimestamp").asLong();
        try (Simulator s = replay(file, 10); SimClient c = SimClient.connect(vertx, s.port())) {
            c.subscribe("live_orders_btcusd");
            String first = c.next(5000);
            long t0 = System.nanoTime();
            List<String> rest = c.collect(l -> l.size() == 3, 5000);
            long elapsedMicros = (System.nanoTime() - t0) / 1000;
            assertEquals(frames.get(0), first);
            assertEquals(frames.subList(1, 4), rest);
            assertTrue(elapsedMicros > span / 10 * 0.8 && elapsedMicros < span / 10 * 2,
                    "took " + elapsedMicros + " µs for " + span + " µs at speed 10");
            JsonNode book = new SimHttp(s.port()).getJson("/sim/book?pair=btcusd");
            List<String> ids = new ArrayList<>();
            book.path("bids").forEach(r -> ids.add(r.get(2).asText()));
            book.path("asks").forEach(r -> ids.add(r.get(2).asText()));
            assertEquals(List.of("2037493298597888", "2037472560562176", "2037493298733058"), ids);
            long lastMicros = Json.parseOrNull(frames.get(3)).path("data").path("microtimestamp").asLong();
            JsonNode restBook = new SimHttp(s.port()).getJson("/api/v2/order_book/btcusd/?group=2");
            assertTrue(restBook.path("microtimestamp").asLong() < lastMicros, "the REST book lags the replayed stream");
        }
    }

    @Test
    void shouldReemitThe2015LogAsV2FramesWithChains() throws Exception {
        Path file = sample("ob-analytics__2015-05-01.log.xz");
        Map<String, Integer> counts = new LinkedHashMap<>();
        String firstOrderLine = null;
        String lastBookLine = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new XZInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String event = line.split(" ", 3)[1];
                counts.merge(event, 1, Integer::sum);
                if (firstOrderLine == null && event.startsWith("order_") && !event.equals("order_book")) {
                    firstOrderLine = line;
                }
                if (event.equals("order_book")) {
                    lastBookLine = line;
                }
            }
        }
        int orders = counts.get("order_created") + counts.get("order_changed") + counts.get("order_deleted");
        try (Simulator s = replay(file, 0); SimClient c = SimClient.connect(vertx, s.port())) {
            SimHttp http = new SimHttp(s.port());
            c.subscribe("live_orders_btcusd");
            c.subscribe("live_trades_btcusd");
            awaitDone(http);
            List<String> received = c.collect(l -> l.size() >= orders + counts.get("trade"), 20_000);
            List<JsonNode> orderFrames = new ArrayList<>();
            Map<String, JsonNode> trades = new LinkedHashMap<>();
            for (String f : received) {
                JsonNode n = Json.parseOrNull(f);
                if (n.path("channel").asText().equals("live_orders_btcusd")) {
                    orderFrames.add(n);
                } else {
                    trades.put(n.path("data").path("id").asText(), n.path("data"));
                }
            }
            assertEquals(orders, orderFrames.size());
            assertEquals(counts.get("trade"), trades.size());
            for (int i = 0; i < orderFrames.size(); i++) {
                JsonNode f = orderFrames.get(i);
                assertEquals(List.of("data", "channel", "event", "event_id", "pre_event_id", "order_source"),
                        StreamTest.names(f));
                assertEquals(13, f.path("data").size());
                if (i > 0) {
                    assertEquals(orderFrames.get(i - 1).path("event_id").asText(), f.path("pre_event_id").asText());
                }
            }
            String[] first = firstOrderLine.split(" ", 3);
            JsonNode firstLog = Json.parseOrNull(first[2]);
            JsonNode firstData = orderFrames.get(0).path("data");
            assertEquals(first[0] + "000", firstData.path("microtimestamp").asText());
            assertEquals(firstLog.path("amount").asText(), firstData.path("amount_str").asText());
            assertEquals(firstLog.path("price").asText(), firstData.path("price_str").asText());
            assertEquals(firstLog.path("id").asText(), firstData.path("id_str").asText());

            JsonNode sweep = trades.get("8111042");
            assertEquals("1.78855669", sweep.path("amount_str").asText(), "float artefact removed");
            assertEquals(65595247L, sweep.path("buy_order_id").asLong());
            assertEquals(65595250L, sweep.path("sell_order_id").asLong());
            assertEquals(1, sweep.path("type").asInt(), "the newer sell order took liquidity");
            assertFalse(trades.values().stream().anyMatch(t -> t.path("amount_str").asText().length() > 20));

            JsonNode recordedBook = Json.parseOrNull(lastBookLine.split(" ", 3)[2]);
            JsonNode served = http.getJson("/api/v2/order_book/btcusd/");
            assertEquals(recordedBook.path("bids"), served.path("bids"));
            assertEquals(lastBookLine.split(" ")[0] + "000", served.path("microtimestamp").asText());
        }
    }
}
