package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CatalogItemsTest {
    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    @Test
    void shouldReadBackAHostsPointsAsWritten() {
        Map<String, CatalogItems.Points> points = Map.of(
                "btcusd#orders", new CatalogItems.Points(10L, 90L, 80L, 95L),
                "btcusd#trades", new CatalogItems.Points(null, null, 70L, 95L));

        Map<String, AttributeValue> item = CatalogItems.hostItem("a", 100, points);

        assertEquals(points, CatalogItems.hostPoints(item));
        assertEquals("~host#a", item.get(TableLayout.SK).s());
        assertEquals(List.of("btcusd#orders", "btcusd#trades"),
                CatalogItems.entries(List.of(item)).stream().map(CatalogItems.Entry::stream).toList());
    }

    @Test
    void shouldReadAHostItemWrittenAsAMapOfPointsBefore20261205() {
        Map<String, AttributeValue> older = new HashMap<>(CatalogItems.hostKey("a"));
        older.put(TableLayout.CATALOG_UPDATED, n(100));
        older.put(CatalogItems.CHANNELS, AttributeValue.fromM(Map.of("btcusd#orders", AttributeValue.fromM(Map.of(
                "f", n(10), "l", n(90), "c", n(80), "r", n(95))))));

        assertEquals(Map.of("btcusd#orders", new CatalogItems.Points(10L, 90L, 80L, 95L)),
                CatalogItems.hostPoints(older));
    }

    @Test
    void shouldReadTheMapOfPointsWhenAnOlderVersionUpdatedTheItemAfterThisOne() {
        Map<String, AttributeValue> item = new HashMap<>(CatalogItems.hostItem("a", 100,
                Map.of("btcusd#orders", new CatalogItems.Points(10L, 90L, 80L, 95L))));
        // an older version's update: SET updated, channels (the compact points stay as they were)
        item.put(TableLayout.CATALOG_UPDATED, n(200));
        item.put(CatalogItems.CHANNELS, AttributeValue.fromM(Map.of("btcusd#orders", AttributeValue.fromM(Map.of(
                "f", n(10), "l", n(190), "c", n(180), "r", n(195))))));

        assertEquals(Map.of("btcusd#orders", new CatalogItems.Points(10L, 190L, 180L, 195L)),
                CatalogItems.hostPoints(item), "not the compact points shifted by the newer updated");
    }

    @Test
    void shouldKeepTheItemOfAHostFollowingTwoHundredChannelsWithinFiveWriteUnits() {
        long updated = 1_795_000_000_000_000L;
        Map<String, CatalogItems.Points> points = new HashMap<>();
        java.util.Random random = new java.util.Random(3);
        for (int pair = 0; pair < 100; pair++) {
            for (String channel : List.of("orders", "trades")) {
                long first = updated - 86_400_000_000L - random.nextInt(1_000_000_000);
                long last = updated - random.nextInt(10_000_000);
                points.put("p" + Integer.toString(pair, 36) + "usd#" + channel, new CatalogItems.Points(first, last,
                        updated - 1_300_000 - random.nextInt(300_000), updated - random.nextInt(1_000_000)));
            }
        }

        Map<String, AttributeValue> item = CatalogItems.hostItem("a", updated, points);

        assertEquals(points, CatalogItems.hostPoints(item));
        long bytes = item.get(CatalogItems.POINTS).b().asByteArray().length;
        assertTrue(bytes < 5 * 1024, "200 channels' points in " + bytes + " bytes");
    }

    @Test
    void shouldCombineHostsAndAnOlderChannelItemAsTheChannelItemsConditionsDid() {
        Map<String, AttributeValue> older = new HashMap<>(Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS("ethusd#orders"),
                TableLayout.CATALOG_FIRST, n(5), TableLayout.CATALOG_LAST, n(60),
                TableLayout.CATALOG_CONFIRMED_UNTIL, n(55)));
        older.put(Hosts.catalogFirst("a"), n(5));
        older.put(Hosts.catalogLast("a"), n(60));
        older.put(Hosts.catalogConfirmedUntil("a"), n(55));
        older.put(Hosts.catalogReceiving("a"), n(58));
        Map<String, AttributeValue> a = CatalogItems.hostItem("a", 200,
                Map.of("ethusd#orders", new CatalogItems.Points(100L, 150L, 140L, null)));
        Map<String, AttributeValue> b = CatalogItems.hostItem("b", 200,
                Map.of("ethusd#orders", new CatalogItems.Points(20L, 170L, 120L, 171L),
                        "xrpusd#trades", new CatalogItems.Points(1L, 2L, 3L, 4L)));

        List<CatalogItems.Entry> entries = CatalogItems.entries(List.of(a, older, b));

        assertEquals(List.of("ethusd#orders", "xrpusd#trades"), entries.stream().map(CatalogItems.Entry::stream).toList());
        CatalogItems.Entry eth = entries.get(0);
        assertEquals(5L, eth.firstMicros(), "the earliest first of any host or item");
        assertEquals(170L, eth.lastMicros(), "the latest last");
        assertEquals(140L, eth.confirmedUntilMicros(), "the latest confirmed_until of any host");
        assertEquals(new Hosts.Span(5L, 150L, 140L), eth.hosts().get("a"),
                "a host's item follows its older points: first the earliest, confirmed_until its latest word");
        assertEquals(new Hosts.Span(20L, 170L, 120L), eth.hosts().get("b"));
        assertEquals(Map.of("a", 58L, "b", 171L), eth.receiving(), "receiving kept from the older item");
    }

    @Test
    void shouldReadATableOfOneUnnamedHostByItsUpdatedTime() {
        Map<String, AttributeValue> oldest = Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS("btcusd#orders"),
                TableLayout.CATALOG_FIRST, n(1), TableLayout.CATALOG_LAST, n(9), TableLayout.CATALOG_UPDATED, n(12));

        CatalogItems.Entry entry = CatalogItems.entries(List.of(oldest)).get(0);

        assertEquals(12L, entry.confirmedUntilMicros());
        assertTrue(entry.hosts().isEmpty());
        assertEquals("btcusd", entry.pair());
        assertEquals(Channel.ORDERS, entry.channel());
    }
}
