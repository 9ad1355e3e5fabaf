package dev.orderflow.query.gaps;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.BTC_CHAIN_BREAK;
import static dev.orderflow.query.Fixtures.BTC_DISCONNECT;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.storage.GapRecord;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** {@code /v1/gaps}: the gap and disconnect records concerning a range. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class GapsResourceTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldListEveryRecordOfThePairsChannelByDefault() {
        JsonNode answer = json(Api.ok("/v1/gaps", Map.of("pair", "btcusd", "channel", "trades")));
        assertEquals(1, answer.get("gaps").size());
        assertGap(BTC_DISCONNECT, answer.get("gaps").get(0));
        assertFalse(answer.get("truncated").booleanValue());
        assertFalse(answer.get("coverage").get("complete").booleanValue());
    }

    @Test
    void shouldListOnlyRecordsThatConcernTheRange() {
        JsonNode inside = json(Api.ok("/v1/gaps", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0 + 301 * SECOND), "to", iso(T0 + 302 * SECOND))));
        assertEquals(1, inside.get("gaps").size());
        assertGap(BTC_CHAIN_BREAK, inside.get("gaps").get(0));

        JsonNode before = json(Api.ok("/v1/gaps", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0), "to", iso(T0 + 300 * SECOND))));
        assertTrue(before.get("gaps").isEmpty());
        JsonNode after = json(Api.ok("/v1/gaps", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0 + 302 * SECOND), "to", iso(T0 + 600 * SECOND))));
        assertTrue(after.get("gaps").isEmpty());
    }

    private static void assertGap(GapRecord expected, JsonNode gap) {
        assertEquals(expected.pair(), gap.get("pair").asText());
        assertEquals(expected.channel().apiName(), gap.get("channel").asText());
        assertEquals(expected.kind().apiName(), gap.get("kind").asText());
        assertEquals(expected.fromMicros(), gap.get("from_microtimestamp").longValue());
        assertEquals(expected.toMicros(), gap.get("to_microtimestamp").longValue());
        assertEquals(iso(expected.fromMicros()), java.time.Instant.parse(gap.get("from").asText()).toString());
        assertEquals(expected.detail(), gap.get("detail").asText());
        assertEquals(expected.lastEventId() != null, gap.has("last_event_id"));
    }
}
