package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.capture.store.RecordingQueue;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * DynamoDB down long enough that the journal is full and memory at its bound: the events that can be neither
 * journaled nor held are dropped, and exactly that stretch is recorded as one {@code not_kept} gap record.
 */
@Timeout(60)
class NotKeptTest {
    private static final long T = 1_790_000_000_000_000L;

    @Test
    void shouldRecordExactlyTheEventsThatCouldNotBeKeptAsOneNotKeptGap() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingQueue queue = new RecordingQueue(registry, 2_000, 4_000); // journal and memory hold a few events
        BitstampProtocol protocol = TestProtocols.create(queue, 10_000_000_000L, registry);
        protocol.subscribeFrames(List.of("btcusd"));
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            ids.add(eventId(i));
            protocol.onFrame(order(i), T + i * 1_000L);
        }
        int firstLost = queue.events().size() + 1; // DynamoDB is back: memory frees
        assertTrue(firstLost < 60, "some were dropped");
        protocol.onFrame(order(61), T + 61_000L);
        ids.add(eventId(61));
        List<CapturedEvent> kept = queue.events(); // everything handed to the writer, in order

        List<GapRecord> gaps = queue.keptAside().stream().filter(i -> i.containsKey(GapItems.GAP_KIND))
                .map(GapItems::gapFromItem).toList();
        assertEquals(List.of(new GapRecord("btcusd", dev.orderflow.storage.Channel.ORDERS, GapRecord.Kind.NOT_KEPT,
                T + (firstLost - 1) * 1_000L, T + 61_000L, eventId(firstLost - 1), eventId(61), null,
                "events dropped: the journal was full and memory at its bound")), gaps,
                "from the last event kept to the first kept after");
        List<String> keptIds = kept.stream().map(e -> e.frame().path("event_id").asText()).toList();
        List<String> expected = new ArrayList<>(ids.subList(0, firstLost - 1));
        expected.add(eventId(61));
        assertEquals(expected, keptIds, "every other event is kept, in order");
        assertTrue(registry.get("capture.journal.unjournaled").counter().count() > 0);
    }

    private static String eventId(int i) {
        return String.format("00065b2a-0a00-03e8-0000-%012d", i);
    }

    private static String order(int i) {
        return "{\"event\":\"order_created\",\"channel\":\"live_orders_btcusd\",\"event_id\":\"" + eventId(i)
                + "\",\"pre_event_id\":\"" + eventId(i - 1) + "\",\"data\":{\"id\":" + i + ",\"microtimestamp\":\""
                + (T + i * 1_000L) + "\",\"price_str\":\"100.00\",\"amount_str\":\"0.50000000\"}}";
    }
}
