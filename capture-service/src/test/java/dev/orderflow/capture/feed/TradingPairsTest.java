package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;

@org.junit.jupiter.api.Timeout(600)
class TradingPairsTest {

    @Test
    void shouldListOnlyEnabledPairsByUrlSymbol() {
        String json = """
                [{"name":"BTC/USD","url_symbol":"btcusd","trading":"Enabled"},
                 {"name":"XYZ/USD","url_symbol":"xyzusd","trading":"Disabled"},
                 {"name":"ETH/USD","url_symbol":"ethusd","trading":"Enabled","extra":1.50}]""";

        assertEquals(List.of("btcusd", "ethusd"), TradingPairs.enabledPairs(json));
    }

    @Test
    void shouldFollowAtMostTheSubscriptionsOneConnectionMayHold() {
        // the exchange closes a connection at its 1,025th subscription: past 512 pairs none would stay subscribed
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            listed.add(String.format("p%03dusd", i));
        }
        listed.add(3, "p001usd"); // listed twice
        List<String> followed = TradingPairs.checked(listed);
        assertEquals(TradingPairs.MAX_PAIRS, followed.size());
        assertEquals(listed.stream().distinct().limit(TradingPairs.MAX_PAIRS).toList(), followed);
        assertEquals(List.of("btcusd"), TradingPairs.checked(List.of("btcusd", "BTC/USD")), "names off the rule");
    }

    @Test
    void shouldRejectAnAnswerThatIsNotAList() {
        assertThrows(IllegalArgumentException.class, () -> TradingPairs.enabledPairs("{\"error\":\"down\"}"));
        assertThrows(IllegalArgumentException.class, () -> TradingPairs.enabledPairs("<html>"));
    }

    @Test
    void shouldReadRecordedTradingPairsInfo() throws IOException {
        String dir = System.getProperty("samples.dir");
        Path file = dir == null ? null : Paths.get(dir, "crypto-market-raw-data__bitstamp.spot.2025-04-30.json");
        Assumptions.assumeTrue(file != null && Files.exists(file),
                "Skipped: recorded trading-pairs-info sample absent (samples.dir = " + dir + ")");
        String json = Files.readString(file);
        List<String> expected = new ArrayList<>();
        for (JsonNode info : Frames.MAPPER.readTree(json)) {
            if (info.path("trading").asText().equals("Enabled")) {
                expected.add(info.path("url_symbol").asText());
            }
        }

        List<String> pairs = TradingPairs.enabledPairs(json);
        assertEquals(expected, pairs);
        assertTrue(pairs.contains("btcusd") && pairs.contains("ethusd"));
    }

    @Test
    void shouldReadRecordedMarketsWithPerpetuals() throws IOException {
        String dir = System.getProperty("samples.dir");
        Path file = dir == null ? null : Paths.get(dir, "ccxt__static_markets_bitstamp.info_rows.json");
        Assumptions.assumeTrue(file != null && Files.exists(file),
                "Skipped: recorded markets sample absent (samples.dir = " + dir + ")");
        JsonNode rows = Frames.MAPPER.readTree(Files.readString(file)).get("rows");
        List<String> pairs = TradingPairs.enabledPairs(rows.toString());
        assertEquals(rows.size(), pairs.size());
        assertTrue(pairs.contains("btcusd") && pairs.contains("btcusd-perp"), pairs.toString());
        assertTrue(pairs.stream().allMatch(dev.orderflow.storage.Pairs::valid), pairs.toString());
    }
}
