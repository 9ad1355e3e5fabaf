package dev.orderflow.query.book;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.book.OrderBookTest.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.book.Certifier;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.book.Verdict;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Certification on hand-made stored data (pair {@code certusd}): snapshot A, events, snapshot B that is stale (it
 * still holds an order deleted 5 ms before its stamp), events, snapshot C edited to disagree with the stream (an
 * order left out, one amount changed, one order that never existed), events. The certifier must certify A → B,
 * contradict B → C with exactly those differences; {@code /v1/book} must say so per stretch, with
 * {@code complete:false} exactly between B and C, and the stale order must not survive a rebuild from B.
 */
@QuarkusTest
@WithTestResource(value = BookTable.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class CertificationTest {
    private static final String PAIR = "certusd";
    private static final long SECOND = 1_000_000L;
    private static final long A = OrderBookTest.T + 2 * 86_400 * SECOND;
    private static final long B = A + 5 * SECOND;
    private static final long C = A + 10 * SECOND;

    /** Fixtures are written past the app's IAM front: the query function may not write. */
    private final DynamoDbClient db = LocalTables.direct();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldCertifyAStaleSnapshotContradictAnEditedOneAndSayWhichStretchIsWhich() throws IOException {
        List<ObjectNode> frames = List.of(
                frame("order_created", "10", 0, A + SECOND, "100.00", "0.30000000", "0"),
                frame("order_changed", "3", 1, A + 2 * SECOND, "101.00", "0.20000000", "0.30000000"),
                frame("order_deleted", "4", 1, A + 3 * SECOND, "101.00", "0", "0.70000000"),
                frame("order_created", "5", 0, A + 4 * SECOND, "99.00", "1.00000000", "0"),
                frame("order_deleted", "5", 0, B - 5000, "99.00", "1.00000000", "0"),
                frame("order_created", "11", 1, A + 6 * SECOND, "102.00", "0.40000000", "0"),
                frame("order_changed", "1", 0, A + 7 * SECOND, "100.00", "0.50000000", "0.50000000"),
                frame("order_created", "12", 1, A + 11 * SECOND, "103.00", "1.00000000", "0"));
        List<CapturedEvent> events = new ArrayList<>();
        for (ObjectNode f : frames) {
            long micros = Frames.microtimestamp(f);
            events.add(new CapturedEvent(micros, micros + 1000, f));
        }
        BookTable.write(db, new SnapshotRecord(PAIR, A, A + 2000, "connect", OrderBookTest.snapshot(A)));
        // B: the book at B, but still holding order 5, deleted 5 ms before B's stamp
        BookTable.write(db, new SnapshotRecord(PAIR, B, B + 2000, "periodic", body(B,
                "[\"100.00\",\"1.00000000\",\"1\"],[\"100.00\",\"0.30000000\",\"10\"],[\"99.50\",\"2.00000000\",\"2\"],"
                        + "[\"99.00\",\"1.00000000\",\"5\"]",
                "[\"101.00\",\"0.20000000\",\"3\"]")));
        // C, edited: order 2 left out, order 10 at 0.35 instead of 0.30, an order 99 the stream never had
        BookTable.write(db, new SnapshotRecord(PAIR, C, C + 2000, "periodic", body(C,
                "[\"100.00\",\"0.50000000\",\"1\"],[\"100.00\",\"0.35000000\",\"10\"],[\"98.00\",\"1.00000000\",\"99\"]",
                "[\"101.00\",\"0.20000000\",\"3\"],[\"102.00\",\"0.40000000\",\"11\"]")));
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items = new ArrayList<>(
                BookTable.chunkItems(PAIR, events));
        items.add(BookTable.catalogItem(PAIR, A + SECOND, A + 11 * SECOND, A + 60 * SECOND));
        BookTable.write(db, items);

        Certifier certifier = new Certifier(db, BookTable.TABLE, SnapshotAlignment.DEFAULT, Duration.ofHours(6));
        List<SnapshotMeta> checked = certifier.certifyPending(PAIR, 0, A + 60 * SECOND, A + 61 * SECOND);
        assertEquals(List.of(Verdict.Status.NOT_CHECKED, Verdict.Status.CERTIFIED, Verdict.Status.CONTRADICTED),
                checked.stream().map(m -> m.verdict().status()).toList());
        assertTrue(certifier.certifyPending(PAIR, 0, A + 60 * SECOND, A + 62 * SECOND).isEmpty(),
                "a snapshot is checked once");

        JsonNode list = json(Api.ok("/v1/book/snapshots", Map.of("pair", PAIR, "from", iso(A), "to", iso(C + 1))));
        List<JsonNode> listed = Api.list(list.get("snapshots"));
        assertEquals(List.of("not_checked", "certified", "contradicted"),
                listed.stream().map(s -> s.get("verdict").asText()).toList());
        assertEquals(A, listed.get(1).get("checked_against").longValue());
        assertEquals(4, listed.get(1).get("bid_orders").intValue());
        JsonNode contradicted = listed.get(2);
        assertEquals(B, contradicted.get("checked_against").longValue());
        assertEquals(1, contradicted.get("missing").intValue(), contradicted.toString());
        assertEquals(1, contradicted.get("extra").intValue());
        assertEquals(1, contradicted.get("differing").intValue());
        assertEquals(Map.of("99", "missing", "2", "extra", "10", "differs"), kinds(contradicted.get("differences")));

        JsonNode first = book(A + 2 * SECOND);
        assertEquals(A, first.get("coverage").get("snapshot").get("microtimestamp").longValue());
        assertEquals("certified", first.get("coverage").get("certification").get("status").asText());
        assertEquals(B, first.get("coverage").get("certification").get("snapshot_microtimestamp").longValue());
        assertTrue(first.get("coverage").get("complete").booleanValue());

        JsonNode second = book(A + 8 * SECOND);
        JsonNode coverage = second.get("coverage");
        assertEquals(B, coverage.get("snapshot").get("microtimestamp").longValue());
        assertEquals("contradicted", coverage.get("certification").get("status").asText());
        assertFalse(coverage.get("complete").booleanValue(), coverage.toString());
        assertEquals(List.of("contradicted"), Api.list(coverage.get("reasons")).stream().map(JsonNode::asText)
                .toList());
        assertEquals(Map.of("99", "missing", "2", "extra", "10", "differs"),
                kinds(coverage.get("certification").get("differences")));
        assertEquals(List.of("1", "10", "2"), ids(second.get("bids")), "order 5, deleted before B's stamp, is gone");

        JsonNode third = book(A + 12 * SECOND);
        assertEquals("not_checked", third.get("coverage").get("certification").get("status").asText());
        assertTrue(third.get("coverage").get("complete").booleanValue());
        assertEquals("not_checked", Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(A + 12 * SECOND),
                "format", "csv")).header("X-Book-Certification"));
    }

    @Test
    void shouldListAndRebuildFromSnapshotsStoredBeforeTheItemsBesideThemExisted() {
        String pair = "oldusd";
        long t = A + 3600 * SECOND;
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items = new ArrayList<>();
        for (long stamp : List.of(t, t + 10 * SECOND)) {
            items.addAll(dev.orderflow.storage.SnapshotItems.toItems(new SnapshotRecord(pair, stamp, stamp + 2000,
                    "periodic", OrderBookTest.snapshot(stamp))).stream()
                    .filter(i -> i.get("pk").s().endsWith("#snapshots")).toList());
        }
        items.add(BookTable.catalogItem(pair, t, t, t + 60 * SECOND));
        BookTable.write(db, items);

        List<JsonNode> listed = Api.list(json(Api.ok("/v1/book/snapshots", Map.of("pair", pair, "from", iso(t),
                "to", iso(t + 20 * SECOND)))).get("snapshots"));
        assertEquals(2, listed.size());
        assertEquals(List.of(2, 2), listed.stream().map(s -> s.get("bid_orders").intValue()).toList());
        assertEquals(List.of("not_checked", "not_checked"), listed.stream().map(s -> s.get("verdict").asText())
                .toList());
        JsonNode coverage = json(Api.ok("/v1/book", Map.of("pair", pair, "at", iso(t + 5 * SECOND))))
                .get("coverage");
        assertEquals(t, coverage.get("snapshot").get("microtimestamp").longValue());
        assertEquals("not_checked", coverage.get("certification").get("status").asText());
        assertTrue(coverage.get("complete").booleanValue(), coverage.toString());
    }

    private static JsonNode book(long at) {
        return json(Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(at))));
    }

    private static ObjectNode body(long micros, String bids, String asks) throws IOException {
        return Frames.parse("{\"timestamp\":\"" + micros / SECOND + "\",\"microtimestamp\":\"" + micros
                + "\",\"bids\":[" + bids + "],\"asks\":[" + asks + "]}");
    }

    private static Map<String, String> kinds(JsonNode differences) {
        Map<String, String> out = new java.util.HashMap<>();
        differences.forEach(d -> out.put(d.get("id").asText(), d.get("kind").asText()));
        return out;
    }

    private static List<String> ids(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get("id").asText()));
        return out;
    }
}
