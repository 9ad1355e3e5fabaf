package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PairsTest {

    @Test
    void shouldAcceptSpotAndPerpetualMarketNames() {
        for (String name : List.of("btcusd", "usdcusd", "btcusd-perp", "asterusd-perp", "1inchusd")) {
            assertTrue(Pairs.valid(name), name);
        }
        for (String name : List.of("BTCUSD", "b", "btc_usd", "btcusd-", "-perp", "btcusd-perp-x", "btc#usd", "",
                "all ")) {
            assertFalse(Pairs.valid(name), name);
        }
        assertFalse(Pairs.valid(null));
    }

    @Test
    void shouldParseAListOrRefuseItNamingTheBadEntry() {
        assertEquals(List.of("btcusd", "ethusd", "btcusd-perp"), Pairs.parseList(" btcusd,ETHUSD,,btcusd, btcusd-perp"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pairs.parseList("btcusd,btc_usd"));
        assertTrue(e.getMessage().contains("btc_usd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pairs.parseList(" , "));
        assertTrue(Pairs.isAll(" ALL "));
        assertFalse(Pairs.isAll("all,btcusd"));
    }

    @Test
    void shouldListEnabledMarketsOfEitherEndpoint() throws Exception {
        String markets = "[{\"market_symbol\":\"btcusd\",\"trading\":\"Enabled\",\"market_type\":\"SPOT\"},"
                + "{\"market_symbol\":\"btcusd-perp\",\"trading\":\"Enabled\",\"market_type\":\"PERPETUAL\"},"
                + "{\"market_symbol\":\"xyzusd\",\"trading\":\"Disabled\"},"
                + "{\"url_symbol\":\"ethusd\",\"trading\":\"Enabled\"}]";
        assertEquals(List.of("btcusd", "btcusd-perp", "ethusd"), Pairs.enabledMarkets(Frames.MAPPER.readTree(markets)));
        assertThrows(IllegalArgumentException.class, () -> Pairs.enabledMarkets(Frames.MAPPER.readTree("{}")));
    }
}
