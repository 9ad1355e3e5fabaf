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
import dev.orderflow.storage.GapItems;
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
    /** The order of the event {@link #movedOn} takes. */
    private static final long MOVED_ON_ORDER = 999;
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
    void shouldRecordTheTradesTheOrdersFillsShowWhenTheNewConnectionSentNoTrade() {
        take(false, 1);
        protocol.onFrame(fill(2), T0 + 2100, false);
        protocol.onFrame(trade(1, 2, 2), T0 + 2200, false);  // the old connection's last trade
        protocol.beginOverlap();
        take(true, 5, 6);                                    // orders: the new server is ahead...
        protocol.onFrame(fill(3), T0 + 3100, false);        // ...and the old one pays them: two fills whose
        protocol.onFrame(fill(4), T0 + 4100, false);        // trades it still owes on a quiet channel
        assertFalse(protocol.overlapJoined(), "no trade came on both");
        protocol.endOverlap();                              // it closes first; the new one sent no trade
        assertEquals(List.of(), gaps(), "not yet: a fill or its trade may still come");
        movedOn();

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sequence());
        GapRecord window = theTradesWindow();
        assertEquals(T0 + 3000, window.fromMicros(), "the oldest fill no trade matched");
        assertEquals(T0 + 4000, window.toMicros(), "the newest");
    }

    @Test
    void shouldRecordTheTradesOwedBetweenTheOldConnectionsLastAndTheNewOnesFirst() {
        take(false, 1);
        protocol.onFrame(fill(2), T0 + 2100, false);
        protocol.onFrame(trade(1, 2, 2), T0 + 2150, false); // the last trade the old connection sent
        protocol.beginOverlap();
        take(true, 5);                                       // orders: the new server is ahead...
        protocol.onFrame(fill(3), T0 + 3100, false);        // ...the old one pays them, not trade 2 (at 3 ms)
        protocol.onFrame(fill(4), T0 + 4100, false);
        protocol.onFrame(trade(3, 4, 4), T0 + 4150, false);
        protocol.onFrame(fill(6), T0 + 6100, true);
        protocol.onFrame(trade(4, 6, 6), T0 + 6150, true);  // the new one's first trade
        protocol.onFrame(fill(7), T0 + 7100, true);
        protocol.onFrame(trade(5, 7, 7), T0 + 7150, true);
        protocol.endOverlap();                               // the old one closes before the two met
        assertEquals(List.of(), gaps(), "not yet: a fill or its trade may still come");
        movedOn();

        GapRecord window = theTradesWindow();
        assertEquals(T0 + 3000, window.fromMicros(), "exactly the fill whose trade neither connection sent");
        assertEquals(T0 + 3000, window.toMicros());
    }

    @Test
    void shouldRecordNoTradesWindowWhenEveryFillHadItsTrade() {
        take(false, 1, 2);
        protocol.onFrame(trade(1, 2), T0 + 2100, false);    // an old trade: on a quiet channel, hours back
        protocol.beginOverlap();
        take(true, 5);
        protocol.onFrame(fill(3), T0 + 3100, false);
        protocol.onFrame(trade(2, 3, 3), T0 + 3200, false);
        protocol.onFrame(trade(3, 4, 4), T0 + 4050, false); // a trade may come before its fill
        protocol.onFrame(fill(4), T0 + 4100, false);
        protocol.onFrame(trade(4, 6, 6), T0 + 6150, true);  // the new one's first trade, after the old one's last
        protocol.onFrame(fill(6), T0 + 6200, true);
        protocol.endOverlap();
        assertEquals(List.of(), gaps(), "not yet: a fill or its trade may still come");
        movedOn();

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sequence());
        assertEquals(List.of(), gaps(), "every fill matched: nothing owed, however far back the last trade was");
    }

    @Test
    void shouldRecordTheTradesOfOneStampWhenTheOldConnectionSentFewerThanItsFills() {
        take(false, 1, 2);
        protocol.beginOverlap();
        take(true, 5);
        protocol.onFrame(fill(3, 3), T0 + 3100, false);     // one taker fills two orders at one stamp...
        protocol.onFrame(fill(4, 3), T0 + 3100, false);
        protocol.onFrame(trade(1, 3, 3), T0 + 3200, false); // ...and the old one sends one of its two trades
        protocol.endOverlap();
        assertEquals(List.of(), gaps(), "not yet: a fill or its trade may still come");
        movedOn();

        assertOneWindow(T0 + 3000, T0 + 3000);
    }

    @Test
    void shouldRecordTheTradesWindowWhenTheNewConnectionDropsDuringTheSwitch() {
        take(false, 1);
        protocol.onFrame(fill(2), T0 + 2050, false);
        protocol.onFrame(trade(1, 2, 2), T0 + 2100, false);
        protocol.beginOverlap();
        protocol.onFrame(fill(3, 6), T0 + 6050, false);
        protocol.onFrame(fill(4, 6), T0 + 6060, false);
        protocol.onFrame(trade(3, 6, 3), T0 + 6100, true);  // the new one sends one trade of that stamp
        protocol.onFrame(trade(4, 6, 4), T0 + 6100, false); // the old one another: a third is owed
        protocol.onFrame(fill(5, 6), T0 + 6070, false);
        protocol.disconnected(T0 + 7000, T0 + 6500);         // the new connection drops; the old one goes with it

        List<GapRecord> gaps = gaps();
        assertEquals(1, gaps.size(), "the window the old one owed, at once: " + gaps);
        assertEquals(T0 + 6000, gaps.get(0).fromMicros());
        assertEquals(T0 + 6000, gaps.get(0).toMicros(), "trades of one stamp may be owed");
        protocol.onFrame(ack("live_orders_btcusd"), T0 + 8000);
        protocol.onFrame(ack("live_trades_btcusd"), T0 + 8000);
        protocol.onFrame(trade(9, 9), T0 + 9100, false);
        assertEquals(T0 + 6000, gaps().get(1).fromMicros(), "then the disconnect, from the last trade taken");
    }

    @Test
    void shouldMatchAFillStampedAfterItsTrade() {
        take(false, 1);
        protocol.onFrame(trade(1, 2, 2), T0 + 2050, false);  // the trade of order 102, at 2 ms
        protocol.onFrame(trade(2, 3), T0 + 3050, false);     // another trade
        protocol.onFrame(fill(2, 4), T0 + 4050, false);      // 102's fill, stamped after its trade
        protocol.beginOverlap();
        protocol.endOverlap();                               // the new connection failed; the old one stays
        movedOn();

        assertEquals(List.of(), gaps(), "every trade was received");
    }

    @Test
    void shouldWaitForATradeInFlightWhenTheOldConnectionStays() {
        take(false, 1);
        protocol.beginOverlap();
        protocol.onFrame(fill(2), T0 + 2050, false);
        protocol.endOverlap();                               // the new connection failed; the old one stays
        protocol.onFrame(trade(1, 2, 2), T0 + 2100, false);  // the fill's trade, a little behind it
        movedOn();

        assertEquals(List.of(), gaps(), "nothing lost: the old connection never stopped");
    }

    @Test
    void shouldCountAFillThatComesAfterTheSwitchEnded() {
        take(false, 1);
        protocol.onFrame(fill(2), T0 + 2050, false);
        protocol.onFrame(trade(1, 2, 2), T0 + 2100, false);  // the old connection's last trade
        protocol.beginOverlap();
        protocol.onFrame(trade(3, 6, 6), T0 + 6100, true);   // the new one's first; the trade at 3 ms came on neither
        protocol.endOverlap();                               // the server closed the old connection
        protocol.onFrame(fill(3), T0 + 6200, true);          // the new connection's orders trail its trades
        take(true, 4, 5);
        protocol.onFrame(fill(6), T0 + 6400, true);
        movedOn();

        assertOneWindow(T0 + 3000, T0 + 3000);
    }

    @Test
    void shouldRecordNothingWhereATradeCameOnBothConnections() {
        take(false, 1, 2);
        protocol.beginOverlap();
        protocol.onFrame(fill(3), T0 + 3050, false);        // its trade is still in flight on both
        protocol.onFrame(trade(1, 2), T0 + 3100, true);
        protocol.onFrame(trade(1, 2), T0 + 3100, false);    // the connections met: the new one sends the rest
        protocol.endOverlap();
        protocol.onFrame(trade(2, 3, 3), T0 + 3200, true);
        movedOn();

        assertEquals(List.of(), gaps());
    }

    /** The pair's orders move on, more than the grace past the switch (owed trades are checked then). */
    private void movedOn() {
        long micros = queue.events().stream().mapToLong(CapturedEvent::microtimestamp).max().orElse(T0)
                + TradeEvidence.GRACE_MICROS + 1000;
        String last = queue.events().stream().filter(e -> e.frame().has("event_id"))
                .reduce((a, b) -> b).map(e -> e.frame().path("event_id").asText()).orElse(id(0));
        protocol.onFrame("{\"data\":{\"id\":" + MOVED_ON_ORDER + ",\"order_type\":0,\"microtimestamp\":\"" + micros
                + "\",\"amount_str\":\"1\",\"price_str\":\"5\"},\"channel\":\"live_orders_btcusd\","
                + "\"event\":\"order_created\",\"event_id\":\"" + id(900) + "\",\"pre_event_id\":\"" + last + "\"}",
                micros + 100, true);
    }

    /** Exactly one gap recorded, over this window. */
    /** The one gap record, a trades disconnect window. */
    private GapRecord theTradesWindow() {
        List<GapRecord> gaps = gaps();
        assertEquals(1, gaps.size(), gaps.toString());
        GapRecord window = gaps.get(0);
        assertEquals(Channel.TRADES, window.channel());
        assertEquals(GapRecord.Kind.DISCONNECT, window.kind());
        return window;
    }

    private void assertOneWindow(long fromMicros, long toMicros) {
        List<GapRecord> gaps = gaps();
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(fromMicros, gaps.get(0).fromMicros());
        assertEquals(toMicros, gaps.get(0).toMicros());
    }

    private void take(boolean fromNew, long... sequence) {
        for (long n : sequence) {
            protocol.onFrame(order(n, "order_created"), T0 + 1000 * n, fromNew);
        }
    }

    /** The order events taken, as their place in the chain. */
    private List<Long> sequence() {
        return queue.events().stream().filter(e -> e.frame().has("event_id"))
                .filter(e -> e.frame().path("data").path("id").asLong() != MOVED_ON_ORDER)
                .map(CapturedEvent::microtimestamp)
                .map(m -> (m - T0) / 1000).toList();
    }

    private List<String> types() {
        return queue.events().stream().map(e -> e.frame().path("event").asText()).toList();
    }

    private List<GapRecord> gaps() {
        return queue.keptAside().stream().filter(i -> i.get(TableLayout.PK).s().endsWith("#gaps"))
                .map(GapItems::gapFromItem).toList();
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

    /** A fill of the chain's event {@code n}, n ms after T0. */
    private static String fill(long n) {
        return fill(n, n);
    }

    /** A fill (an {@code order_changed} with {@code amount_traded > 0}) as event {@code n}, {@code ms} after T0. */
    private static String fill(long n, long ms) {
        return order(n, "order_changed").replace("\"microtimestamp\":\"" + (T0 + 1000 * n) + "\"",
                "\"microtimestamp\":\"" + (T0 + 1000 * ms) + "\",\"amount_traded\":\"0.50000000\"");
    }

    private static String trade(long id) {
        return trade(id, 5);
    }

    /** A trade {@code ms} milliseconds after T0, of orders no event of the chain fills. */
    private static String trade(long id, long ms) {
        return trade(id, ms, 8000 - 100 + id);
    }

    /** A trade {@code ms} milliseconds after T0 that fills the chain's order {@code n} (a buy) for a taker. */
    private static String trade(long id, long ms, long n) {
        return "{\"data\":{\"id\":" + id + ",\"microtimestamp\":\"" + (T0 + 1000 * ms) + "\",\"amount_str\":\"0.5\","
                + "\"buy_order_id\":" + (100 + n) + ",\"sell_order_id\":" + (9000 + id) + "},"
                + "\"channel\":\"live_trades_btcusd\",\"event\":\"trade\"}";
    }

    private static String ack(String channel) {
        return "{\"event\":\"bts:subscription_succeeded\",\"channel\":\"" + channel + "\",\"data\":{}}";
    }
}
