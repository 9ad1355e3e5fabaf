package dev.orderflow.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

import dev.orderflow.query.events.EventFields;

/** The OpenAPI document describes every parameter and states the defaults and maxima the API really applies. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class OpenApiTest {
    @Inject
    QueryConfig config;

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private static JsonNode document() {
        return Api.json(Api.ok("/q/openapi", Map.of("format", "json")));
    }

    /**
     * {@code Event} is open to fields the exchange may add, so the contract's validation cannot see a field the API
     * adds without the document; instead, the fields it names are held to the columns every format writes.
     */
    @Test
    void shouldNameEveryKindOfGapRecord() {
        List<String> documented = new ArrayList<>();
        document().path("components").path("schemas").path("Gap").path("properties").path("kind").path("enum")
                .forEach(kind -> documented.add(kind.textValue()));
        assertEquals(java.util.Arrays.stream(dev.orderflow.storage.GapRecord.Kind.values())
                .map(dev.orderflow.storage.GapRecord.Kind::apiName).toList(), documented);
    }

    @Test
    void shouldNameEveryColumnOfAnEventAsAnEventField() {
        JsonNode event = document().path("components").path("schemas").path("Event");
        assertTrue(event.path("additionalProperties").asBoolean(false), "Event carries the exchange's other fields");
        List<String> named = new ArrayList<>();
        event.path("properties").fieldNames().forEachRemaining(named::add);
        assertEquals(new TreeSet<>(EventFields.CSV_COLUMNS), new TreeSet<>(named));
    }

    @Test
    void shouldDescribeEveryParameterOfEveryPath() {
        JsonNode paths = document().get("paths");
        Map<String, List<String>> expected = Map.of(
                "/v1/events", List.of("pair", "channel", "from", "to", "type", "side", "order_id", "limit", "cursor",
                        "format"),
                "/v1/gaps", List.of("pair", "channel", "from", "to", "records"),
                "/v1/trades/candles", List.of("pair", "interval", "from", "to", "format"),
                "/v1/pairs", List.of());
        expected.forEach((path, names) -> {
            JsonNode get = paths.get(path).get("get");
            List<JsonNode> parameters = get.has("parameters") ? Api.list(get.get("parameters")) : List.of();
            assertEquals(names, parameters.stream().map(p -> p.get("name").asText()).toList(), path);
            for (JsonNode p : parameters) {
                assertFalse(p.path("description").asText().isBlank(), path + " " + p.get("name"));
                assertEquals("query", p.get("in").asText());
            }
            assertFalse(get.path("description").asText().isBlank(), path);
            if (!names.isEmpty()) {
                assertTrue(get.get("responses").get("400").get("content").has("application/problem+json"), path);
            }
        });
    }

    @Test
    void shouldStateTheDefaultsAndMaximaTheApiApplies() {
        JsonNode events = document().get("paths").get("/v1/events").get("get");
        JsonNode limit = parameter(events, "limit");
        assertEquals(config.events().defaultLimit(), limit.get("schema").get("default").asInt());
        assertEquals(config.events().maxLimit(), limit.get("schema").get("maximum").asInt());
        assertTrue(limit.get("description").asText().contains("Default " + config.events().defaultLimit()
                + ", maximum " + config.events().maxLimit()));
        assertTrue(parameter(events, "from").get("description").asText().contains(config.events().defaultSpan()
                .toString()));
        assertEquals(Duration.ofDays(1), config.events().maxSpan(), "the document says 1 day");
        assertTrue(parameter(events, "to").get("description").asText().contains("At most 1 day (P1D)"));
        assertTrue(events.get("description").asText().contains("about "
                + config.events().maxPageBytes() / 1_000_000 + " MB per page"));

        JsonNode candles = document().get("paths").get("/v1/trades/candles").get("get");
        String text = candles.get("description").asText();
        assertTrue(text.contains("At most " + config.candles().maxBars() + " bars"));
        assertEquals(Duration.ofDays(7), config.candles().maxSpan(), "the document says 7 days");
        assertTrue(text.contains("7 days (P7D)"));
        assertTrue(parameter(candles, "from").get("description").asText()
                .contains(config.candles().defaultBars() + " bars"));

        JsonNode gaps = document().get("paths").get("/v1/gaps").get("get");
        assertTrue(gaps.get("description").asText().contains("At most " + config.gaps().maxItems() + " records"));
    }

    private static JsonNode parameter(JsonNode operation, String name) {
        return Api.list(operation.get("parameters")).stream().filter(p -> p.get("name").asText().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void shouldServeSwaggerUi() {
        Api.request().get("/q/swagger-ui/").then().statusCode(200);
    }
}
