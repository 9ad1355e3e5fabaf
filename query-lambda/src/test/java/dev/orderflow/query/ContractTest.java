package dev.orderflow.query;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Fixtures.MINUTE;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T0;
import static dev.orderflow.query.Fixtures.T1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every endpoint's real answers, in every format and as problems, held to the served OpenAPI document
 * ({@link Contract}); the book's are in {@code BookResourceTest}.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class ContractTest {
    /** A range with odd frames (unknown fields, clashes), a chain break and a page cut by the limit. */
    private static final Map<String, Object> EVENTS = Map.of("pair", "btcusd", "channel", "orders",
            "from", iso(T0), "to", iso(T0 + 8 * MINUTE), "limit", 500);
    private static final Map<String, Object> CANDLES = Map.of("pair", "ltcusd", "interval", "1m",
            "from", iso(T1), "to", iso(T1 + 6 * MINUTE));

    @Test
    void shouldAnswerEventsAsDocumentedInEveryFormat() {
        for (String format : new String[] {"json", "ndjson", "csv"}) {
            Contract.assertDocumented("/v1/events", Api.ok("/v1/events", with(EVENTS, "format", format)));
        }
        Contract.assertDocumented("/v1/events", Api.ok("/v1/events", with(EVENTS, "channel", "trades")));
        Contract.assertDocumented("/v1/events", problem("/v1/events", with(EVENTS, "limit", "0"), 400));
        Contract.assertDocumented("/v1/events", Api.request().header("Accept", "image/png").queryParams(EVENTS)
                .get("/v1/events").then().statusCode(406).extract().response());
    }

    @Test
    void shouldAnswerGapsPairsAndCandlesAsDocumented() {
        Map<String, Object> gaps = Map.of("pair", "btcusd", "channel", "orders", "from", iso(T0),
                "to", iso(T0 + 10 * MINUTE));
        Contract.assertDocumented("/v1/gaps", Api.ok("/v1/gaps", gaps));
        Contract.assertDocumented("/v1/gaps", Api.ok("/v1/gaps", with(gaps, "records", "hosts")));
        Contract.assertDocumented("/v1/gaps", problem("/v1/gaps", with(gaps, "records", "some"), 400));
        Contract.assertDocumented("/v1/pairs", Api.ok("/v1/pairs", Map.of()));
        for (String format : new String[] {"json", "ndjson", "csv"}) {
            Contract.assertDocumented("/v1/trades/candles", Api.ok("/v1/trades/candles",
                    with(CANDLES, "format", format)));
        }
        Contract.assertDocumented("/v1/trades/candles", problem("/v1/trades/candles",
                with(CANDLES, "interval", "7q"), 400));
    }

    /** The check itself: a field the document does not name, or a value of another type, fails it. */
    @Test
    void shouldRejectAnAnswerWithAFieldTheDocumentDoesNotName() {
        Response page = Api.ok("/v1/events", EVENTS);
        ObjectNode body = (ObjectNode) Api.json(page);
        body.put("surprise", 1);
        assertThrows(AssertionError.class, () -> Contract.assertDocumentedBody("/v1/events", 200,
                "application/json", body));
        ObjectNode coverage = (ObjectNode) Api.json(page).deepCopy();
        ((ObjectNode) coverage.get("coverage")).put("complete", "yes");
        assertThrows(AssertionError.class, () -> Contract.assertDocumentedBody("/v1/events", 200,
                "application/json", coverage));
        assertEquals(200, page.statusCode());
    }

    private static Response problem(String path, Map<String, ?> params, int status) {
        return Api.request().queryParams(params).get(path).then().statusCode(status).extract().response();
    }

    private static Map<String, Object> with(Map<String, Object> params, String name, Object value) {
        Map<String, Object> copy = new HashMap<>(params);
        copy.put(name, value);
        return copy;
    }
}
