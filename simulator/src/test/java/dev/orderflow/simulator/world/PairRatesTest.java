package dev.orderflow.simulator.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class PairRatesTest {

    @Test
    void shouldExpandAllIntoAHundredDistinctPairsBusiestFirst() {
        List<String> all = PairRates.expand(List.of("all"));
        assertEquals(PairRates.PAIRS, all.size());
        assertEquals(PairRates.PAIRS, new HashSet<>(all).size());
        assertEquals("btcusd", all.get(0));
        assertEquals(List.of("btcusd", "ethusd"), PairRates.expand(List.of("btcusd", "ethusd")));
    }

    @Test
    void shouldGiveAFewPairsMostEventsAndMostPairsFew() {
        Map<String, Double> rates = PairRates.rates(List.of("all"), 70);
        double total = rates.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(70, rates.get("btcusd"), 1e-9);
        assertTrue(total > 200 && total < 300, "about 250 events/s in all: " + total);
        long quiet = rates.values().stream().filter(r -> r < 1).count();
        assertTrue(quiet > PairRates.PAIRS / 2, quiet + " pairs under one event a second");
        double topFive = rates.values().stream().limit(5).mapToDouble(Double::doubleValue).sum();
        assertTrue(topFive > total / 2, "the five busiest send most events");
        assertEquals(Map.of("btcusd", 70.0, "ethusd", 70.0), PairRates.rates(List.of("btcusd", "ethusd"), 70));
    }

    @Test
    void shouldBurstNowAndThenOnlyInTheAllPairsWorld() {
        PairRates.Bursts bursts = new PairRates.Bursts(7, true);
        int burstSeconds = 0;
        int seconds = 100 * PairRates.BURST_EVERY_S;
        for (int s = 0; s < seconds; s++) {
            burstSeconds += bursts.factor(s * 1000L) > 1 ? 1 : 0;
        }
        double share = (double) burstSeconds / seconds;
        assertTrue(share > 0.01 && share < 0.1, "share of seconds in a burst: " + share);
        PairRates.Bursts none = new PairRates.Bursts(7, false);
        for (int s = 0; s < 1000; s++) {
            assertEquals(1, none.factor(s * 1000L));
        }
    }
}
