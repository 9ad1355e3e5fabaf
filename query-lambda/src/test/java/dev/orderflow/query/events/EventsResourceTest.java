package dev.orderflow.query.events;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Api.list;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.Fixtures;
import dev.orderflow.query.api.LambdaRequestId;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * {@code /v1/events}: what comes back and in which order.
 *
 * <p>Every REST Assured call in these tests goes through the Lambda event path: with
 * {@code quarkus-amazon-lambda-http}, {@code @QuarkusTest} points REST Assured at Quarkus' mock event server, which
 * turns each HTTP request into an API Gateway HTTP API (payload v2) event, hands it to the function's poll loop
 * and turns the function's response event back into HTTP. {@link #shouldAnswerThroughTheLambdaEventPath()} checks
 * that this is so.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class EventsResourceTest {
    private static final Fixtures FIXTURES = Fixtures.get();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldAnswerThroughTheLambdaEventPath() {
        int mockEventServerPort = ConfigProvider.getConfig()
                .getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
        assertEquals(mockEventServerPort, RestAssured.port, "REST Assured talks to the mock Lambda event server");
        // The Lambda request id exists only when the request was served as a Lambda invocation.
        Api.request().queryParam("pair", "btcusd").queryParam("channel", "trades")
                .queryParam("from", iso(T0)).queryParam("to", iso(T0 + SECOND))
                .get("/v1/events")
                .then().statusCode(200)
                .header(LambdaRequestId.HEADER, matchesPattern("[0-9a-f-]{36}"));
    }

    @Test
    void shouldReturnEveryEventOfTheRangeInStoredOrderAcrossWindowsAndParts() {
        long from = T0 + 100 * SECOND;
        long to = T0 + 130 * SECOND;
        JsonNode page = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(from), "to", iso(to), "limit", 10000)));

        List<CapturedEvent> expected = FIXTURES.events("btcusd", Channel.ORDERS, from, to);
        assertTrue(expected.size() > Fixtures.BURST_EVENTS, "the range holds the burst second stored in two parts");
        assertEquals(eventIds(expected), texts(page.get("events"), "event_id"));
        assertTrue(page.get("next_cursor").isNull());
    }

    @Test
    void shouldIncludeFromAndExcludeTo() {
        List<CapturedEvent> all = FIXTURES.events("btcusd", Channel.TRADES);
        CapturedEvent first = all.stream().filter(e -> e.microtimestamp() > T0 + 10 * SECOND).findFirst()
                .orElseThrow();
        CapturedEvent end = all.stream().filter(e -> e.microtimestamp() > first.microtimestamp() + 5 * SECOND)
                .findFirst().orElseThrow();
        JsonNode page = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "trades",
                "from", iso(first.microtimestamp()), "to", iso(end.microtimestamp()))));

        List<JsonNode> events = list(page.get("events"));
        assertEquals(first.microtimestamp(), events.get(0).get("microtimestamp").longValue());
        assertTrue(events.stream().allMatch(e -> e.get("microtimestamp").longValue() < end.microtimestamp()));
        assertEquals(FIXTURES.events("btcusd", Channel.TRADES, first.microtimestamp(), end.microtimestamp()).size(),
                events.size());
    }

    @Test
    void shouldAcceptEpochMillisecondsAndIsoWithOffsetForTheSameRange() {
        long from = T0 + 200 * SECOND;
        long to = T0 + 203 * SECOND;
        JsonNode iso = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(from), "to", iso(to))));
        JsonNode millis = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", from / 1000, "to", to / 1000)));
        JsonNode offset = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", "2031-01-01T12:03:20+02:00", "to", "2031-01-01T12:03:23+02:00")));
        assertFalse(iso.get("events").isEmpty());
        assertEquals(iso.get("events"), millis.get("events"));
        assertEquals(iso.get("events"), offset.get("events"));
    }

    @Test
    void shouldGiveIdsAndDecimalsExactlyAsTheExchangeSentThemForEveryRecordedRealFrame() {
        assumeFalse(FIXTURES.samples().isEmpty(), "../shared/bitstamp-samples is absent (samples.dir): "
                + "the recorded real frames cannot be checked here");
        for (ObjectNode frame : FIXTURES.samples()) {
            Channel.WireChannel wire = Channel.parseWire(frame.get("channel").asText()).orElseThrow();
            long mt = Frames.microtimestamp(frame);
            JsonNode page = json(Api.ok("/v1/events", Map.of("pair", wire.pair(),
                    "channel", wire.channel().apiName(), "from", iso(mt), "to", iso(mt + 1))));
            JsonNode data = frame.get("data");
            String id = data.has("id_str") ? data.get("id_str").asText() : data.get("id").asText();
            JsonNode event = list(page.get("events")).stream()
                    .filter(e -> e.get("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no event with id " + id + " for " + frame));
            assertMatchesFrame(frame, wire, event);
        }
    }

    /** The documented mapping, restated independently of the API's code. */
    private static void assertMatchesFrame(ObjectNode frame, Channel.WireChannel wire, JsonNode event) {
        JsonNode data = frame.get("data");
        String context = frame.toString();
        assertEquals(wire.pair(), event.get("pair").asText(), context);
        assertEquals(wire.channel().apiName(), event.get("channel").asText(), context);
        assertEquals(frame.get("event").asText(), event.get("type").asText(), context);
        assertEquals(Long.parseLong(data.get("microtimestamp").asText()), event.get("microtimestamp").longValue());
        assertTrue(event.get("id").isTextual() && event.get("price").isTextual() && event.get("amount").isTextual(),
                context);
        assertEquals(data.get("price_str").asText(), event.get("price").asText(), context);
        assertEquals(data.get("amount_str").asText(), event.get("amount").asText(), context);
        String sideCode = data.get(wire.channel() == Channel.ORDERS ? "order_type" : "type").asText();
        assertEquals(sideCode.equals("0") ? "buy" : "sell", event.get("side").asText(), context);
        for (String top : List.of("event_id", "pre_event_id", "order_source")) {
            if (frame.has(top)) {
                assertEquals(frame.get(top).asText(), event.get(top).asText(), context);
            } else {
                assertFalse(event.has(top), context);
            }
        }
        Set<String> named = Set.of("id", "id_str", "price", "price_str", "amount", "amount_str", "microtimestamp",
                wire.channel() == Channel.ORDERS ? "order_type" : "type");
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode sent = field.getValue();
            if (named.contains(name)) {
                continue;
            }
            JsonNode got = event.get(name);
            assertNotNull(got, "field " + name + " kept: " + context);
            if (sent.isTextual() || name.endsWith("_id") || (sent.isNumber() && !sent.isIntegralNumber())) {
                assertTrue(got.isTextual(), name + " is a string: " + context);
                assertEquals(sent.asText(), got.asText(), name + ": " + context);
            } else {
                assertEquals(sent, got, name + ": " + context);
            }
        }
    }

    @Test
    void shouldKeepFieldsItDoesNotKnowAndRenameClashesInsteadOfLosingThem() {
        JsonNode event = list(json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0 + 5_500_000), "to", iso(T0 + 5_500_001)))).get("events")).stream()
                .filter(e -> e.get("id").asText().equals("2037493299999999")).findFirst().orElseThrow();

        assertEquals("999999999.00", event.get("price").textValue());
        assertEquals("1E-8", event.get("amount").textValue());
        assertEquals("sell", event.get("side").textValue());
        assertEquals("0.00164300", event.get("fee").textValue(), "x given with the exact x_str");
        assertFalse(event.has("fee_str"));
        assertEquals("3651.3000000000002", event.get("ratio").textValue(), "a decimal without _str: its text");
        assertEquals("7", event.get("trade_account_id").textValue(), "ids are strings");
        assertEquals(4, event.get("order_subtype").intValue());
        assertEquals("123456789012345678901234", event.get("big").bigIntegerValue().toString());
        assertEquals("not ours", event.get("data_time").textValue(), "data.time clashes with the API's time");
        assertEquals("btc/usd", event.get("frame_pair").textValue(), "top-level pair clashes with the API's pair");
        assertEquals("2031-01-01T10:00:05.500000Z", event.get("time").textValue());
        assertEquals(3, event.get("maker").get("rank").intValue());
        assertEquals("x", event.get("maker").get("venue").textValue());
        assertEquals(2, event.get("flags").size());
        assertTrue(event.get("note").isNull());
        assertEquals(1924941605123456789L, event.get("_recv_ns").longValue());
        assertTrue(event.get("is_liquidation").booleanValue());
        assertEquals("orderbook", event.get("order_source").textValue());
    }

    @Test
    void shouldLeaveSideOutAndKeepTheCodeWhenTheSideIsUnknown() {
        JsonNode event = list(json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0 + 6_250_000), "to", iso(T0 + 6_250_001)))).get("events")).stream()
                .filter(e -> e.get("id").asText().equals("2037493299999998")).findFirst().orElseThrow();

        assertFalse(event.has("side"));
        assertEquals(7, event.get("order_type").intValue());
        assertEquals("limit", event.get("data_type").textValue());
        assertEquals("order_deleted", event.get("type").textValue());
        assertEquals("32", event.get("amount").textValue());
        assertEquals("0.68810", event.get("price").textValue());
        assertFalse(event.has("event_id"));
    }

    @Test
    void shouldFilterByTypeSideAndOrderId() {
        long from = T0;
        long to = T0 + 60 * SECOND;
        List<CapturedEvent> all = FIXTURES.events("btcusd", Channel.ORDERS, from, to);
        String someOrder = all.get(all.size() / 2).frame().get("data").get("id_str").asText();

        assertFiltered(Map.of("type", "order_deleted,order_created"), all,
                e -> Set.of("order_deleted", "order_created").contains(e.frame().get("event").asText()));
        assertFiltered(Map.of("side", "buy"), all,
                e -> e.frame().get("data").get("order_type").asInt() == 0);
        assertFiltered(Map.of("order_id", someOrder), all,
                e -> e.frame().get("data").get("id_str").asText().equals(someOrder));
        assertFiltered(Map.of("type", "order_changed", "side", "sell"), all,
                e -> e.frame().get("event").asText().equals("order_changed")
                        && e.frame().get("data").get("order_type").asInt() == 1);
    }

    private static void assertFiltered(Map<String, String> filter, List<CapturedEvent> all,
            java.util.function.Predicate<CapturedEvent> expected) {
        Map<String, Object> params = new java.util.HashMap<>(Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0), "to", iso(T0 + 60 * SECOND), "limit", 10000));
        params.putAll(filter);
        JsonNode page = json(Api.ok("/v1/events", params));
        List<String> want = eventIds(all.stream().filter(expected).toList());
        assertFalse(want.isEmpty(), "the filter " + filter + " selects something");
        assertTrue(want.size() < all.size(), "the filter " + filter + " leaves something out");
        assertEquals(want, texts(page.get("events"), "event_id"), filter.toString());
    }

    @Test
    void shouldFindTheTradesOfAnOrderOnEitherSide() {
        List<CapturedEvent> trades = FIXTURES.events("btcusd", Channel.TRADES);
        String buyer = trades.get(10).frame().get("data").get("buy_order_id").asText();
        String seller = trades.get(20).frame().get("data").get("sell_order_id").asText();
        for (String order : List.of(buyer, seller)) {
            JsonNode page = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "trades",
                    "from", iso(T0), "to", iso(T0 + 600 * SECOND), "order_id", order, "limit", 10000)));
            List<String> want = trades.stream()
                    .filter(e -> e.frame().get("data").get("buy_order_id").asText().equals(order)
                            || e.frame().get("data").get("sell_order_id").asText().equals(order))
                    .map(e -> e.frame().get("data").get("id").asText()).toList();
            assertFalse(want.isEmpty());
            assertEquals(want, texts(page.get("events"), "id"));
        }
    }

    @Test
    void shouldReturnAnEmptyCompletePageForAQuietRange() {
        JsonNode page = json(Api.ok("/v1/events", Map.of("pair", "btcusd", "channel", "orders",
                "from", iso(T0 - 3600 * SECOND), "to", iso(T0 - 1800 * SECOND))));
        assertTrue(page.get("events").isEmpty());
        assertTrue(page.get("next_cursor").isNull());
        assertTrue(page.get("coverage").get("complete").booleanValue(), "no gap, confirmed, after the first event");
    }

    static List<String> eventIds(List<CapturedEvent> events) {
        List<String> ids = new ArrayList<>();
        for (CapturedEvent e : events) {
            ids.add(e.frame().has("event_id") ? e.frame().get("event_id").asText() : null);
        }
        return ids;
    }

    static List<String> texts(JsonNode events, String field) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.has(field) ? e.get(field).asText() : null));
        return out;
    }

    static Response get(Map<String, ?> params) {
        return Api.ok("/v1/events", params);
    }
}
