package dev.orderflow.query.book;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.book.OrderBookTest.frame;
import static dev.orderflow.query.book.OrderBookTest.snapshot;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.orderflow.query.Api;
import dev.orderflow.query.LocalTables;
import dev.orderflow.query.api.LambdaRequestId;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotRecord;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code /v1/book} and {@code /v1/book/snapshots} on hand-made stored data (pair {@code ltcusd}): the events of
 * {@link OrderBookTest} after a snapshot, a second snapshot, a chain break after it and writes confirmed up to a
 * minute after the first snapshot.
 */
@QuarkusTest
@WithTestResource(value = BookTable.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class BookResourceTest {
    static final String PAIR = "ltcusd";
    static final long T = OrderBookTest.T;
    static final long SECOND = 1_000_000L;
    static final long S2 = T + 10 * SECOND;
    static final long CONFIRMED = T + 60 * SECOND;
    static final GapRecord BREAK = new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, T + 20 * SECOND,
            T + 21 * SECOND, "e-a", "e-c", "e-b", "pre_event_id did not match");
    static final long S3 = T + 30 * SECOND;
    static final GapRecord DISCONNECT = new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.DISCONNECT,
            T + 28 * SECOND, T + 31 * SECOND, "e-x", "e-y", null, "not connected or not subscribed");
    private static boolean stored;

    /** Fixtures are written past the app's IAM front: the query function may not write. */
    private final DynamoDbClient db = LocalTables.direct();

    @Inject
    dev.orderflow.query.QueryConfig config;

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @BeforeEach
    void store() {
        if (stored) {
            return;
        }
        long t = T + 1000;
        List<ObjectNode> frames = List.of(
                frame("order_created", "10", 0, t, "100.00", "0.30000000", "0"),
                frame("order_created", "11", 1, t + 1, "102.00", "0.40000000", "0"),
                frame("order_changed", "3", 1, t + 2, "101.00", "0.20000000", "0.30000000"),
                frame("order_deleted", "4", 1, t + 3, "101.00", "0", "0.70000000"),
                frame("order_created", "12", 0, t + 4, "999999999.00", "0", "0"),
                frame("order_deleted", "12", 0, t + 4, "101.00", "0", "0.70000000"),
                frame("order_deleted", "2", 0, t + 5, "99.50", "2.00000000", "0"),
                frame("order_deleted", "999", 1, t + 6, "105.00", "1.00000000", "0"),
                frame("order_changed", "998", 0, t + 7, "98.00", "1.50000000", "0.50000000"),
                frame("order_created", "13", 1, t + 8, "0.00", "0", "0"),
                frame("order_created", "30", 0, T + 15 * SECOND, "100.50", "1.00000000", "0"),
                frame("order_created", "40", 1, T + 32 * SECOND, "101.50", "1.00000000", "0"));
        List<CapturedEvent> events = new ArrayList<>();
        for (ObjectNode f : frames) {
            long micros = Long.parseLong(f.get("data").get("microtimestamp").asText());
            events.add(new CapturedEvent(micros, micros + 1000, f));
        }
        BookTable.write(db, new SnapshotRecord(PAIR, T, T + 5000, "connect", snapshot(T)));
        BookTable.write(db, new SnapshotRecord(PAIR, S2, S2 + 5000, "periodic", snapshot(S2)));
        BookTable.write(db, new SnapshotRecord(PAIR, S3, S3 + 5000, "connect", snapshot(S3)));
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items =
                new ArrayList<>(BookTable.chunkItems(PAIR, events));
        items.add(GapItems.toItem(BREAK));
        items.add(GapItems.toItem(DISCONNECT));
        items.add(BookTable.catalogItem(PAIR, T + 1000, T + 32 * SECOND, CONFIRMED));
        BookTable.write(db, items);
        stored = true;
    }

    private static JsonNode book(Map<String, ?> params) {
        return json(Api.ok("/v1/book", params));
    }

    private static List<String> orders(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get("id").asText() + " " + r.get("side").asText() + " " + r.get("price").asText()
                + " " + r.get("amount").asText() + " " + r.get("microtimestamp").asText()));
        return out;
    }

    @Test
    void shouldRebuildEveryOrderFromTheSnapshotAndTheEventsAfterIt() {
        Response response = Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(T + 5 * SECOND)));
        response.then().header(LambdaRequestId.HEADER, matchesPattern("[0-9a-f-]{36}"));
        JsonNode book = json(response);
        long t = T + 1000;
        assertEquals(3, book.get("level").intValue());
        assertEquals(List.of("1 buy 100.00 1.00000000 null", "10 buy 100.00 0.30000000 " + t,
                "998 buy 98.00 1.50000000 " + (t + 7)), orders(book.get("bids")));
        assertEquals(List.of("3 sell 101.00 0.20000000 " + (t + 2), "11 sell 102.00 0.40000000 " + (t + 1)),
                orders(book.get("asks")));
        assertEquals(iso(t + 7), java.time.Instant.parse(book.get("bids").get(2).get("time").asText()).toString());
        assertEquals("100.00", book.get("best_bid").get("price").asText());
        assertEquals("1.30000000", book.get("best_bid").get("amount").asText());
        assertEquals(2, book.get("best_bid").get("orders").intValue());
        assertEquals("101.00", book.get("best_ask").get("price").asText());
        assertEquals("1.00", book.get("spread").asText());
        assertEquals("100.50", book.get("mid").asText());
        assertEquals("e-" + (t + 8), book.get("last_event").get("event_id").asText());
        assertEquals(t + 8, book.get("last_event").get("microtimestamp").longValue());
        JsonNode counts = book.get("counts");
        assertEquals(4, counts.get("snapshot_orders").intValue());
        assertEquals(10, counts.get("events_applied").intValue());
        assertEquals(2, counts.get("market_orders").intValue());
        assertEquals(1, counts.get("unknown_order_deletes").intValue());
        assertEquals(1, counts.get("unknown_order_changes").intValue());
        JsonNode coverage = book.get("coverage");
        assertTrue(coverage.get("complete").booleanValue(), coverage.toString());
        assertEquals(T, coverage.get("snapshot").get("microtimestamp").longValue());
        assertEquals("connect", coverage.get("snapshot").get("reason").asText());
    }

    @Test
    void shouldServeTheSnapshotAloneBeforeTheFirstEvent() {
        JsonNode book = book(Map.of("pair", PAIR, "at", iso(T + 999)));
        assertTrue(book.get("last_event").isNull());
        assertEquals(0, book.get("counts").get("events_applied").intValue());
        assertEquals(List.of("1 buy 100.00 1.00000000 null", "2 buy 99.50 2.00000000 null"),
                orders(book.get("bids")));
    }

    @Test
    void shouldAggregatePriceLevelsAndLimitDepth() {
        JsonNode book = book(Map.of("pair", PAIR, "at", iso(T + 5 * SECOND), "level", 2, "depth", 1));
        assertEquals(1, book.get("bids").size());
        JsonNode level = book.get("bids").get(0);
        assertEquals("100.00", level.get("price").asText());
        assertEquals("1.30000000", level.get("amount").asText());
        assertEquals(2, level.get("orders").intValue());
        assertEquals(1, book.get("asks").size());
        assertEquals(3, book.get("counts").get("bid_orders").intValue(), "counts describe the whole book");
    }

    @Test
    void shouldServeCsvWithCoverageAndSnapshotInHeaders() throws IOException {
        Response response = Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(T + 5 * SECOND), "format", "csv"));
        response.then().contentType(startsWith("text/csv"))
                .header("X-Coverage-Complete", "true")
                .header("X-Book-Snapshot-Reason", "connect")
                .header("X-Book-Last-Event-Id", "e-" + (T + 1008));
        MappingIterator<Map<String, String>> rows = new CsvMapper().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(response.asString());
        List<Map<String, String>> all = rows.readAll();
        assertEquals(5, all.size());
        assertEquals(Map.of("side", "buy", "price", "100.00", "amount", "1.00000000", "id", "1",
                "microtimestamp", "", "time", ""), all.get(0));
        assertEquals("sell", all.get(4).get("side"));
        assertEquals("11", all.get(4).get("id"));
    }

    @Test
    void shouldStartFromTheNearestEarlierSnapshot() {
        JsonNode book = book(Map.of("pair", PAIR, "at", iso(T + 15 * SECOND)));
        assertEquals(S2, book.get("coverage").get("snapshot").get("microtimestamp").longValue());
        assertEquals("periodic", book.get("coverage").get("snapshot").get("reason").asText());
        assertEquals(1, book.get("counts").get("events_applied").intValue());
        assertEquals(List.of("30 buy 100.50 1.00000000 " + (T + 15 * SECOND), "1 buy 100.00 1.00000000 null",
                "2 buy 99.50 2.00000000 null"), orders(book.get("bids")));
        assertTrue(book.get("coverage").get("complete").booleanValue());
    }

    @Test
    void shouldMarkTheBookIncompleteWhenAGapLiesBetweenSnapshotAndInstant() {
        JsonNode gap = book(Map.of("pair", PAIR, "at", iso(T + 25 * SECOND))).get("coverage");
        assertFalse(gap.get("complete").booleanValue());
        assertEquals(List.of("gaps"), Api.list(gap.get("reasons")).stream().map(JsonNode::asText).toList());
        assertEquals("chain_break", gap.get("gaps").get(0).get("kind").asText());

        JsonNode late = book(Map.of("pair", PAIR, "at", iso(CONFIRMED + SECOND))).get("coverage");
        assertFalse(late.get("complete").booleanValue());
        assertTrue(Api.list(late.get("reasons")).stream().anyMatch(r -> r.asText().equals("after_confirmed_writes")));
    }

    @Test
    void shouldTreatADisconnectThatBeganBeforeAConnectSnapshotAsCoveredByIt() {
        JsonNode book = book(Map.of("pair", PAIR, "at", iso(T + 35 * SECOND)));
        JsonNode coverage = book.get("coverage");
        assertEquals(S3, coverage.get("snapshot").get("microtimestamp").longValue());
        assertTrue(coverage.get("complete").booleanValue(), coverage.toString());
        assertTrue(coverage.get("gaps").isEmpty());
        assertEquals("40", book.get("asks").get(2).get("id").asText());

        // the same disconnect seen from the periodic snapshot before it: events may be missing
        JsonNode before = book(Map.of("pair", PAIR, "at", iso(T + 29 * SECOND))).get("coverage");
        assertEquals(S2, before.get("snapshot").get("microtimestamp").longValue());
        assertFalse(before.get("complete").booleanValue());
        assertEquals(2, before.get("gaps").size());
    }

    @Test
    void shouldAnswer404WhenNoSnapshotPrecedesTheInstant() {
        Api.request().queryParam("pair", PAIR).queryParam("at", iso(T - 1)).get("/v1/book")
                .then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:orderflow:problem:no-snapshot"))
                .body("detail", org.hamcrest.Matchers.containsString(java.time.Instant.ofEpochSecond(T / SECOND)
                        .toString().replace("Z", "")));
        Api.request().queryParam("pair", PAIR).queryParam("at", iso(S3 + 7 * 3600 * SECOND)).get("/v1/book")
                .then().statusCode(404).body("type", equalTo("urn:orderflow:problem:no-snapshot"));
    }

    @Test
    void shouldAnswerBadParametersWith400NamingThem() {
        String at = iso(T + SECOND);
        String[][] cases = {
            {"pair=" + PAIR, "at"},
            {"pair=" + PAIR + "&at=soon", "at"},
            {"pair=" + PAIR + "&at=" + at + "&level=1", "level"},
            {"pair=" + PAIR + "&at=" + at + "&depth=0", "depth"},
            {"pair=" + PAIR + "&at=" + at + "&format=ndjson", "format"},
            {"pair=nopair&at=" + at, "pair"},
            {"at=" + at, "pair"},
            {"pair=" + PAIR + "&at=" + at + "&limit=5", "limit"},
        };
        for (String[] c : cases) {
            Api.request().urlEncodingEnabled(false).get("/v1/book?" + c[0])
                    .then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("parameter", equalTo(c[1]));
        }
        Api.request().urlEncodingEnabled(false).get("/v1/book/snapshots?pair=" + PAIR + "&from=" + at + "&to=" + at)
                .then().statusCode(400).body("parameter", equalTo("to"));
    }

    @Test
    void shouldListTheStoredSnapshotsAndWhetherAGapFollowsThem() {
        JsonNode list = json(Api.ok("/v1/book/snapshots", Map.of("pair", PAIR, "from", iso(T - 3600 * SECOND),
                "to", iso(T + 3600 * SECOND))));
        List<JsonNode> snapshots = Api.list(list.get("snapshots"));
        assertEquals(3, snapshots.size());
        assertEquals(T, snapshots.get(0).get("microtimestamp").longValue());
        assertEquals("connect", snapshots.get(0).get("reason").asText());
        assertEquals(2, snapshots.get(0).get("bid_orders").intValue());
        assertEquals(2, snapshots.get(0).get("ask_orders").intValue());
        assertEquals(S2, snapshots.get(0).get("next_microtimestamp").longValue());
        assertFalse(snapshots.get(0).get("gap_before_next").booleanValue());
        assertEquals("periodic", snapshots.get(1).get("reason").asText());
        assertEquals(S3, snapshots.get(1).get("next_microtimestamp").longValue());
        assertTrue(snapshots.get(1).get("gap_before_next").booleanValue());
        assertEquals("connect", snapshots.get(2).get("reason").asText());
        assertTrue(snapshots.get(2).get("next_microtimestamp").isNull());
        assertFalse(snapshots.get(2).get("gap_before_next").booleanValue(), "the disconnect before it is covered");
        assertFalse(list.get("truncated").booleanValue());

        JsonNode later = json(Api.ok("/v1/book/snapshots", Map.of("pair", PAIR, "from", iso(T + 1),
                "to", iso(T + 3600 * SECOND))));
        assertEquals(2, later.get("snapshots").size());
    }

    @Test
    void shouldAnswerAsTheOpenApiDocumentSays() {
        Map<String, Object> at = Map.of("pair", PAIR, "at", iso(T + 5 * SECOND));
        dev.orderflow.query.Contract.assertDocumented("/v1/book", Api.ok("/v1/book", at));
        dev.orderflow.query.Contract.assertDocumented("/v1/book", Api.ok("/v1/book", Map.of("pair", PAIR,
                "at", iso(T + 5 * SECOND), "level", 2)));
        dev.orderflow.query.Contract.assertDocumented("/v1/book", Api.ok("/v1/book", Map.of("pair", PAIR,
                "at", iso(T + 5 * SECOND), "format", "csv")));
        dev.orderflow.query.Contract.assertDocumented("/v1/book", Api.request().queryParams(Map.of("pair", PAIR,
                "at", iso(T - 1))).get("/v1/book").then().statusCode(404).extract().response());
        dev.orderflow.query.Contract.assertDocumented("/v1/book", Api.request().queryParams(Map.of("pair", PAIR,
                "at", "yesterday")).get("/v1/book").then().statusCode(400).extract().response());
        dev.orderflow.query.Contract.assertDocumented("/v1/book/snapshots", Api.ok("/v1/book/snapshots",
                Map.of("pair", PAIR, "from", iso(T - 3600 * SECOND), "to", iso(T + 3600 * SECOND))));
    }

    @Test
    void shouldDescribeBothPathsAndTheLimitsTheyApplyInTheOpenApiDocument() {
        JsonNode paths = json(Api.ok("/q/openapi", Map.of("format", "json"))).get("paths");
        Map<String, List<String>> expected = Map.of(
                "/v1/book", List.of("pair", "at", "level", "depth", "format"),
                "/v1/book/snapshots", List.of("pair", "from", "to"));
        expected.forEach((path, names) -> {
            JsonNode get = paths.get(path).get("get");
            assertEquals(names, Api.list(get.get("parameters")).stream().map(p -> p.get("name").asText()).toList());
            Api.list(get.get("parameters")).forEach(p -> assertFalse(p.get("description").asText().isBlank()));
            assertTrue(get.get("responses").get("400").get("content").has("application/problem+json"), path);
        });
        String book = paths.get("/v1/book").get("get").get("description").asText();
        assertTrue(book.contains("(" + config.book().maxReplay() + ")"), "the document states the replay limit");
        String list = paths.get("/v1/book/snapshots").get("get").get("description").asText();
        assertTrue(list.contains("At most " + config.book().maxSnapshots() + " snapshots"));
        assertEquals(java.time.Duration.ofDays(7), config.book().snapshotsMaxSpan(), "the document says 7 days");
    }
}
