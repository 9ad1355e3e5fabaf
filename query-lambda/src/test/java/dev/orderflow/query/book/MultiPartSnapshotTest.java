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
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A book so large that its stored snapshot spans several items ({@link TableLayout#toItems}): 60,000 orders with
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
        List<Map<String, AttributeValue>> items = TableLayout.toItems(new SnapshotRecord(PAIR, T, T + 5000, "connect",
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
     * Fills one side best level first, {@value #PER_LEVEL} orders a level, with random 8-decimal amounts and random
     * 19-digit ids (so that the body does not compress away); returns the orders as "side price amount id".
     */
    private static List<String> rows(ArrayNode rows, String side, long bestCents, long stepCents,
            SplittableRandom random, Set<String> ids) {
        List<String> orders = new ArrayList<>();
        for (int level = 0; level < LEVELS; level++) {
            String price = BigDecimal.valueOf(bestCents + level * stepCents, 2).toPlainString();
            for (int i = 0; i < PER_LEVEL; i++) {
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
