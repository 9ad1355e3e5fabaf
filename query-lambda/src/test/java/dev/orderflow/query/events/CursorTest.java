package dev.orderflow.query.events;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static dev.orderflow.query.Fixtures.T2;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.Fixtures;
import dev.orderflow.query.LambdaEvents;
import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** Walking a query page by page: every event exactly once, pages that tile the range, cursors that cannot be forged. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class CursorTest {
    private static final Fixtures FIXTURES = Fixtures.get();
    private static final long FROM = T0;
    private static final long TO = T0 + 600 * SECOND;

    @Inject
    QueryConfig config;

    @Inject
    CursorCodec codec;

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldReturnEveryEventExactlyOnceWalkingJsonPagesWithNextCursor() {
        List<String> ids = new ArrayList<>();
        List<JsonNode> coverages = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> params = new java.util.HashMap<>(Map.of("pair", "btcusd", "channel", "orders",
                    "from", iso(FROM), "to", iso(TO), "limit", 997));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode page = json(Api.ok("/v1/events", params));
            assertTrue(page.get("events").size() <= 997);
            page.get("events").forEach(e -> ids.add(e.path("event_id").asText(null)));
            coverages.add(page.get("coverage"));
            cursor = page.get("next_cursor").asText(null);
            pages++;
        } while (cursor != null && pages < 100);

        List<CapturedEvent> expected = FIXTURES.events("btcusd", Channel.ORDERS, FROM, TO);
        assertTrue(pages > 10, "the walk spans many pages");
        assertEquals(EventsResourceTest.eventIds(expected), ids);
        assertTiled(coverages);
    }

    @Test
    void shouldReturnTheSameEventsWalkingNdjsonAndCsvWithTheNextLink() {
        List<String> expected = EventsResourceTest.eventIds(FIXTURES.events("btcusd", Channel.ORDERS, FROM, TO));
        for (String format : List.of("ndjson", "csv")) {
            List<String> ids = new ArrayList<>();
            Response page = Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                    "from", iso(FROM), "to", iso(TO), "limit", 3000, "format", format));
            int pages = 1;
            while (true) {
                ids.addAll(format.equals("csv") ? csvColumn(page, "event_id")
                        : Api.ndjson(page).stream().map(e -> e.path("event_id").asText(null)).toList());
                String next = Api.link(page, "next");
                if (next == null) {
                    break;
                }
                page = Api.request().urlEncodingEnabled(false).get(next).then().statusCode(200).extract().response();
                pages++;
            }
            assertTrue(pages > 3, format);
            assertEquals(expected, ids, format);
        }
    }

    @Test
    void shouldWalkASparseFilterThroughEmptyPagesWithoutLosingEvents() {
        List<CapturedEvent> all = FIXTURES.events("btcusd", Channel.ORDERS, FROM, TO);
        String order = all.get(100).frame().get("data").get("id_str").asText();
        List<String> expected = all.stream().filter(e -> e.frame().get("data").get("id_str").asText().equals(order))
                .map(e -> e.frame().get("event_id").asText()).toList();
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> params = new java.util.HashMap<>(Map.of("pair", "btcusd", "channel", "orders",
                    "from", iso(FROM), "to", iso(TO), "order_id", order, "limit", 2));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode page = json(Api.ok("/v1/events", params));
            page.get("events").forEach(e -> ids.add(e.get("event_id").asText()));
            cursor = page.get("next_cursor").asText(null);
            pages++;
        } while (cursor != null && pages < 100);
        assertTrue(expected.size() > 2);
        assertEquals(expected, ids);
    }

    @Test
    void shouldKeepEveryPageWithinTheLambdaResponseLimitAndStillReturnEveryEvent() {
        // xrpusd frames are about 12 KB of quotes and backslashes, which grow when escaped into the Lambda response
        long from = T2;
        long to = T2 + 3 * SECOND;
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String query = "pair=xrpusd&channel=orders&format=ndjson&limit=10000&from=" + iso(from) + "&to=" + iso(to)
                    + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode lambdaResponse = LambdaEvents.invoke("/v1/events", query);
            int size = Frames.toJson(lambdaResponse).getBytes(StandardCharsets.UTF_8).length;
            assertEquals(200, lambdaResponse.get("statusCode").intValue());
            assertFalse(lambdaResponse.get("isBase64Encoded").booleanValue());
            assertTrue(size <= config.events().maxPageBytes() + 8192,
                    "Lambda response of page " + pages + " is " + size + " bytes");
            assertTrue(size < 6 * 1024 * 1024);
            for (String line : lambdaResponse.get("body").textValue().split("\n")) {
                ids.add(parse(line).get("id").asText());
            }
            String link = lambdaResponse.get("headers").get("Link").asText();
            cursor = link.contains("rel=\"next\"") ? link.replaceAll(".*[?&]cursor=([^&>]*)>; rel=\"next\".*", "$1")
                    : null;
            pages++;
        } while (cursor != null && pages < 100);
        assertTrue(pages >= 5, "the budget split the range into pages: " + pages);
        assertEquals(Fixtures.XRP_EVENTS, ids.size());
        assertEquals(Fixtures.XRP_EVENTS, new HashSet<>(ids).size());
    }

    @Test
    void shouldContinueFromTheCursorAloneOrWithTheSameParametersAndLetLimitAndFormatChange() {
        Map<String, Object> query = Map.of("pair", "btcusd", "channel", "trades", "from", iso(FROM), "to", iso(TO),
                "limit", 50);
        JsonNode first = json(Api.ok("/v1/events", query));
        String cursor = first.get("next_cursor").textValue();

        JsonNode alone = json(Api.ok("/v1/events", Map.of("cursor", cursor, "limit", 50)));
        Map<String, Object> same = new java.util.HashMap<>(query);
        same.put("cursor", cursor);
        same.put("from", FROM / 1000); // the same time, written differently
        JsonNode withParams = json(Api.ok("/v1/events", same));
        assertEquals(alone.get("events"), withParams.get("events"));
        assertNotEquals(first.get("events").get(0), alone.get("events").get(0));

        Response csv = Api.ok("/v1/events", Map.of("cursor", cursor, "limit", 10, "format", "csv"));
        assertEquals(EventsResourceTest.texts(alone.get("events"), "id").subList(0, 10), csvColumn(csv, "id"));
    }

    @Test
    void shouldRejectACursorGivenWithADifferentQuery() {
        String cursor = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "trades", "from", iso(FROM),
                "to", iso(TO), "limit", 5))).get("next_cursor").textValue();
        for (Map.Entry<String, String> change : Map.of("pair", "ltcusd", "channel", "orders", "from", iso(FROM + 1),
                "to", iso(TO - SECOND), "type", "trade", "side", "buy", "order_id", "1").entrySet()) {
            Api.request().queryParam("cursor", cursor).queryParam(change.getKey(), change.getValue())
                    .get("/v1/events")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("parameter", equalTo(change.getKey()));
        }
    }

    @Test
    void shouldRejectForgedAndChangedCursors() {
        String cursor = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "trades", "from", iso(FROM),
                "to", iso(TO), "limit", 5))).get("next_cursor").textValue();
        byte[] raw = Base64.getUrlDecoder().decode(cursor);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < raw.length; i += 3) {
            byte[] changed = raw.clone();
            changed[i] ^= 0x01;
            bad.add(Base64.getUrlEncoder().withoutPadding().encodeToString(changed));
        }
        bad.add(cursor.substring(0, cursor.length() - 4));
        bad.add(cursor + "AAAA");
        bad.add("not-a-cursor");
        bad.add("!!!");
        bad.add(Base64.getUrlEncoder().encodeToString("{\"sk\":\"0\",\"index\":0}".getBytes(StandardCharsets.UTF_8)));
        bad.add("A".repeat(1500));
        for (String forged : bad) {
            Api.request().queryParam("cursor", forged).get("/v1/events")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("parameter", equalTo("cursor"));
        }
    }

    /** A cursor signed with the right key (a leaked one, or an older build's) still may not widen a query. */
    @Test
    void shouldRejectASignedCursorWhoseRangeSpansMoreThanADay() {
        EventQuery twoDays = new EventQuery("btcusd", Channel.ORDERS, FROM, FROM + 2 * 86_400 * SECOND,
                java.util.Set.of(), null, null);
        String wide = codec.encode(new Cursor(twoDays, "0000000000000#000", 0, FROM));
        Api.request().queryParam("cursor", wide).get("/v1/events")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("parameter", equalTo("cursor"));
        EventQuery oneDay = new EventQuery("btcusd", Channel.ORDERS, FROM, FROM + 86_400 * SECOND,
                java.util.Set.of(), null, null);
        Api.request().queryParam("cursor", codec.encode(new Cursor(oneDay, "0000000000000#000", 0, FROM)))
                .get("/v1/events").then().statusCode(200);
    }

    /** Page coverages follow each other without holes or overlaps, from the query's from to its to. */
    private static void assertTiled(List<JsonNode> coverages) {
        assertEquals(Api.iso(FROM), java.time.Instant.parse(coverages.get(0).get("from").asText()).toString());
        for (int i = 1; i < coverages.size(); i++) {
            assertEquals(coverages.get(i - 1).get("to").asText(), coverages.get(i).get("from").asText());
        }
        assertEquals(Api.iso(TO),
                java.time.Instant.parse(coverages.get(coverages.size() - 1).get("to").asText()).toString());
    }

    static List<String> csvColumn(Response response, String column) {
        try {
            com.fasterxml.jackson.dataformat.csv.CsvMapper csv = new com.fasterxml.jackson.dataformat.csv.CsvMapper();
            List<String> values = new ArrayList<>();
            try (com.fasterxml.jackson.databind.MappingIterator<Map<String, String>> rows = csv
                    .readerFor(Map.class)
                    .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
                    .readValues(response.asByteArray())) {
                while (rows.hasNext()) {
                    String value = rows.next().get(column);
                    values.add(value == null || value.isEmpty() ? null : value);
                }
            }
            return values;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode parse(String line) {
        try {
            return Frames.parse(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
