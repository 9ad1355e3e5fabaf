package dev.orderflow.query.book;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.orderflow.query.Api;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Tables written in layout 1 stay readable: a stored sample of layout 1 items ({@code layout1/xlmusd.ndjson}, one
 * item per second, as the capture wrote them before layout 2) for the first ten seconds, and layout 2 items (one
 * ten-second slot) for the next ten, read by {@code /v1/events}, {@code /v1/book} and {@code /v1/trades/candles},
 * each layout alone and both in one range; and the slot after as layout 3 (a section of a shared item).
 */
@QuarkusTest
@WithTestResource(value = BookTable.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class Layout1SampleTest {
    private static final String PAIR = Layout1Sample.PAIR;
    private static final long T = Layout1Sample.T;
    private static final long SECOND = 1_000_000L;
    private static boolean stored;

    private final DynamoDbClient db = LocalTables.direct();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @BeforeEach
    void store() throws IOException {
        if (stored) {
            return;
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>(sample());
        int n = Layout1Sample.EVENTS;
        int half = Layout1Sample.LAYOUT1_EVENTS;
        items.addAll(Layout1Sample.layout2Items(Channel.ORDERS, Layout1Sample.orders(half, n)));
        items.addAll(Layout1Sample.layout2Items(Channel.TRADES, Layout1Sample.trades(half, n)));
        // layout 3: the next slot's orders as a section of a shared item, and part of them (44 to 49) again as an
        // item of its own, as two hosts that cut the slot differently store it
        List<CapturedEvent> section = new ArrayList<>(Layout1Sample.orders(n, n + 5));
        section.addAll(Layout1Sample.orders(n + 8, n + 20));
        int group = QuietItems.group(PAIR, Channel.ORDERS);
        items.add(QuietItems.item(group, T + 20 * SECOND, Map.of(TableLayout.chunkPk(PAIR, Channel.ORDERS),
                QuietItems.section(section)), java.util.Set.of("a"), 1));
        items.addAll(Layout1Sample.layout2Items(Channel.ORDERS, Layout1Sample.orders(n + 4, n + 10)));
        for (Channel channel : Channel.values()) {
            items.add(Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                    TableLayout.SK, AttributeValue.fromS(TableLayout.chunkPk(PAIR, channel)),
                    TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(T)),
                    TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(Layout1Sample.micros(n - 1) + 100)),
                    TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(T + 60 * SECOND)),
                    TableLayout.CATALOG_CONFIRMED_UNTIL, AttributeValue.fromN(Long.toString(T + 60 * SECOND))));
        }
        BookTable.write(db, new SnapshotRecord(PAIR, T, T + 500, "connect", OrderBookTest.snapshot(T)));
        BookTable.write(db, items);
        stored = true;
    }

    @Test
    void shouldKeepTheSampleAsLayout1WroteIt() throws IOException {
        List<Map<String, AttributeValue>> sample = sample();
        assertEquals(20, sample.size(), "ten one-second items per channel");
        for (Map<String, AttributeValue> item : sample) {
            String sk = item.get(TableLayout.SK).s();
            long window = TableLayout.windowOfSk(sk);
            assertEquals(TableLayout.layout1WindowStart(window), window);
            assertTrue(TableLayout.lastMicros(item, Long.MAX_VALUE) < window + TableLayout.LAYOUT1_WINDOW_MICROS, sk);
        }
    }

    @Test
    void shouldReadEventsOfLayout1AloneOfLayout2AloneAndOfBothInOneRange() {
        assertEquals(ids(0, 20), orderIds(T, T + 10 * SECOND));
        assertEquals(ids(20, 40), orderIds(T + 10 * SECOND, T + 20 * SECOND));
        assertEquals(ids(0, 40), orderIds(T, T + 20 * SECOND));
        assertEquals(ids(15, 25), orderIds(Layout1Sample.micros(15), Layout1Sample.micros(25)));
        // from inside a slot: the key range starts at the slot, not at the second of `from`
        assertEquals(ids(25, 27), orderIds(Layout1Sample.micros(25), Layout1Sample.micros(27)));
        // walked a page at a time across both layouts
        List<String> walked = walk(T, T + 20 * SECOND);
        assertEquals(ids(0, 40), walked);
    }

    @Test
    void shouldReadASlotStoredAsASectionAndAsAnItemOfItsOwnOnceAndPageThroughAllThreeLayouts() {
        assertEquals(ids(40, 60), orderIds(T + 20 * SECOND, T + 30 * SECOND), "each event once, in time order");
        assertEquals(ids(42, 52), orderIds(Layout1Sample.micros(42), Layout1Sample.micros(52)));
        List<String> walked = walk(T, T + 30 * SECOND);
        assertEquals(ids(0, 60), walked);
    }

    @Test
    void shouldRebuildTheBookFromEventsOfBothLayouts() {
        JsonNode book = json(Api.ok("/v1/book", Map.of("pair", PAIR, "at", iso(Layout1Sample.micros(29)))));
        assertEquals(30, book.get("counts").get("events_applied").intValue(), "20 of layout 1, 10 of layout 2");
        assertEquals(4 + 30, book.get("bids").size() + book.get("asks").size());
        assertEquals("e-" + Layout1Sample.micros(29), book.get("last_event").get("event_id").asText());
    }

    @Test
    void shouldAggregateCandlesFromTradesOfBothLayouts() {
        JsonNode candles = json(Api.ok("/v1/trades/candles", Map.of("pair", PAIR, "interval", "1m",
                "from", iso(T), "to", iso(T + 60 * SECOND))));
        JsonNode bar = candles.get("candles").get(0);
        assertEquals(40, bar.get("trades").asInt(), bar.toString());
        assertEquals("100.50", bar.get("open").asText());
        assertEquals("139.50", bar.get("close").asText());
        assertEquals(0, new java.math.BigDecimal("4.00000000").compareTo(new java.math.BigDecimal(
                bar.get("volume").asText())), bar.toString());
    }

    /** The order ids of {@code [from, to)} walked seven events a page, cursor after cursor. */
    private static List<String> walk(long from, long to) {
        List<String> walked = new ArrayList<>();
        Map<String, String> params = new HashMap<>(Map.of("pair", PAIR, "channel", "orders", "from", iso(from),
                "to", iso(to), "limit", "7"));
        while (true) {
            JsonNode page = json(Api.ok("/v1/events", params));
            page.get("events").forEach(e -> walked.add(e.get("id").asText()));
            if (page.get("next_cursor").isNull()) {
                return walked;
            }
            params = new HashMap<>(Map.of("cursor", page.get("next_cursor").asText(), "limit", "7"));
        }
    }

    private List<String> orderIds(long from, long to) {
        JsonNode page = json(Api.ok("/v1/events", Map.of("pair", PAIR, "channel", "orders", "from", iso(from),
                "to", iso(to), "limit", "1000")));
        List<String> ids = new ArrayList<>();
        page.get("events").forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(Integer.toString(100 + i));
        }
        return ids;
    }

    /** The stored sample: one item a line, attributes as DynamoDB's JSON spells them ({@code S}, {@code N}, {@code B}). */
    static List<Map<String, AttributeValue>> sample() throws IOException {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        try (InputStream in = Layout1SampleTest.class.getResourceAsStream("/layout1/xlmusd.ndjson")) {
            ObjectMapper json = new ObjectMapper();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, AttributeValue> item = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = json.readTree(line).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    JsonNode value = field.getValue();
                    item.put(field.getKey(), value.has("S") ? AttributeValue.fromS(value.get("S").asText())
                            : value.has("N") ? AttributeValue.fromN(value.get("N").asText())
                            : AttributeValue.fromB(SdkBytes.fromByteArray(
                                    Base64.getDecoder().decode(value.get("B").asText()))));
                }
                items.add(item);
            }
        }
        return items;
    }
}
