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

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
        // the range's gaps_url, echoing the defaults, is a query the API answers
        String url = answer.get("coverage").get("gaps_url").asText();
        assertEquals(200, io.restassured.RestAssured.given().urlEncodingEnabled(false).get(url).statusCode(), url);
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

    @Test
    void shouldCountAnUnreadableRecordAsAGapWithSeveralCaptureHosts() {
        long t = T0 + 9_000 * SECOND;
        DynamoDbClient db = twoHostsFrom(t, "avaxusd");
        Map<String, AttributeValue> damaged = new java.util.HashMap<>(GapItems.toItem(new GapRecord("avaxusd",
                Channel.ORDERS, GapRecord.Kind.DISCONNECT, t + 10 * SECOND, t + 20 * SECOND, null, null, null,
                "disconnect").byHost("a")));
        damaged.put(GapItems.GAP_KIND, AttributeValue.fromS("no such kind"));
        db.putItem(b -> b.tableName(DynamoDbLocalResource.TABLE).item(damaged));

        JsonNode answer = json(Api.ok("/v1/gaps", Map.of("pair", "avaxusd", "channel", "orders",
                "from", iso(t), "to", iso(t + 50 * SECOND))));
        assertEquals(1, answer.get("gaps").size(), answer.toString());
        assertFalse(answer.get("coverage").get("complete").booleanValue());
    }

    @Test
    void shouldAnswerForTheUnionOfSeveralCaptureHosts() {
        long t = T0 + 7_200 * SECOND;
        DynamoDbClient db = twoHostsFrom(t, "solusd");
        for (GapRecord gap : List.of(
                gap(GapRecord.Kind.DISCONNECT, t + 10 * SECOND, t + 20 * SECOND, "a"),
                gap(GapRecord.Kind.DISCONNECT, t + 15 * SECOND, t + 30 * SECOND, "b"),
                gap(GapRecord.Kind.CHAIN_BREAK, t + 50 * SECOND, t + 51 * SECOND, "a"))) { // b saw those events
            db.putItem(b -> b.tableName(DynamoDbLocalResource.TABLE).item(GapItems.toItem(gap)));
        }

        JsonNode all = json(Api.ok("/v1/gaps", Map.of("pair", "solusd", "channel", "orders")));
        assertEquals(1, all.get("gaps").size(), all.toString());
        JsonNode both = all.get("gaps").get(0);
        assertEquals(t + 15 * SECOND, both.get("from_microtimestamp").longValue());
        assertEquals(t + 20 * SECOND, both.get("to_microtimestamp").longValue());
        assertEquals("[\"a\",\"b\"]", both.get("hosts").toString());
        assertFalse(all.get("coverage").get("complete").booleanValue());

        JsonNode onlyA = json(Api.ok("/v1/gaps", Map.of("pair", "solusd", "channel", "orders",
                "from", iso(t + 40 * SECOND), "to", iso(t + 60 * SECOND))));
        assertTrue(onlyA.get("gaps").isEmpty(), onlyA.toString());
        assertTrue(onlyA.get("coverage").get("complete").booleanValue(), onlyA.toString());

        // each host's own records, each said covered by the other host or not
        JsonNode own = json(Api.ok("/v1/gaps", Map.of("pair", "solusd", "channel", "orders", "records", "hosts")));
        assertEquals(3, own.get("gaps").size(), own.toString());
        assertEquals(List.of("[\"a\"]/false", "[\"b\"]/false", "[\"a\"]/true"), Api.list(own.get("gaps")).stream()
                .map(g -> g.get("hosts") + "/" + g.get("covered").booleanValue()).toList());
        Api.request().queryParams(Map.of("pair", "solusd", "channel", "orders", "records", "some")).get("/v1/gaps")
                .then().statusCode(400).body("parameter", org.hamcrest.Matchers.equalTo("records"));
    }

    /** The catalog of a pair's orders captured by hosts a and b, both from {@code t} to {@code t} + 100 s. */
    private static DynamoDbClient twoHostsFrom(long t, String pair) {
        Map<String, AttributeValue> catalog = new java.util.HashMap<>(Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(TableLayout.chunkPk(pair, Channel.ORDERS)),
                TableLayout.CATALOG_FIRST, num(t), TableLayout.CATALOG_LAST, num(t + 100 * SECOND),
                TableLayout.CATALOG_CONFIRMED_UNTIL, num(t + 100 * SECOND)));
        for (String host : List.of("a", "b")) {
            catalog.put(Hosts.catalogFirst(host), num(t));
            catalog.put(Hosts.catalogLast(host), num(t + 100 * SECOND));
            catalog.put(Hosts.catalogConfirmedUntil(host), num(t + 100 * SECOND));
        }
        DynamoDbClient db = LocalTables.direct();
        db.putItem(b -> b.tableName(DynamoDbLocalResource.TABLE).item(catalog));
        return db;
    }

    private static GapRecord gap(GapRecord.Kind kind, long from, long to, String host) {
        return new GapRecord("solusd", Channel.ORDERS, kind, from, to, null, null, null, kind.apiName()).byHost(host);
    }

    private static AttributeValue num(long micros) {
        return AttributeValue.fromN(Long.toString(micros));
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
