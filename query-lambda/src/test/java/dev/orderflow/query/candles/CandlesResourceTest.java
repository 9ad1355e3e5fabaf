package dev.orderflow.query.candles;

import static dev.orderflow.query.Api.iso;
import static dev.orderflow.query.Api.json;
import static dev.orderflow.query.Fixtures.MINUTE;
import static dev.orderflow.query.Fixtures.SECOND;
import static dev.orderflow.query.Fixtures.T1;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.orderflow.query.Api;
import dev.orderflow.query.DynamoDbLocalResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * {@code /v1/trades/candles} against bars computed by hand from the ltcusd trades in {@code Fixtures.LTC_TRADES}
 * (seconds after T1, price, amount, side):
 * <pre>
 *   5 100.50  0.50000000 buy    | 60 99.80 2.00000000 sell | 185 102.125 0.10000000 buy | 250 98.00 0.00000001 sell
 *  20 101.00  1.25000000 sell   | 61 1E+2  1          buy  | 190 102.125 0.30000000 buy | 299 98.50 3.50000000 buy
 *  59  99.75  0.25000000 buy    |                          |                            | 300 97.00 1.00000000 sell
 * </pre>
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@org.junit.jupiter.api.Timeout(600)
class CandlesResourceTest {
    /** start, open, high, low, close, volume, quote_volume, vwap, trades, buy_volume, sell_volume, complete. */
    private static final List<List<String>> ONE_MINUTE = List.of(
            // 100.50×0.5 + 101.00×1.25 + 99.75×0.25 = 201.4375; / 2 = 100.71875 (2 price decimals + 8)
            List.of("2031-02-01T00:00:00.000000Z", "100.50", "101.00", "99.75", "99.75", "2.00000000",
                    "201.4375000000", "100.7187500000", "3", "0.75000000", "1.25000000", "false"),
            // 99.80×2 + 100×1 = 299.6; / 3 = 99.86666… → 99.8666666667; high and low keep the exchange's text
            List.of("2031-02-01T00:01:00.000000Z", "99.80", "1E+2", "99.80", "1E+2", "3.00000000",
                    "299.6000000000", "99.8666666667", "2", "1", "2.00000000", "true"),
            Arrays.asList("2031-02-01T00:02:00.000000Z", null, null, null, null, "0", "0", null, "0", "0", "0",
                    "true"),
            // 102.125×0.4 = 40.85; / 0.4 = 102.125 (3 price decimals + 8)
            List.of("2031-02-01T00:03:00.000000Z", "102.125", "102.125", "102.125", "102.125", "0.40000000",
                    "40.85000000000", "102.12500000000", "2", "0.40000000", "0", "true"),
            // 98.00×0.00000001 + 98.50×3.5 = 344.75000098; / 3.50000001 = 98.49999999857… → 98.4999999986
            List.of("2031-02-01T00:04:00.000000Z", "98.00", "98.50", "98.00", "98.50", "3.50000001",
                    "344.7500009800", "98.4999999986", "2", "3.50000000", "0.00000001", "false"),
            List.of("2031-02-01T00:05:00.000000Z", "97.00", "97.00", "97.00", "97.00", "1.00000000",
                    "97.0000000000", "97.0000000000", "1", "0", "1.00000000", "false"));
    private static final List<String> FIELDS = List.of("start", "open", "high", "low", "close", "volume",
            "quote_volume", "vwap", "trades", "buy_volume", "sell_volume", "complete");

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldComputeOneMinuteBarsExactlyAsByHand() {
        JsonNode answer = json(Api.ok("/v1/trades/candles", Map.of("pair", "ltcusd", "interval", "1m",
                "from", iso(T1), "to", iso(T1 + 6 * MINUTE))));
        assertEquals(ONE_MINUTE, rows(answer.get("candles")));
        // bar 0 starts before the first stored trade, bar 4 holds a disconnect, bar 5 ends after the last
        // confirmed write: the answer as a whole is not complete
        JsonNode coverage = answer.get("coverage");
        assertFalse(coverage.get("complete").booleanValue());
        assertEquals(List.of("gaps", "after_confirmed_writes", "before_first_event"),
                Api.list(coverage.get("reasons")).stream().map(JsonNode::asText).toList());
    }

    @Test
    void shouldRoundFromDownAndToUpToWholeBars() {
        JsonNode answer = json(Api.ok("/v1/trades/candles", Map.of("pair", "ltcusd", "interval", "1m",
                "from", iso(T1 + 30 * SECOND), "to", iso(T1 + 3 * MINUTE + 1))));
        assertEquals("2031-02-01T00:00:00.000000Z", answer.get("from").asText());
        assertEquals("2031-02-01T00:04:00.000000Z", answer.get("to").asText());
        assertEquals(ONE_MINUTE.subList(0, 4), rows(answer.get("candles")));
    }

    @Test
    void shouldGiveTheDefaultNumberOfBarsFromABoundOffTheBarsEdges() {
        // daily bars from noon: the default span (7 days for 1d) in whole bars, not 8 after rounding both ends
        JsonNode answer = json(Api.ok("/v1/trades/candles", Map.of("pair", "ltcusd", "interval", "1d",
                "from", "2031-02-01T12:00:00Z")));
        assertEquals("2031-02-01T00:00:00.000000Z", answer.get("from").asText());
        assertEquals("2031-02-08T00:00:00.000000Z", answer.get("to").asText());
        JsonNode before = json(Api.ok("/v1/trades/candles", Map.of("pair", "ltcusd", "interval", "1d",
                "to", "2031-02-08T12:00:00Z")));
        assertEquals("2031-02-02T00:00:00.000000Z", before.get("from").asText());
        assertEquals("2031-02-09T00:00:00.000000Z", before.get("to").asText());
    }

    @Test
    void shouldAggregateFiveMinuteBars() {
        JsonNode bars = json(Api.ok("/v1/trades/candles", Map.of("pair", "ltcusd", "interval", "5m",
                "from", iso(T1), "to", iso(T1 + 10 * MINUTE)))).get("candles");
        assertEquals(2, bars.size());
        JsonNode first = bars.get(0);
        assertEquals("100.50", first.get("open").asText());
        assertEquals("102.125", first.get("high").asText());
        assertEquals("98.00", first.get("low").asText());
        assertEquals("98.50", first.get("close").asText());
        assertEquals("8.90000001", first.get("volume").asText()); // 0.5+1.25+0.25+2+1+0.1+0.3+0.00000001+3.5
        assertEquals(9, first.get("trades").intValue());
        assertEquals("97.00", bars.get(1).get("open").asText());
        assertEquals(1, bars.get(1).get("trades").intValue());
    }

    @Test
    void shouldGiveTheSameBarsAsCsvAndNdjson() throws IOException {
        Map<String, Object> query = Map.of("pair", "ltcusd", "interval", "1m", "from", iso(T1),
                "to", iso(T1 + 6 * MINUTE));
        List<JsonNode> ndjson = Api.ndjson(Api.ok("/v1/trades/candles", with(query, "format", "ndjson")));
        assertEquals(ONE_MINUTE, rows(ndjson));

        byte[] csv = Api.ok("/v1/trades/candles", with(query, "format", "csv")).asByteArray();
        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv)) {
            for (Iterator<Map<String, String>> i = it; i.hasNext();) {
                Map<String, String> row = i.next();
                rows.add(FIELDS.stream().map(f -> row.get(f).isEmpty() ? null : row.get(f)).toList());
            }
        }
        assertEquals(ONE_MINUTE, rows);
    }

    @Test
    void shouldRejectMoreBarsThanAllowedAndUnknownIntervals() {
        Api.request().queryParams(Map.of("pair", "ltcusd", "interval", "1m", "from", iso(T1),
                "to", iso(T1 + 1501 * MINUTE))).get("/v1/trades/candles")
                .then().statusCode(400).contentType("application/problem+json").body("parameter", equalTo("to"));
        Api.request().queryParams(Map.of("pair", "ltcusd", "interval", "1h", "from", iso(T1),
                "to", iso(T1 + 8 * 24 * 60 * MINUTE))).get("/v1/trades/candles")
                .then().statusCode(400).body("parameter", equalTo("to"));
        Api.request().queryParams(Map.of("pair", "ltcusd", "interval", "2m")).get("/v1/trades/candles")
                .then().statusCode(400).body("parameter", equalTo("interval"));
        Api.request().queryParams(Map.of("pair", "ltcusd")).get("/v1/trades/candles")
                .then().statusCode(400).body("parameter", equalTo("interval"));
    }

    private static List<List<String>> rows(JsonNode candles) {
        return rows(Api.list(candles));
    }

    private static List<List<String>> rows(List<JsonNode> candles) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode bar : candles) {
            List<String> row = new ArrayList<>();
            for (String f : FIELDS) {
                row.add(bar.get(f).isNull() ? null : bar.get(f).asText());
            }
            rows.add(row);
        }
        assertTrue(candles.stream().allMatch(b -> b.get("open").isNull() || b.get("open").isTextual()));
        return rows;
    }

    private static Map<String, Object> with(Map<String, Object> params, String name, Object value) {
        Map<String, Object> out = new java.util.HashMap<>(params);
        out.put(name, value);
        return out;
    }
}
