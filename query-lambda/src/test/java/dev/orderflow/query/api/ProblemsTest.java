package dev.orderflow.query.api;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import dev.orderflow.query.LambdaEvents;
import dev.orderflow.storage.Frames;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** Bad input gets a 400 (or 404, 405, 406) RFC 9457 problem that names what is wrong; nothing gets a 5xx. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class ProblemsTest {
    private static final String FROM = iso(T0);
    private static final String TO = iso(T0 + 60 * SECOND);

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    /** (query string, parameter the problem must name, text the detail must contain). */
    private static final String[][] BAD_EVENTS_QUERIES = {
        {"channel=orders", "pair", "required"},
        {"pair=dogeusd&channel=orders", "pair", "btcusd"},
        {"pair=BTC%2FUSD&channel=orders", "pair", "pair name"},
        {"pair=btcusd", "channel", "required"},
        {"pair=btcusd&channel=book", "channel", "orders or trades"},
        {"pair=btcusd&channel=orders&from=" + TO + "&to=" + FROM, "to", "later than"},
        {"pair=btcusd&channel=orders&from=" + FROM + "&to=" + FROM, "to", "later than"},
        {"pair=btcusd&channel=orders&from=yesterday", "from", "ISO-8601"},
        {"pair=btcusd&channel=orders&to=2031-13-01T00:00:00Z", "to", "ISO-8601"},
        {"pair=btcusd&channel=orders&from=-5", "from", "ISO-8601"},
        {"pair=btcusd&channel=orders&from=99999999999999999", "from", "between"},
        {"pair=btcusd&channel=orders&from=1900-01-01", "from", "between"},
        {"pair=btcusd&channel=orders&from=2031-01-01&to=2031-01-03", "to", "at most 24 h"},
        {"pair=btcusd&channel=orders&cursor=abc", "cursor", "cursor"},
        {"pair=btcusd&channel=orders&format=xml", "format", "json, ndjson, csv"},
        {"pair=btcusd&channel=orders&limit=0", "limit", "1 to 10000"},
        {"pair=btcusd&channel=orders&limit=10001", "limit", "1 to 10000"},
        {"pair=btcusd&channel=orders&limit=ten", "limit", "1 to 10000"},
        {"pair=btcusd&channel=orders&limit=1.5", "limit", "1 to 10000"},
        {"pair=btcusd&channel=orders&type=order_exploded", "type", "order_created, order_changed, order_deleted"},
        {"pair=btcusd&channel=orders&type=trade", "type", "channel orders"},
        {"pair=btcusd&channel=trades&type=order_created", "type", "channel trades: trade"},
        {"pair=btcusd&channel=orders&type=order_created,,order_deleted", "type", "comma list"},
        {"pair=btcusd&channel=orders&side=long", "side", "buy or sell"},
        {"pair=btcusd&channel=orders&order_id=12ab", "order_id", "digits"},
        {"pair=btcusd&channel=orders&sides=buy", "sides", "This path takes"},
        {"pair=btcusd&pair=ethusd&channel=orders", "pair", "once"},
        {"pair=btcusd&channel=orders&from=", "from", "empty"},
    };

    @Test
    void shouldAnswerEveryBadEventsParameterWithAProblemNamingIt() {
        for (String[] bad : BAD_EVENTS_QUERIES) {
            Response response = Api.request().urlEncodingEnabled(false).get("/v1/events?" + bad[0])
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:orderflow:problem:invalid-parameter"))
                    .body("status", equalTo(400))
                    .body("parameter", equalTo(bad[1]))
                    .body("detail", containsString(bad[2]))
                    .body("instance", equalTo("/v1/events"))
                    .extract().response();
            assertFalse(response.body().asString().contains("Exception"), bad[0]);
        }
    }

    @Test
    void shouldAnswerBadParametersOfTheOtherPathsWithProblems() {
        String[][] cases = {
            {"/v1/gaps?channel=orders", "pair"},
            {"/v1/gaps?pair=btcusd", "channel"},
            {"/v1/gaps?pair=btcusd&channel=orders&from=" + TO + "&to=" + FROM, "to"},
            {"/v1/gaps?pair=nopair&channel=orders", "pair"},
            {"/v1/trades/candles?pair=btcusd&interval=1m&format=pdf", "format"},
            {"/v1/trades/candles?pair=btcusd&interval=1m&from=soon", "from"},
            {"/v1/trades/candles?pair=nopair&interval=1m", "pair"},
            {"/v1/pairs?limit=5", "limit"},
        };
        for (String[] bad : cases) {
            Api.request().urlEncodingEnabled(false).get(bad[0])
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("parameter", equalTo(bad[1]));
        }
    }

    @Test
    void shouldAnswerUnknownPathsWith404Problems() {
        for (String path : List.of("/v2/events", "/v1/event", "/v1/trades", "/v1/events/btcusd", "/", "/q/nothing")) {
            Api.request().get(path)
                    .then().statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .body("status", equalTo(404))
                    .body("title", not(equalTo("")));
        }
    }

    @Test
    void shouldAnswerOtherMethodsWith405Problems() {
        Api.request().body("{}").post("/v1/events?pair=btcusd&channel=orders")
                .then().statusCode(405).contentType("application/problem+json").body("status", equalTo(405));
        Api.request().delete("/v1/pairs")
                .then().statusCode(405).contentType("application/problem+json");
    }

    /**
     * Sends each query string as API Gateway would, in a payload v2 event straight to the function (an HTTP client
     * would refuse some of them, e.g. empty parameter names).
     */
    @Test
    void shouldNeverAnswerWith5xxToThousandsOfGeneratedBadAndOddQueryStrings() throws IOException {
        Random random = new Random(9457);
        List<String> paths = List.of("/v1/events", "/v1/gaps", "/v1/pairs", "/v1/trades/candles");
        List<String> names = List.of("pair", "channel", "from", "to", "type", "side", "order_id", "limit", "cursor",
                "format", "interval", "", "PAIR", "from[]", "x", "%00", "pair ", "limit\t");
        List<String> values = List.of("", " ", "btcusd", "BTCUSD", "ethusd", "ltcusd", "orders", "trades",
                "trade", "order_created,order_deleted", ",", ",,,", "buy", "sell", "1m", "5m", "1h", "1d", "0", "-1",
                "1", "10000", "10001", "2147483648", "99999999999999999999", "1e3", "0x10", "NaN", "Infinity",
                FROM, TO, "2031-01-01", "2031-01-01T10:00", "2031-01-01T10:00:00.123456789Z", "2031-02-30T00:00:00Z",
                "2031-01-01T10:00:00+25:00", "1925028000000", "1925028000000.5", "9999-12-31T23:59:59Z",
                "0000-01-01T00:00:00Z", "json", "ndjson", "csv", "JSON", "xml", "null", "true", "[]", "{}",
                "\"quoted\"", "'; DROP TABLE orderflow; --", "../../etc/passwd", "<script>alert(1)</script>",
                "日本語", "ü", "\u0000", "\n", "\r\n", "\u007f", "%", "%25", "+", "a+b", "=", "&", "#", "?",
                "A".repeat(300), "9".repeat(41), "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "AQAGYnRjdXNkAAAG1s2CH2gAAAbWzYIuqkAAAAAAABExOTI1MDI4MDAwMDAwIzAwMAAAAAMABtbNgiHNSNcAFm5n");
        int answered = 0;
        for (int i = 0; i < 2000; i++) {
            String path = paths.get(random.nextInt(paths.size()));
            StringBuilder query = new StringBuilder();
            int count = random.nextInt(7);
            for (int p = 0; p < count; p++) {
                if (p > 0) {
                    query.append(random.nextInt(20) == 0 ? "&&" : "&");
                }
                query.append(encode(names.get(random.nextInt(names.size())), random));
                if (random.nextInt(15) != 0) {
                    query.append('=').append(encode(values.get(random.nextInt(values.size())), random));
                }
            }
            String accept = random.nextInt(8) == 0 ? "image/png" : "*/*";
            JsonNode response = LambdaEvents.invoke(path, query.toString(), Map.of("accept", accept));
            int status = response.get("statusCode").intValue();
            String context = status + " for " + path + "?" + query;
            assertTrue(status < 500, context + ": " + response);
            if (status >= 400) {
                assertWellFormedProblem(response, context);
            }
            answered++;
        }
        assertEquals(2000, answered);
    }

    private static String encode(String text, Random random) {
        // mostly percent-encoded as a client would, sometimes with '+' for spaces
        String encoded = URLEncoder.encode(text, StandardCharsets.UTF_8);
        return random.nextInt(4) == 0 ? encoded.replace("%2C", ",").replace("%3A", ":") : encoded;
    }

    private static void assertWellFormedProblem(JsonNode response, String context) throws IOException {
        assertEquals("application/problem+json", response.get("headers").get("Content-Type").asText(), context);
        assertFalse(response.get("isBase64Encoded").booleanValue(), context);
        JsonNode problem = Frames.MAPPER.readTree(response.get("body").asText());
        assertTrue(problem.get("type").asText().startsWith("urn:orderflow:problem:"), context);
        assertFalse(problem.get("title").asText().isBlank(), context);
        assertEquals(response.get("statusCode").intValue(), problem.get("status").intValue(), context);
        assertFalse(problem.get("detail").asText().isBlank(), context);
    }

    @Test
    void shouldAnswerRequestLinesThatAreNotValidUrisWith400() {
        // API Gateway may pass such request lines on; Quarkus' HTTP layer refuses them before any application code
        // runs, with an empty 400 (not a problem body): the point here is that it is a 4xx, never a 5xx. (A raw
        // space cannot reach the function: it would end the HTTP request line.)
        List<String[]> lines = new ArrayList<>(List.of(
                new String[] {"/v1/events", "pair=%zz&channel=orders"},
                new String[] {"/v1/events", "pair=%&channel=orders"},
                new String[] {"/v1/ev%ents", ""},
                new String[] {"/v1/events", "pair=a|b"}));
        for (String[] line : lines) {
            JsonNode response = LambdaEvents.invoke(line[0], line[1]);
            assertEquals(400, response.get("statusCode").intValue(), String.join("?", line));
        }
        // well-formed but odd: a real problem
        JsonNode odd = LambdaEvents.invoke("/v1/events", "pair=%F0%9F%92%A5&channel=orders");
        assertEquals(400, odd.get("statusCode").intValue());
        assertEquals("application/problem+json", odd.get("headers").get("Content-Type").asText());
        assertTrue(odd.get("body").asText().contains("\"parameter\":\"pair\""));
    }

    @Test
    void shouldCarryTheLambdaRequestIdInProblems() {
        Response response = Api.request().get("/v1/events?pair=btcusd")
                .then().statusCode(400).extract().response();
        assertEquals(response.header(LambdaRequestId.HEADER),
                Api.json(response).get("request_id").asText());
    }

    @Test
    void shouldNameParametersInTheOrderTheyAreDocumentedWhenSeveralAreWrong() {
        Api.request().queryParams(Map.of("pair", "btcusd", "channel", "nope", "limit", "-3"))
                .get("/v1/events")
                .then().statusCode(400).body("parameter", equalTo("channel"));
    }
}
