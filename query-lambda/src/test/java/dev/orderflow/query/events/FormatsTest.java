package dev.orderflow.query.events;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.Fixtures;
import dev.orderflow.storage.Frames;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** The same events as JSON, NDJSON and CSV, chosen by {@code format} or {@code Accept}. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class FormatsTest {
    /** A range with the odd frames (unknown fields, nested values, clashes) and ordinary ones. */
    private static final Map<String, Object> QUERY = Map.of("pair", "btcusd", "channel", "orders",
            "from", iso(T0 + 5 * SECOND), "to", iso(T0 + 8 * SECOND), "limit", 10000);

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldGiveTheSameEventsAsNdjsonAsAsJson() {
        List<JsonNode> json = Api.list(json(Api.ok("/v1/events", QUERY)).get("events"));
        List<JsonNode> ndjson = Api.ndjson(Api.ok("/v1/events", with(QUERY, "format", "ndjson")));
        assertTrue(json.size() > 20);
        assertEquals(json, ndjson);
    }

    @Test
    void shouldGiveTheSameEventsAsCsvAsAsJsonWithFixedColumnsAndTheRestInExtra() throws IOException {
        List<JsonNode> json = Api.list(json(Api.ok("/v1/events", QUERY)).get("events"));
        Response csv = Api.ok("/v1/events", with(QUERY, "format", "csv"));
        List<Map<String, String>> rows = csvRows(csv);

        assertEquals(EventFields.CSV_COLUMNS.size() + 1, csv.asString().lines().findFirst().orElseThrow()
                .split(",").length);
        assertEquals(json.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertCsvRowIsEvent(rows.get(i), (ObjectNode) json.get(i));
        }
        assertTrue(rows.stream().anyMatch(r -> r.get("extra").contains("maker")), "unknown fields go into extra");
    }

    /** Every column holds the event field's text (empty when absent); extra holds exactly the other fields. */
    private static void assertCsvRowIsEvent(Map<String, String> row, ObjectNode event) throws IOException {
        for (String column : EventFields.CSV_COLUMNS) {
            JsonNode value = event.get(column);
            String expected = value == null || value.isNull() ? "" : value.asText();
            assertEquals(expected, row.get(column), column + " of " + event);
        }
        ObjectNode rest = event.deepCopy();
        rest.remove(EventFields.CSV_COLUMNS);
        String extra = row.get("extra");
        if (rest.isEmpty()) {
            assertEquals("", extra, "extra of " + event);
        } else {
            assertEquals(rest, Frames.MAPPER.readTree(extra), "extra of " + event);
        }
    }

    @Test
    void shouldChooseTheFormatFromTheAcceptHeaderWhenFormatIsAbsent() {
        Map<String, String> cases = Map.of(
                "text/csv", "text/csv",
                "application/x-ndjson", "application/x-ndjson",
                "application/json", "application/json",
                "text/html,application/xhtml+xml,*/*;q=0.8", "application/json",
                "text/csv;q=0.5, application/x-ndjson", "application/x-ndjson",
                "application/*", "application/json",
                "text/*, application/json;q=0.1", "text/csv");
        cases.forEach((accept, type) -> Api.request().queryParams(QUERY).header("Accept", accept)
                .get("/v1/events")
                .then().statusCode(200).contentType(startsWith(type)));
    }

    @Test
    void shouldLetTheFormatParameterWinOverTheAcceptHeader() {
        Api.request().queryParams(with(QUERY, "format", "csv")).header("Accept", "application/json")
                .get("/v1/events")
                .then().statusCode(200).contentType(startsWith("text/csv"));
    }

    @Test
    void shouldAnswer406WhenAcceptAllowsNoFormat() {
        Api.request().queryParams(QUERY).header("Accept", "image/png, text/html")
                .get("/v1/events")
                .then().statusCode(406)
                .contentType("application/problem+json")
                .body("parameter", equalTo("Accept"));
    }

    @Test
    void shouldCarryCoverageAndLinksInTheHeadersOfEveryFormat() {
        for (String format : List.of("json", "ndjson", "csv")) {
            Response response = Api.ok("/v1/events", with(with(QUERY, "format", format), "limit", 10));
            assertEquals("true", response.header("X-Coverage-Complete"), format);
            assertNotNull(response.header("X-Coverage-From"), format);
            assertNotNull(response.header("X-Coverage-To"), format);
            assertNotNull(Api.link(response, "next"), format);
            String gaps = Api.link(response, "gaps");
            assertNotNull(gaps, format);
            JsonNode answer = json(Api.request().urlEncodingEnabled(false).get(gaps).then().statusCode(200)
                    .extract().response());
            assertEquals(response.header("X-Coverage-From"), answer.get("from").asText());
            assertEquals(response.header("X-Coverage-To"), answer.get("to").asText());
        }
    }

    @Test
    void shouldWriteDecimalsAsStringsInJsonSoNoClientParsesThemAsFloats() {
        String body = Api.ok("/v1/events", with(QUERY, "format", "ndjson")).asString();
        assertTrue(body.contains("\"amount\":\"1E-8\""));
        assertTrue(body.contains("\"price\":\"999999999.00\""));
        assertFalse(body.contains("\"price\":6"), "no price is written as a JSON number");
    }

    static Map<String, Object> with(Map<String, Object> params, String name, Object value) {
        Map<String, Object> out = new java.util.HashMap<>(params);
        out.put(name, value);
        return out;
    }

    static List<Map<String, String>> csvRows(Response response) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(response.asByteArray())) {
            for (Iterator<Map<String, String>> i = it; i.hasNext();) {
                rows.add(i.next());
            }
        }
        return rows;
    }
}
