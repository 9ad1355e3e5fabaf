package dev.orderflow.query.coverage;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.BTC_CHAIN_BREAK;
import static dev.orderflow.query.Fixtures.BTC_CONFIRMED;
import static dev.orderflow.query.Fixtures.BTC_DISCONNECT;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** Every answer says whether it holds everything the exchange sent in its range. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class CoverageTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private static JsonNode coverage(String channel, long from, long to) {
        return json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", channel, "from", iso(from),
                "to", iso(to), "limit", 10000))).get("coverage");
    }

    @Test
    void shouldBeCompleteWithoutGapsInsideConfirmedWrites() {
        JsonNode coverage = coverage("orders", T0 + 10 * SECOND, T0 + 20 * SECOND);
        assertTrue(coverage.get("complete").booleanValue());
        assertTrue(coverage.get("reasons").isEmpty());
        assertTrue(coverage.get("gaps").isEmpty());
        assertEquals("2031-01-01T10:09:00.000000Z", coverage.get("confirmed_until").asText());
    }

    @Test
    void shouldBeIncompleteWhenAGapRecordIntersectsTheRangeAndListIt() {
        JsonNode coverage = coverage("orders", T0 + 299 * SECOND, T0 + 302 * SECOND);
        assertFalse(coverage.get("complete").booleanValue());
        assertEquals(List.of("gaps"), Api.list(coverage.get("reasons")).stream().map(JsonNode::asText).toList());
        JsonNode gap = coverage.get("gaps").get(0);
        assertEquals("chain_break", gap.get("kind").asText());
        assertEquals(BTC_CHAIN_BREAK.fromMicros(), gap.get("from_microtimestamp").longValue());
        assertEquals(BTC_CHAIN_BREAK.toMicros(), gap.get("to_microtimestamp").longValue());
        assertEquals(BTC_CHAIN_BREAK.expectedPreEventId(), gap.get("expected_pre_event_id").asText());
        assertEquals(1, coverage.get("gaps").size());
    }

    @Test
    void shouldTreatAGapAsMissingEventsAnywhereInItsClosedInterval() {
        long gapFrom = BTC_DISCONNECT.fromMicros();
        long gapTo = BTC_DISCONNECT.toMicros();
        assertTrue(coverage("trades", gapFrom - SECOND, gapFrom).get("complete").booleanValue(),
                "a range that ends where the gap starts");
        assertFalse(coverage("trades", gapFrom - SECOND, gapFrom + 1).get("complete").booleanValue());
        assertFalse(coverage("trades", gapTo, gapTo + SECOND).get("complete").booleanValue(),
                "events at the gap's last microsecond may be missing too");
        assertTrue(coverage("trades", gapTo + 1, gapTo + SECOND).get("complete").booleanValue());
    }

    @Test
    void shouldBeIncompleteWhenTheRangeReachesPastTheLastConfirmedWrite() {
        JsonNode coverage = coverage("orders", BTC_CONFIRMED - SECOND, BTC_CONFIRMED + SECOND);
        assertFalse(coverage.get("complete").booleanValue());
        assertEquals(List.of("after_confirmed_writes"),
                Api.list(coverage.get("reasons")).stream().map(JsonNode::asText).toList());
        assertTrue(coverage("orders", BTC_CONFIRMED - SECOND, BTC_CONFIRMED).get("complete").booleanValue());
    }

    @Test
    void shouldBeIncompleteWhenNothingIsKnownAboutThePairsChannel() {
        // xrpusd has orders only: nothing confirms that its trades were captured
        JsonNode coverage = json(Api.ok("/v1/events", Map.of("pair", "xrpusd", "channel", "trades",
                "from", iso(T0), "to", iso(T0 + SECOND)))).get("coverage");
        assertFalse(coverage.get("complete").booleanValue());
        assertTrue(coverage.get("confirmed_until").isNull());
    }

    @Test
    void shouldSayTheSameInTheHeadersOfNdjsonAndCsv() {
        for (String format : List.of("ndjson", "csv")) {
            Response gap = Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders", "format", format,
                    "from", iso(T0 + 299 * SECOND), "to", iso(T0 + 302 * SECOND), "limit", 10000));
            assertEquals("false", gap.header("X-Coverage-Complete"), format);
            assertEquals("1", gap.header("X-Coverage-Gaps"), format);
            assertEquals("gaps", gap.header("X-Coverage-Reasons"), format);
            JsonNode gaps = json(Api.request().urlEncodingEnabled(false).get(Api.link(gap, "gaps"))
                    .then().statusCode(200).extract().response());
            assertEquals(BTC_CHAIN_BREAK.fromMicros(), gaps.get("gaps").get(0).get("from_microtimestamp").longValue());

            Response clean = Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders", "format", format,
                    "from", iso(T0 + 10 * SECOND), "to", iso(T0 + 20 * SECOND), "limit", 10000));
            assertEquals("true", clean.header("X-Coverage-Complete"), format);
            assertEquals("0", clean.header("X-Coverage-Gaps"), format);
        }
    }
}
