package dev.orderflow.query.pairs;

import static dev.orderflow.query.Api.json;
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
import dev.orderflow.query.Fixtures;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** {@code /v1/pairs}: the catalog as the API shows it. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class PairsResourceTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldListEveryPairWithItsChannelsFirstAndLastEventsAndGapKnowledge() {
        JsonNode pairs = json(Api.ok("/v1/pairs", Map.of())).get("pairs");
        List<String> names = Api.list(pairs).stream().map(p -> p.get("pair").asText()).toList();
        assertEquals(names.stream().sorted().toList(), names, "sorted by name");
        assertTrue(names.containsAll(List.of("btcusd", "ltcusd", "xrpusd")));

        JsonNode btc = pairs.get(names.indexOf("btcusd")).get("channels");
        for (Channel channel : Channel.values()) {
            List<CapturedEvent> events = Fixtures.get().events("btcusd", channel);
            JsonNode c = btc.get(channel.apiName());
            assertEquals(events.stream().mapToLong(CapturedEvent::microtimestamp).min().orElseThrow(),
                    c.get("first_microtimestamp").longValue());
            assertEquals(events.stream().mapToLong(CapturedEvent::microtimestamp).max().orElseThrow(),
                    c.get("last_microtimestamp").longValue());
            assertEquals(Fixtures.BTC_CONFIRMED, c.get("confirmed_until_microtimestamp").longValue());
            assertEquals("2031-01-01T10:09:00.000000Z", c.get("confirmed_until").asText());
            assertTrue(c.get("gaps_known").booleanValue());
        }
        JsonNode xrp = pairs.get(names.indexOf("xrpusd")).get("channels");
        assertFalse(xrp.get("orders").get("gaps_known").booleanValue());
        assertFalse(xrp.has("trades"), "only channels with data");
    }

    @Test
    void shouldTakeNoParameters() {
        Api.request().queryParam("pair", "btcusd").get("/v1/pairs")
                .then().statusCode(400).contentType("application/problem+json");
    }
}
