package dev.orderflow.query.book;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.book.OrderBookTest.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;


import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.orderflow.query.Api;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.book.Certifier;
import dev.orderflow.storage.book.SnapshotAlignment;
import io.quarkus.logging.Log;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A book so large that its stored snapshot spans several items ({@link SnapshotItems#toItems}): 60,000 orders with
 * exchange-like ids and amounts (three per price level), then a delete and a create after it. {@code /v1/book} after
 * it must hold every order, order by order in queue order, and {@code /v1/book/snapshots} must list it once.
 */
@QuarkusTest
@WithTestResource(value = BookTable.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class MultiPartSnapshotTest {
    private static final String PAIR = "xlmusd";
    private static final long SECOND = 1_000_000L;
    private static final long T = OrderBookTest.T + 86_400 * SECOND;
    /** Price levels per side; three orders rest at each. */
    private static final int LEVELS = 10_000;
    private static final int PER_LEVEL = 3;

    /** Fixtures are written past the app's IAM front: the query function may not write. */
    private final DynamoDbClient db = LocalTables.direct();

    @Test
    void shouldRebuildEveryOrderOfASnapshotStoredInSeveralParts() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        Set<String> ids = new HashSet<>();
        ObjectNode body = Frames.MAPPER.createObjectNode();
        body.put("timestamp", Long.toString(T / SECOND));
        body.put("microtimestamp", Long.toString(T));
        List<String> bids = rows(body.putArray("bids"), "buy", 6_000_000L, -37, random, ids);
        List<String> asks = rows(body.putArray("asks"), "sell", 6_000_100L, 37, random, ids);
        List<Map<String, AttributeValue>> items = SnapshotItems.toItems(new SnapshotRecord(PAIR, T, T + 5000, "connect",
                body));
        assertTrue(items.size() >= 3, "the snapshot must span several parts, it spans " + items.size());
        BookTable.write(db, items);

        // after it: the second order of the best bid level is filled, and an ask joins the end of the best level
        JsonNode deleted = body.get("bids").get(1);
        JsonNode bestAsk = body.get("asks").get(0);
        List<ObjectNode> frames = List.of(
                frame("order_deleted", deleted.get(2).asText(), 0, T + 1000, deleted.get(0).asText(), "0",
                        deleted.get(1).asText()),
                frame("order_created", "77", 1, T + 2000, bestAsk.get(0).asText(), "0.50000000", "0"));
        List<CapturedEvent> events = new ArrayList<>();
        for (ObjectNode f : frames) {
            long micros = Long.parseLong(f.get("data").get("microtimestamp").asText());
            events.add(new CapturedEvent(micros, micros + 1000, f));
        }
        List<Map<String, AttributeValue>> rest = new ArrayList<>(BookTable.chunkItems(PAIR, events));
        rest.add(BookTable.catalogItem(PAIR, T + 1000, T + 2000, T + 60 * SECOND));
        BookTable.write(db, rest);
        bids.remove(1);
        asks.add(PER_LEVEL, "sell " + bestAsk.get(0).asText() + " 0.50000000 77");

        String at = iso(T + 5 * SECOND);
        MappingIterator<Map<String, String>> csv = new CsvMapper().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(Api.ok("/v1/book", Map.of("pair", PAIR, "at", at, "format", "csv")).asString());
        List<String> rebuiltBids = new ArrayList<>();
        List<String> rebuiltAsks = new ArrayList<>();
        for (Map<String, String> row : csv.readAll()) {
            String order = row.get("side") + " " + row.get("price") + " " + row.get("amount") + " " + row.get("id");
            (row.get("side").equals("buy") ? rebuiltBids : rebuiltAsks).add(order);
        }
        assertSameOrders(bids, rebuiltBids, "bids");
        assertSameOrders(asks, rebuiltAsks, "asks");

        JsonNode book = json(Api.ok("/v1/book", Map.of("pair", PAIR, "at", at, "depth", 1)));
        JsonNode counts = book.get("counts");
        assertEquals(2 * LEVELS * PER_LEVEL, counts.get("snapshot_orders").intValue());
        assertEquals(2, counts.get("events_applied").intValue());
        assertEquals(0, counts.get("unknown_order_deletes").intValue());
        assertEquals(bids.size(), counts.get("bid_orders").intValue());
        assertEquals(asks.size(), counts.get("ask_orders").intValue());
        assertEquals(T, book.get("coverage").get("snapshot").get("microtimestamp").longValue());
        assertTrue(book.get("coverage").get("complete").booleanValue(), book.get("coverage").toString());

        JsonNode list = json(Api.ok("/v1/book/snapshots", Map.of("pair", PAIR, "from", iso(T - 3600 * SECOND),
                "to", iso(T + 3600 * SECOND))));
        assertEquals(1, list.get("snapshots").size(), list.toString());
        assertEquals(LEVELS * PER_LEVEL, list.get("snapshots").get(0).get("bid_orders").intValue());
        assertEquals(LEVELS * PER_LEVEL, list.get("snapshots").get(0).get("ask_orders").intValue());
    }

    /**
     * Three 50,000-order snapshots of another pair, each in several parts: B is the book A and the events after it
     * lead to, C misses a part. The certifier must certify B in seconds and pass over C; {@code /v1/book} after C
     * starts from B and lists C as skipped; {@code /v1/book/snapshots} answers from the items beside them.
     */
    @Test
    void shouldSkipASnapshotWithAMissingPartAndCertifyLargeBooksQuickly() throws IOException {
        String pair = "xrpeur";
        SplittableRandom random = new SplittableRandom(8);
        Set<String> ids = new HashSet<>();
        ObjectNode a = Frames.MAPPER.createObjectNode();
        List<String> bids = rows(a.putArray("bids"), "buy", 6_000_000L, -37, random, ids, 25_000);
        rows(a.putArray("asks"), "sell", 6_000_100L, 37, random, ids, 25_000);
        JsonNode deleted = a.get("bids").get(0);
        ObjectNode b = a.deepCopy();
        ((ArrayNode) b.get("bids")).remove(0);
        long sb = T + 10 * SECOND;
        long sc = T + 20 * SECOND;
        BookTable.write(db, SnapshotItems.toItems(new SnapshotRecord(pair, T, T + 5000, "connect", a)));
        BookTable.write(db, SnapshotItems.toItems(new SnapshotRecord(pair, sb, sb + 5000, "periodic", b)));
        List<Map<String, AttributeValue>> c = SnapshotItems.toItems(new SnapshotRecord(pair, sc, sc + 5000, "periodic",
                b));
        assertTrue(c.size() >= 3, "the snapshot must span several parts, it spans " + (c.size() - 1));
        BookTable.write(db, c.stream().filter(i -> !i.get(TableLayout.SK).s().endsWith("#001")).toList());
        ObjectNode delete = frame("order_deleted", deleted.get(2).asText(), 0, T + 2 * SECOND, deleted.get(0).asText(),
                "0", deleted.get(1).asText());
        List<Map<String, AttributeValue>> rest = new ArrayList<>(BookTable.chunkItems(pair,
                List.of(new CapturedEvent(T + 2 * SECOND, T + 2 * SECOND + 1000, delete))));
        rest.add(BookTable.catalogItem(pair, T + 2 * SECOND, T + 2 * SECOND, T + 60 * SECOND));
        BookTable.write(db, rest);

        long started = System.nanoTime();
        List<SnapshotMeta> checked = new Certifier(db, BookTable.TABLE, SnapshotAlignment.DEFAULT,
                java.time.Duration.ofHours(6)).certifyPending(pair, 0, T + 60 * SECOND, T + 61 * SECOND);
        long millis = (System.nanoTime() - started) / 1_000_000L;
        Log.infof("Certified 3 snapshots of 50,000 orders in %d ms", millis);
        assertEquals(List.of("not_checked", "certified", "not_checked"),
                checked.stream().map(m -> m.verdict().status().apiName()).toList());
        assertEquals(T, checked.get(1).verdict().againstMicros());
        assertEquals("a part of this snapshot is missing", checked.get(2).verdict().detail());

        JsonNode book = json(Api.ok("/v1/book", Map.of("pair", pair, "at", iso(sc + SECOND), "depth", 1)));
        JsonNode snapshot = book.get("coverage").get("snapshot");
        assertEquals(sb, snapshot.get("microtimestamp").longValue(), snapshot.toString());
        JsonNode skipped = snapshot.get("skipped").get(0);
        assertEquals(sc, skipped.get("microtimestamp").longValue());
        assertEquals("missing_part", skipped.get("reason").asText());
        assertEquals(skipped.get("parts").intValue() - 1, skipped.get("parts_found").intValue());
        assertEquals(bids.size() - 1, book.get("counts").get("bid_orders").intValue());
        assertTrue(book.get("coverage").get("complete").booleanValue(), book.get("coverage").toString());
        JsonNode before = json(Api.ok("/v1/book", Map.of("pair", pair, "at", iso(T + 3 * SECOND), "depth", 1)));
        assertEquals("certified", before.get("coverage").get("certification").get("status").asText());

        JsonNode list = json(Api.ok("/v1/book/snapshots", Map.of("pair", pair, "from", iso(T), "to", iso(sc + 1))));
        assertEquals(List.of("not_checked", "certified", "not_checked"), Api.list(list.get("snapshots")).stream()
                .map(s -> s.get("verdict").asText()).toList());
        assertEquals(24_999, list.get("snapshots").get(1).get("bid_orders").intValue());
        assertEquals(25_000, list.get("snapshots").get(1).get("ask_orders").intValue());
    }

    private static List<String> rows(ArrayNode rows, String side, long bestCents, long stepCents,
            SplittableRandom random, Set<String> ids) {
        return rows(rows, side, bestCents, stepCents, random, ids, LEVELS * PER_LEVEL);
    }

    /**
     * Fills one side best level first, {@value #PER_LEVEL} orders a level, with random 8-decimal amounts and random
     * 19-digit ids (so that the body does not compress away); returns the orders as "side price amount id".
     */
    private static List<String> rows(ArrayNode rows, String side, long bestCents, long stepCents,
            SplittableRandom random, Set<String> ids, int count) {
        List<String> orders = new ArrayList<>();
        for (int level = 0; level * PER_LEVEL < count; level++) {
            String price = BigDecimal.valueOf(bestCents + level * stepCents, 2).toPlainString();
            for (int i = 0; i < PER_LEVEL && level * PER_LEVEL + i < count; i++) {
                String amount = BigDecimal.valueOf(random.nextLong(1, 300_000_000L), 8).toPlainString();
                String id;
                do {
                    id = Long.toString(random.nextLong(1_000_000_000_000_000_000L, Long.MAX_VALUE));
                } while (!ids.add(id));
                rows.addArray().add(price).add(amount).add(id);
                orders.add(side + " " + price + " " + amount + " " + id);
            }
        }
        return orders;
    }

    /** Equal lists, or a failure that names the first difference (the books are long). */
    private static void assertSameOrders(List<String> expected, List<String> rebuilt, String what) {
        int i = 0;
        while (i < expected.size() && i < rebuilt.size() && expected.get(i).equals(rebuilt.get(i))) {
            i++;
        }
        assertTrue(expected.equals(rebuilt), what + ": " + expected.size() + " expected orders, " + rebuilt.size()
                + " rebuilt; first difference at " + i + ": expected "
                + (i < expected.size() ? expected.get(i) : "none") + ", rebuilt "
                + (i < rebuilt.size() ? rebuilt.get(i) : "none"));
    }
}
