package dev.orderflow.query.events;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A stored chunk that cannot be decoded: the page leaves its events out, serves the others, and says it is not
 * complete (never a 500). The damaged item gets a table of its own.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@org.junit.jupiter.api.Timeout(600)
class DamagedChunkTest {
    private static final String PAIR = "dmgusd";
    private static final long T = Fixtures.micros("2031-04-01T00:00:00Z");

    @Test
    void shouldServeTheReadableChunksAndSayTheRangeIsIncomplete() throws Exception {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        List<String> readable = new ArrayList<>();
        for (int window = 0; window < 3; window++) {
            List<CapturedEvent> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long mt = T + window * SECOND + i * 1000;
                String id = "e-" + window + "-" + i;
                events.add(new CapturedEvent(mt, mt + 500, Frames.parse("{\"event\":\"order_created\","
                        + "\"channel\":\"live_orders_" + PAIR + "\",\"data\":{\"id\":" + (100 + i) + ",\"order_type\":0,"
                        + "\"price\":\"1.5\",\"amount\":\"2\",\"microtimestamp\":\"" + mt + "\"},\"event_id\":\""
                        + id + "\"}")));
                if (window != 1) {
                    readable.add(id);
                }
            }
            Map<String, AttributeValue> item = new HashMap<>(TableLayout.toItem(
                    new Chunk(PAIR, Channel.ORDERS, T + window * SECOND, 0, events)));
            if (window == 1) {
                byte[] payload = item.get(TableLayout.PAYLOAD).b().asByteArray();
                item.put(TableLayout.PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArray(
                        Arrays.copyOf(payload, payload.length / 2))));
            }
            items.add(item);
        }
        items.add(Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(PAIR + "#orders"),
                TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(T)),
                TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(T + 3 * SECOND)),
                TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(T + 10 * SECOND))));
        String table = ConfigProvider.getConfig().getValue("query.table", String.class);
        LocalTables.write(LocalTables.direct(), table, items); // past the app's IAM front: it may not write

        for (int limit : new int[] {1000, 3}) {
            List<String> served = new ArrayList<>();
            boolean complete = true;
            List<String> reasons = new ArrayList<>();
            Map<String, Object> params = Map.of("pair", PAIR, "channel", "orders", "from", iso(T),
                    "to", iso(T + 5 * SECOND), "limit", limit);
            for (int pages = 0; pages < 20; pages++) {
                JsonNode page = json(Api.ok("/v1/events", params));
                page.get("events").forEach(e -> served.add(e.get("event_id").asText()));
                complete &= page.at("/coverage/complete").asBoolean();
                page.at("/coverage/reasons").forEach(r -> reasons.add(r.asText()));
                if (page.get("next_cursor").isNull()) {
                    break;
                }
                params = Map.of("cursor", page.get("next_cursor").asText(), "limit", limit);
            }
            assertEquals(readable, served, "limit " + limit);
            assertFalse(complete, "limit " + limit);
            assertTrue(reasons.contains("unreadable_chunks"), reasons.toString());
        }
    }
}
