package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.orderflow.capture.store.RecordingQueue;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What the real exchange does to the protocol step: an event type it does not know on a followed channel, and the
 * overlap of a {@code bts:request_reconnect} switch whose new server is ahead of or behind the old one.
 */
@org.junit.jupiter.api.Timeout(60)
class SwitchAndUnknownEventsTest {
    private static final long T0 = 1_790_000_000_000_000L;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingQueue queue = new RecordingQueue(registry);
    private final BitstampProtocol protocol = TestProtocols.create(queue, 0, registry);

    @BeforeEach
    void subscribe() {
        protocol.subscribeFrames(List.of("btcusd"));
        protocol.onFrame(ack("live_orders_btcusd"), T0);
        protocol.onFrame(ack("live_trades_btcusd"), T0);
    }

    @Test
    void shouldStoreAnUnknownEventTypeWithItsTypeAndKeepTheChain() {
        assertEquals(BitstampProtocol.Reaction.DATA, protocol.onFrame(order(1, "order_created"), T0 + 1));
        assertEquals(BitstampProtocol.Reaction.DATA, protocol.onFrame(order(2, "order_replaced"), T0 + 2));
        assertEquals(BitstampProtocol.Reaction.DATA, protocol.onFrame(order(3, "order_deleted"), T0 + 3));

        assertEquals(List.of("order_created", "order_replaced", "order_deleted"), types());
        assertEquals(List.of(), gaps(), "the chain runs through the unknown event");
        assertTrue(queue.keptAside().isEmpty(), "not a bad frame");
        assertEquals(1.0, registry.get("capture.events.unknown.type").tag("channel", "orders").counter().count());
    }

    @Test
    void shouldTakeTheOverlapInChainOrderWhenTheNewServerIsAhead() {
        take(false, 1, 2, 3);
        protocol.beginOverlap();
        take(true, 6, 7);              // the new server is 2 events ahead: parked
        assertFalse(protocol.overlapJoined());
        take(false, 4, 5);             // the old one catches up: 6 and 7 follow
        assertFalse(protocol.overlapJoined(), "no trade came on both yet");
        protocol.onFrame(trade(1), T0 + 5500, true);
        protocol.onFrame(trade(1), T0 + 5600, false);
        assertTrue(protocol.overlapJoined(), "nothing waits, the new connection delivered, the trades met");
        take(true, 8);
        take(false, 6, 7, 8);          // the old one repeats what the new one sent
        protocol.endOverlap();

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), sequence());
        assertEquals(List.of(), gaps());
        assertEquals(4.0, registry.get("capture.events.duplicate").counter().count(), "3 orders and a trade");
    }

    @Test
    void shouldDropTheRepeatsOfANewServerThatIsBehind() {
        take(false, 1, 2, 3, 4, 5);
        protocol.beginOverlap();
        take(true, 3, 4, 5, 6);
        take(false, 6, 7);
        take(true, 7, 8);
        protocol.endOverlap();

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), sequence());
        assertEquals(List.of(), gaps());
    }

    @Test
    void shouldRecordABreakOnlyWhereTheUnionOfBothConnectionsHasOne() {
        take(false, 1, 2, 3);
        protocol.beginOverlap();
        take(true, 6, 7);              // 4 and 5 never come: the old connection closes first
        take(false);
        protocol.endOverlap();
        take(false, 8);

        assertEquals(List.of(1L, 2L, 3L, 6L, 7L, 8L), sequence());
        List<GapRecord> gaps = gaps();
        assertEquals(2, gaps.size(), gaps.toString()); // the orders chain's break, and the same window of trades
        assertEquals(GapRecord.Kind.CHAIN_BREAK, gaps.get(0).kind());
        assertEquals(id(3), gaps.get(0).lastEventId());
        assertEquals(id(6), gaps.get(0).firstEventIdAfter());
        assertEquals(Channel.TRADES, gaps.get(1).channel());
        assertEquals(gaps.get(0).fromMicros(), gaps.get(1).fromMicros());
        assertEquals(gaps.get(0).toMicros(), gaps.get(1).toMicros());
    }

    @Test
    void shouldRecordTheTradesBetweenWhenTheOldConnectionGoesBeforeItsTradesMetTheNewOnes() {
        take(false, 1, 2);
        protocol.onFrame(trade(1, 2), T0 + 2100, false);    // the last trade the old connection sent
        protocol.beginOverlap();
        take(true, 3, 4);                                    // orders: the new server is ahead...
        take(false, 3, 4);                                   // ...and the old one pays them
        protocol.onFrame(trade(3, 6), T0 + 6100, true);     // trade 2 (at 4 ms) is owed by the old one
        protocol.onFrame(trade(4, 7), T0 + 7100, true);
        protocol.endOverlap();                           // and it closes first

        List<GapRecord> gaps = gaps();
        assertEquals(1, gaps.size(), gaps.toString());
        GapRecord window = gaps.get(0);
        assertEquals(Channel.TRADES, window.channel());
        assertEquals(GapRecord.Kind.DISCONNECT, window.kind());
        assertEquals(T0 + 2000, window.fromMicros(), "the old connection's last trade");
        assertEquals(T0 + 6000, window.toMicros(), "the new one's first");
    }

    @Test
    void shouldRecordTheTradesWindowWhenTheNewConnectionDropsDuringTheSwitch() {
        take(false, 1, 2);
        protocol.onFrame(trade(1, 2), T0 + 2100, false);
        protocol.beginOverlap();
        protocol.onFrame(trade(3, 6), T0 + 6100, true);     // taken: the channel's last trade is now at 6 ms
        protocol.onFrame(trade(4, 6), T0 + 6100, false);    // the old one sends one of that stamp, not trade 3
        protocol.disconnected(T0 + 7000, T0 + 6500);         // the new connection drops; the old one goes with it

        List<GapRecord> gaps = gaps();
        assertEquals(1, gaps.size(), "the window the old one owed, at once: " + gaps);
        assertEquals(T0 + 6000, gaps.get(0).fromMicros(), "from the old connection's last trade");
        assertEquals(T0 + 6000, gaps.get(0).toMicros(), "to the new one's first: trades of one stamp may be owed");
        protocol.onFrame(ack("live_orders_btcusd"), T0 + 8000);
        protocol.onFrame(ack("live_trades_btcusd"), T0 + 8000);
        protocol.onFrame(trade(9, 9), T0 + 9100, false);
        assertEquals(T0 + 6000, gaps().get(1).fromMicros(), "then the disconnect, from the last trade taken");
    }

    private void take(boolean fromNew, long... sequence) {
        for (long n : sequence) {
            protocol.onFrame(order(n, "order_created"), T0 + 1000 * n, fromNew);
        }
    }

    /** The order events taken, as their place in the chain. */
    private List<Long> sequence() {
        return queue.events().stream().filter(e -> e.frame().has("event_id")).map(CapturedEvent::microtimestamp)
                .map(m -> (m - T0) / 1000).toList();
    }

    private List<String> types() {
        return queue.events().stream().map(e -> e.frame().path("event").asText()).toList();
    }

    private List<GapRecord> gaps() {
        return queue.keptAside().stream().filter(i -> i.get(TableLayout.PK).s().endsWith("#gaps"))
                .map(TableLayout::gapFromItem).toList();
    }

    private static String id(long n) {
        return String.format("00065b2a-0a00-%04x-0000-000100000020", n);
    }

    /** A live_orders event {@code n} of the chain, n ms after T0. */
    private static String order(long n, String event) {
        return "{\"data\":{\"id\":" + (100 + n) + ",\"id_str\":\"" + (100 + n) + "\",\"order_type\":0,"
                + "\"microtimestamp\":\"" + (T0 + 1000 * n) + "\",\"amount_str\":\"1\",\"price_str\":\"5\"},"
                + "\"channel\":\"live_orders_btcusd\",\"event\":\"" + event + "\",\"event_id\":\"" + id(n)
                + "\",\"pre_event_id\":\"" + id(n - 1) + "\"}";
    }

    private static String trade(long id) {
        return trade(id, 5);
    }

    /** A trade {@code ms} milliseconds after T0. */
    private static String trade(long id, long ms) {
        return "{\"data\":{\"id\":" + id + ",\"microtimestamp\":\"" + (T0 + 1000 * ms) + "\",\"amount_str\":\"1\"},"
                + "\"channel\":\"live_trades_btcusd\",\"event\":\"trade\"}";
    }

    private static String ack(String channel) {
        return "{\"event\":\"bts:subscription_succeeded\",\"channel\":\"" + channel + "\",\"data\":{}}";
    }
}
