package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A channel's own items and its sections of shared items, read as one sequence of chunks. */
@Timeout(30)
class ChannelChunksTest {
    private static final long T = 1_790_000_000_000_000L;
    private static final long SLOT = TableLayout.SLOT_MICROS;

    /** Partitions as a table holds them: pk, then items by sort key. */
    private final Map<String, TreeMap<String, Map<String, AttributeValue>>> table = new TreeMap<>();

    @Test
    void shouldReadSectionsAndItemsOfItsOwnInKeyOrderSkippingOtherChannelsSections() throws IOException {
        own("btcusd", 0, 0, List.of(event("btcusd", 0, "a0", 0), event("btcusd", 1, "a1", 0)));
        own("btcusd", 0, 1, List.of(event("btcusd", 2, "a2", 0)));
        shared(SLOT, Map.of("btcusd", List.of(event("btcusd", SLOT + 5, "b0", 0)),
                "ethusd", List.of(event("ethusd", SLOT + 6, "x0", 0))));
        own("btcusd", 2 * SLOT, 0, List.of(event("btcusd", 2 * SLOT + 1, "c0", 0)));
        shared(3 * SLOT, Map.of("ethusd", List.of(event("ethusd", 3 * SLOT + 1, "x1", 0))));

        assertEquals(List.of("a0", "a1", "a2", "b0", "c0"), ids(read("btcusd", 0, 4 * SLOT)));
        assertEquals(List.of("x0", "x1"), ids(read("ethusd", 0, 4 * SLOT)));
        assertEquals(List.of("b0", "c0"), ids(read("btcusd", SLOT, 4 * SLOT)), "from a later slot's key");
    }

    @Test
    void shouldReadASlotStoredBothWaysAsOneChunkOfItsUnionEachEventOnceWithItsEarliestReceiveTime()
            throws IOException {
        own("btcusd", 0, 0, List.of(event("btcusd", 1, "e1", 900), event("btcusd", 3, "e3", 0)));
        own("btcusd", 0, 1, List.of(event("btcusd", 4, "e4", 0)));
        shared(0, Map.of("btcusd", List.of(event("btcusd", 0, "e0", 0), event("btcusd", 1, "e1", 100),
                event("btcusd", 2, "e2", 0))));
        own("btcusd", SLOT, 0, List.of(event("btcusd", SLOT + 1, "f0", 0)));

        List<Map<String, AttributeValue>> chunks = read("btcusd", 0, 2 * SLOT);
        assertEquals(2, chunks.size());
        assertEquals(TableLayout.chunkSk(0 + T, 0), chunks.get(0).get(TableLayout.SK).s());
        assertEquals(List.of("e0", "e1", "e2", "e3", "e4", "f0"), ids(chunks));
        CapturedEvent e1 = TableLayout.fromItem(chunks.get(0)).orElseThrow().events().get(1);
        assertEquals(T + 1 + 100, e1.receivedMicros(), "the earliest receive time any host had");
    }

    @Test
    void shouldReadTheSharedItemsOnlyAsFarAsTheOwnItemsReached() throws IOException {
        for (int slot = 0; slot < 50; slot++) {
            own("btcusd", slot * SLOT, 0, List.of(event("btcusd", slot * SLOT + 1, "b" + slot, 0)));
            shared(slot * SLOT, Map.of("ethusd", List.of(event("ethusd", slot * SLOT + 2, "x" + slot, 0))));
        }
        int[] sharedRead = {0};
        java.util.Iterator<Map<String, AttributeValue>> chunks = ChannelChunks.read((pk, fromSk, toSk) -> {
            java.util.Iterator<Map<String, AttributeValue>> items = table.getOrDefault(pk, new TreeMap<>())
                    .subMap(fromSk, true, toSk, true).values().iterator();
            return !QuietItems.isShared(pk) ? items : new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return items.hasNext();
                }

                @Override
                public Map<String, AttributeValue> next() {
                    sharedRead[0]++;
                    return items.next();
                }
            };
        }, "btcusd", Channel.ORDERS, TableLayout.lowestSk(T), TableLayout.highestSk(T + 50 * SLOT));

        chunks.next();
        chunks.next();
        assertEquals(true, sharedRead[0] <= 3, "shared items read for two own chunks: " + sharedRead[0]);
    }

    @Test
    void shouldHandOnTheItemsOfASlotStoredBothWaysOneByOneWhenOneCannotBeDecoded() throws IOException {
        own("btcusd", 0, 0, List.of(event("btcusd", 1, "e1", 0)));
        Map<String, AttributeValue> damaged = new java.util.HashMap<>(table.get("btcusd#orders").firstEntry().getValue());
        damaged.put(TableLayout.PAYLOAD, AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(
                new byte[] {1, 2, 3})));
        table.get("btcusd#orders").put(damaged.get(TableLayout.SK).s(), damaged);
        shared(0, Map.of("btcusd", List.of(event("btcusd", 0, "e0", 0))));

        List<Map<String, AttributeValue>> chunks = read("btcusd", 0, SLOT);

        assertEquals(2, chunks.size(), "the section and the damaged item, each as stored");
    }

    private List<Map<String, AttributeValue>> read(String pair, long from, long to) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ChannelChunks.read((pk, fromSk, toSk) -> table.getOrDefault(pk, new TreeMap<>()).subMap(fromSk, true, toSk,
                true).values().iterator(), pair, Channel.ORDERS, TableLayout.lowestSk(T + from),
                TableLayout.highestSk(T + to)).forEachRemaining(out::add);
        return out;
    }

    private void own(String pair, long slot, int part, List<CapturedEvent> events) {
        Map<String, AttributeValue> item = TableLayout.toItem(pair, Channel.ORDERS, T + slot, part, events, 1);
        table.computeIfAbsent(item.get(TableLayout.PK).s(), k -> new TreeMap<>()).put(item.get(TableLayout.SK).s(), item);
    }

    private void shared(long slot, Map<String, List<CapturedEvent>> byPair) {
        for (Map.Entry<String, List<CapturedEvent>> e : byPair.entrySet()) {
            int group = QuietItems.group(e.getKey(), Channel.ORDERS);
            String pk = QuietItems.pk(group);
            String sk = QuietItems.sk(T + slot);
            Map<String, AttributeValue> stored = table.computeIfAbsent(pk, k -> new TreeMap<>()).get(sk);
            Map<String, AttributeValue> sections = new java.util.HashMap<>(stored == null ? Map.of()
                    : QuietItems.sections(stored));
            sections.put(TableLayout.chunkPk(e.getKey(), Channel.ORDERS), QuietItems.section(e.getValue()));
            table.get(pk).put(sk, QuietItems.item(group, T + slot, sections, Set.of("a"), 1));
        }
    }

    private static List<String> ids(List<Map<String, AttributeValue>> chunks) {
        List<String> ids = new ArrayList<>();
        for (Map<String, AttributeValue> chunk : chunks) {
            TableLayout.fromItem(chunk).orElseThrow().events().forEach(e -> ids.add(e.frame().path("event_id").asText()));
        }
        return ids;
    }

    private static CapturedEvent event(String pair, long offset, String id, long receivedAfter) throws IOException {
        return new CapturedEvent(T + offset, T + offset + receivedAfter, Frames.parse("{\"event\":\"order_created\","
                + "\"channel\":\"live_orders_" + pair + "\",\"event_id\":\"" + id + "\",\"data\":{\"id\":1,"
                + "\"microtimestamp\":\"" + (T + offset) + "\"}}"));
    }
}
