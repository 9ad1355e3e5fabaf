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
