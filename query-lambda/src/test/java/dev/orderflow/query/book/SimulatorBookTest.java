package dev.orderflow.query.book;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.book.OrderBook;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.book.Certifier;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.book.Verdict;
import io.quarkus.logging.Log;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The proof: the simulator knows its true book. The world is stopped at chosen instants (after creates, partial
 * and full fills, market orders and cancels, after a fresh snapshot, after an injected {@code skip}); at each the
 * simulator's own true L3 ({@code /sim/book?group=2}) and L2 ({@code group=1}) books are read. The snapshots come
 * from its REST book, which behaves like the exchange's (cached, behind the stream, stamped with its last change). Everything the simulator sent is
 * then stored as the capture would (snapshots, chunks, the chain break the skip causes, the catalog), and
 * {@code /v1/book?at=} must equal the true book order by order and level by level wherever coverage is complete, and
 * say {@code complete:false} where the skip lies between its snapshot and the instant.
 */
@QuarkusTest
@WithTestResource(value = BookTable.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class SimulatorBookTest {
    private static final String PAIR = "btcusd";
    private static final String CHANNEL = "live_orders_btcusd";

    /** Fixtures are written past the app's IAM front: the query function may not write. */
    private final DynamoDbClient db = LocalTables.direct();

    private final HttpClient http = HttpClient.newHttpClient();
    private Simulator simulator;

    /** A moment at which the true book was read, and the snapshot a rebuild there must start from. */
    private record Instant(long micros, JsonNode l3, JsonNode l2, long snapshotMicros, boolean complete) {
    }

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldServeTheSimulatorsTrueBookWhereCoverageIsCompleteAndSayWhereItIsNot() throws Exception {
        List<Instant> instants = new ArrayList<>();
        List<SnapshotRecord> snapshots = new ArrayList<>();
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                .withPairs(List.of(PAIR)).withSeed(11));
        try {
            emit(200); // history before the first snapshot, stored too
            snapshots.add(snapshot("connect"));
            for (int step = 0; step < 4; step++) {
                emit(250);
                instants.add(instant(snapshots.get(0), true));
            }
            snapshots.add(snapshot("periodic"));
            for (int step = 0; step < 2; step++) {
                emit(250);
                instants.add(instant(snapshots.get(1), true));
            }
            emit(5);
            post("/sim/faults/skip?channel=" + CHANNEL + "&count=3");
            emit(100);
            instants.add(instant(snapshots.get(1), false));
            snapshots.add(snapshot("connect"));
            for (int step = 0; step < 4; step++) {
                emit(step == 0 ? 1 : 60); // just after the connect snapshot, then on
                instants.add(instant(snapshots.get(2), true));
            }

            List<ObjectNode> sent = sent();
            assertEveryKindOfEventIsCovered(sent, instants.get(5).micros());
            store(sent, snapshots);
        } finally {
            simulator.close();
        }
        long last = instants.get(instants.size() - 1).micros();
        List<SnapshotMeta> checked = new Certifier(db, BookTable.TABLE, SnapshotAlignment.DEFAULT,
                Duration.ofHours(6)).certifyPending(PAIR, 0, last + 1_000_000L, last);
        assertEquals(List.of("not_checked", "certified", "contradicted"),
                checked.stream().map(m -> m.verdict().status().apiName()).toList(),
                "the periodic snapshot certifies the first stretch; the skip's lost events contradict the second");
        Verdict broken = checked.get(2).verdict();
        assertTrue(broken.missing() + broken.extra() + broken.differing() > 0, broken.toString());

        for (Instant at : instants) {
            JsonNode l3 = json(Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(at.micros()), "level", 3)));
            JsonNode coverage = l3.get("coverage");
            assertEquals(at.snapshotMicros(), coverage.get("snapshot").get("microtimestamp").longValue());
            String certification = at.snapshotMicros() == snapshots.get(0).microtimestamp() ? "certified"
                    : at.snapshotMicros() == snapshots.get(1).microtimestamp() ? "contradicted" : "not_checked";
            assertEquals(certification, coverage.get("certification").get("status").asText(), coverage.toString());
            // complete: no gap and not contradicted; the whole stretch the skip lies in is contradicted
            boolean contradicted = certification.equals("contradicted");
            assertEquals(at.complete() && !contradicted, coverage.get("complete").booleanValue(),
                    coverage.toString());
            List<String> reasons = new ArrayList<>(at.complete() ? List.of() : List.of("gaps"));
            if (contradicted) {
                reasons.add("contradicted");
            }
            assertEquals(reasons, Api.list(coverage.get("reasons")).stream().map(JsonNode::asText).toList());
            if (!at.complete()) {
                Log.infof("Book after the skip differs from the truth in %d orders", differences(at, l3));
                continue;
            }
            for (String side : List.of("bids", "asks")) {
                assertSameOrders(trueOrders(at.l3().get(side)), orders(l3.get(side)),
                        side + " at " + iso(at.micros()));
            }
            JsonNode l2 = json(Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(at.micros()), "level", 2)));
            for (String side : List.of("bids", "asks")) {
                assertLevels(at, side, l2.get(side));
            }
            assertEquals(at.l3().get("bids").get(0).get(0).asText(), l3.get("best_bid").get("price").asText());
            assertEquals(at.l3().get("asks").get(0).get(0).asText(), l3.get("best_ask").get("price").asText());
            assertTrue(l3.get("counts").get("events_applied").intValue() > 0);
        }

        JsonNode list = json(Api.ok("/v1/book/snapshots", Map.of("pair", PAIR,
                "from", iso(snapshots.get(0).microtimestamp()), "to", iso(instants.get(7).micros()))));
        List<JsonNode> listed = Api.list(list.get("snapshots"));
        assertEquals(3, listed.size());
        assertEquals(List.of(false, true, false), listed.stream().map(s -> s.get("gap_before_next").booleanValue())
                .toList());
        assertEquals(snapshots.get(1).body().get("bids").size(), listed.get(1).get("bid_orders").intValue());
    }

    // ---- the simulated world ----

    private void emit(int count) throws Exception {
        pause();
        post("/sim/emit?pair=" + PAIR + "&count=" + count);
        pause();
    }

    /** Keeps steps in different milliseconds, so that an instant holds exactly the events before it. */
    private static void pause() throws InterruptedException {
        Thread.sleep(3);
    }

    /**
     * A snapshot as the capture takes one from the exchange-like REST book (cached, behind the stream, stamped with
     * its last change): asked with a nonce until it is stamped at or after the last event sent.
     */
    private SnapshotRecord snapshot(String reason) throws Exception {
        List<ObjectNode> sent = sent();
        long lastSent = Frames.microtimestamp(sent.get(sent.size() - 1));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            ObjectNode body = Frames.parse(get("/api/v2/order_book/" + PAIR + "/?group=2&nonce=" + System.nanoTime()));
            long micros = Long.parseLong(body.get("microtimestamp").asText());
            if (micros >= lastSent) {
                pause();
                return new SnapshotRecord(PAIR, micros, micros + 2000, reason, body);
            }
            assertTrue(System.nanoTime() < deadline, "the REST book did not catch up with the stream in 10 s");
            Thread.sleep(20);
        }
    }

    /** The instant of the last sent event, with the true books at it. */
    private Instant instant(SnapshotRecord from, boolean complete) throws Exception {
        List<ObjectNode> sent = sent();
        long micros = Frames.microtimestamp(sent.get(sent.size() - 1));
        return new Instant(micros, Frames.parse(get("/sim/book?pair=" + PAIR + "&group=2")),
                Frames.parse(get("/sim/book?pair=" + PAIR + "&group=1")), from.microtimestamp(), complete);
    }

    private List<ObjectNode> sent() throws Exception {
        List<ObjectNode> frames = new ArrayList<>();
        for (String line : get("/sim/sent?channel=" + CHANNEL).split("\n")) {
            if (!line.isBlank()) {
                frames.add(Frames.parse(line));
            }
        }
        return frames;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private void post(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + simulator.port() + path);
    }

    /** The test means something only if the world did all of it before the instants with complete coverage. */
    private static void assertEveryKindOfEventIsCovered(List<ObjectNode> sent, long until) {
        boolean market = false;
        boolean fullFill = false;
        boolean partialFill = false;
        boolean cancel = false;
        boolean create = false;
        for (ObjectNode f : sent) {
            if (Frames.microtimestamp(f) > until) {
                break;
            }
            JsonNode data = f.get("data");
            String price = data.get("price_str").asText();
            BigDecimal traded = new BigDecimal(data.get("amount_traded").asText());
            switch (f.get("event").asText()) {
                case "order_created" -> {
                    boolean m = new BigDecimal(price).signum() == 0
                            || new BigDecimal(price).compareTo(OrderBook.MARKET_BUY_PRICE) >= 0;
                    market |= m;
                    create |= !m;
                }
                case "order_changed" -> partialFill |= traded.signum() > 0;
                case "order_deleted" -> {
                    fullFill |= traded.signum() > 0;
                    cancel |= traded.signum() == 0;
                }
                default -> {
                }
            }
        }
        assertTrue(market && fullFill && partialFill && cancel && create,
                "market " + market + ", full fill " + fullFill + ", partial fill " + partialFill + ", cancel "
                        + cancel + ", create " + create);
    }

    // ---- storing as the capture does ----

    private void store(List<ObjectNode> sent, List<SnapshotRecord> snapshots) {
        for (SnapshotRecord s : snapshots) {
            BookTable.write(db, s);
        }
        List<CapturedEvent> events = new ArrayList<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        ObjectNode previous = null;
        for (ObjectNode f : sent) {
            long micros = Frames.microtimestamp(f);
            events.add(new CapturedEvent(micros, micros + 1000, f));
            if (previous != null && !f.get("pre_event_id").asText().equals(previous.get("event_id").asText())) {
                items.add(GapItems.toItem(new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK,
                        Frames.microtimestamp(previous), micros, previous.get("event_id").asText(),
                        f.get("event_id").asText(), previous.get("event_id").asText(), "pre_event_id did not match")));
            }
            previous = f;
        }
        assertEquals(1, items.size(), "the skip breaks the chain once");
        items.addAll(BookTable.chunkItems(PAIR, events));
        long first = Frames.microtimestamp(sent.get(0));
        long last = Frames.microtimestamp(sent.get(sent.size() - 1));
        items.add(BookTable.catalogItem(PAIR, first, last, last + 1_000_000L));
        BookTable.write(db, items);
    }

    // ---- comparing ----

    private static List<String> trueOrders(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get(2).asText() + " " + r.get(0).asText() + " " + r.get(1).asText()));
        return out;
    }

    private static List<String> orders(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get("id").asText() + " " + r.get("price").asText() + " "
                + r.get("amount").asText()));
        return out;
    }

    /** Equal lists, or a failure that names the first difference (books are long). */
    private static void assertSameOrders(List<String> truth, List<String> rebuilt, String what) {
        int i = 0;
        while (i < truth.size() && i < rebuilt.size() && truth.get(i).equals(rebuilt.get(i))) {
            i++;
        }
        assertTrue(truth.equals(rebuilt), what + ": " + truth.size() + " true orders, " + rebuilt.size()
                + " rebuilt; first difference at " + i + ": true " + (i < truth.size() ? truth.get(i) : "none")
                + ", rebuilt " + (i < rebuilt.size() ? rebuilt.get(i) : "none"));
    }

    private static void assertLevels(Instant at, String side, JsonNode levels) {
        JsonNode truth = at.l2().get(side);
        assertEquals(truth.size(), levels.size(), side + " levels at " + iso(at.micros()));
        for (int i = 0; i < truth.size(); i++) {
            JsonNode level = levels.get(i);
            assertEquals(truth.get(i).get(0).asText(), level.get("price").asText());
            assertEquals(0, new BigDecimal(truth.get(i).get(1).asText())
                    .compareTo(new BigDecimal(level.get("amount").asText())), side + " level " + i);
            String price = truth.get(i).get(0).asText();
            int orders = 0;
            for (JsonNode row : at.l3().get(side)) {
                orders += row.get(0).asText().equals(price) ? 1 : 0;
            }
            assertEquals(orders, level.get("orders").intValue(), side + " level " + i + " orders");
        }
    }

    private static int differences(Instant at, JsonNode book) {
        int n = 0;
        for (String side : List.of("bids", "asks")) {
            List<String> truth = trueOrders(at.l3().get(side));
            List<String> ours = orders(book.get(side));
            n += (int) truth.stream().filter(o -> !ours.contains(o)).count();
            n += (int) ours.stream().filter(o -> !truth.contains(o)).count();
        }
        return n;
    }
}
