package dev.orderflow.query.coverage;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.Fixtures;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's eventually consistent reads may miss an item written a moment before: here such reads lag 60 s
 * behind what the capture role writes. A window or gap record stored just before the watermark passed it must
 * still be in the answer that the watermark calls complete.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = DynamoDbLocalResource.STALE_READS_LAG, value = "PT60S"))
@org.junit.jupiter.api.Timeout(600)
class StaleReadsTest {
    private static final String PAIR = "lagusd";
    private static final long T = Fixtures.micros("2031-05-01T00:00:00Z");

    @Test
    void shouldServeWhatWasStoredJustBeforeTheWatermarkPassedIt() throws Exception {
        String table = ConfigProvider.getConfig().getValue("query.table", String.class);
        // stored long ago: the first window and a catalog whose watermark is past both windows (the capture
        // started a millisecond before the first window)
        LocalTables.write(LocalTables.direct(), table, List.of(TableLayout.toItem(window(0)), Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(PAIR + "#orders"),
                TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(T - 1000)),
                TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(T + 2 * SECOND)),
                TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(T + 10 * SECOND)))));
        // stored a moment ago, as the capture does: the second window, and a gap record later on
        Map<String, AttributeValue> second = TableLayout.toItem(window(1));
        LocalTables.asCapture().putItem(b -> b.tableName(table).item(second));
        GapRecord gap = new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.DISCONNECT, T + 5 * SECOND,
                T + 6 * SECOND, null, null, null, "reconnect", List.of());
        LocalTables.asCapture().putItem(b -> b.tableName(table).item(GapItems.toItem(gap)));

        JsonNode page = json(Api.ok("/v1/events", Map.of("pair", PAIR, "channel", "orders", "from", iso(T),
                "to", iso(T + 2 * SECOND), "limit", 1000)));
        List<String> served = new ArrayList<>();
        page.get("events").forEach(e -> served.add(e.get("event_id").asText()));
        assertEquals(List.of("e-0-0", "e-0-1", "e-1-0", "e-1-1"), served);
        assertTrue(page.at("/coverage/complete").asBoolean());

        JsonNode gapped = json(Api.ok("/v1/events", Map.of("pair", PAIR, "channel", "orders",
                "from", iso(T + 4 * SECOND), "to", iso(T + 7 * SECOND))));
        assertFalse(gapped.at("/coverage/complete").asBoolean(), gapped.get("coverage").toString());
        assertEquals(T + 5 * SECOND, gapped.at("/coverage/gaps/0/from_microtimestamp").longValue());
        assertEquals(1, json(Api.ok("/v1/gaps", Map.of("pair", PAIR, "channel", "orders", "from", iso(T),
                "to", iso(T + 10 * SECOND)))).get("gaps").size());
    }

    private static Chunk window(int window) throws java.io.IOException {
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long mt = T + window * SECOND + i * 1000;
            events.add(new CapturedEvent(mt, mt + 500, Frames.parse("{\"event\":\"order_created\",\"channel\":"
                    + "\"live_orders_" + PAIR + "\",\"data\":{\"id\":" + (100 + i) + ",\"order_type\":0,\"price\":"
                    + "\"1.5\",\"amount\":\"2\",\"microtimestamp\":\"" + mt + "\"},\"event_id\":\"e-" + window + "-"
                    + i + "\"}")));
        }
        return new Chunk(PAIR, Channel.ORDERS, T + window * SECOND, 0, events);
    }
}
