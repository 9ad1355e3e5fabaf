package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.store.RecordingQueue;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

@org.junit.jupiter.api.Timeout(600)
class ContinuityTest {
    private static final Channel.WireChannel ORDERS = Channel.parseWire("live_orders_btcusd").orElseThrow();
    private static final Channel.WireChannel TRADES = Channel.parseWire("live_trades_btcusd").orElseThrow();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingQueue queue = new RecordingQueue(registry);
    private final Continuity continuity = new Continuity(queue.intake, registry);

    @Test
    void shouldStoreAChainBreakWithTheLastGoodAndFirstEventAfter() throws IOException {
        assertTrue(continuity.accept(ORDERS, order("e1", "e0"), 100));
        assertTrue(continuity.accept(ORDERS, order("e2", "e1"), 200));
        assertTrue(continuity.accept(ORDERS, order("e5", "e4"), 500));
        assertTrue(continuity.accept(ORDERS, order("e6", "e5"), 600));

        List<GapRecord> gaps = gaps();
        assertEquals(List.of(new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, 200, 500, "e2", "e5",
                "e2", "pre_event_id e4 does not follow the previous event")), gaps);
        assertEquals(1.0, registry.get("capture.gaps").counter().count());
    }

    @Test
    void shouldRecordTheSameWindowOnThePairsTradesWhenItsOrdersChainBreaks() throws IOException {
        Channel.WireChannel ethTrades = Channel.parseWire("live_trades_ethusd").orElseThrow();
        continuity.subscribed(TRADES, 50);
        continuity.subscribed(ethTrades, 50);
        assertTrue(continuity.accept(ORDERS, order("e1", "e0"), 100));
        assertTrue(continuity.accept(TRADES, trade(7), 150));
        assertTrue(continuity.accept(ORDERS, order("e2", "e1"), 200));
        assertTrue(continuity.accept(ORDERS, order("e5", "e4"), 500)); // e3, e4 lost: trades of [200, 500] may be
        assertTrue(continuity.accept(TRADES, trade(9), 600));

        List<GapRecord> gaps = gaps();
        assertEquals(2, gaps.size(), gaps.toString());
        assertEquals(new GapRecord("btcusd", Channel.TRADES, GapRecord.Kind.CHAIN_BREAK, 200, 500, null, null, null,
                "the pair's live_orders chain broke over this window: its trades may be missing too"), gaps.get(1));
        assertEquals(2.0, registry.get("capture.gaps").counter().count());
    }

    @Test
    void shouldDropAnEventSeenBeforeOnTheSameChannel() throws IOException {
        assertTrue(continuity.accept(ORDERS, order("e1", "e0"), 100));
        assertTrue(continuity.accept(ORDERS, order("e2", "e1"), 200));
        assertFalse(continuity.accept(ORDERS, order("e2", "e1"), 200), "the overlap of two connections");
        assertTrue(continuity.accept(ORDERS, order("e3", "e2"), 300));
        assertTrue(continuity.accept(TRADES, trade(7), 300));
        assertFalse(continuity.accept(TRADES, trade(7), 300));
        assertEquals(List.of(), gaps());
    }

    @Test
    void shouldKeepALateEventWithoutMovingTheChainOrRecordingABreak() throws IOException {
        continuity.accept(ORDERS, order("e1", "e0"), 100);
        continuity.down(List.of("live_orders_btcusd", "live_trades_btcusd"), 160, 155);
        continuity.accept(ORDERS, order("e5", "e4"), 500); // closes the disconnect: e2..e4 missed
        continuity.accept(TRADES, trade(9), 500);

        // a server behind sends again what the capture had missed, and what it has
        assertTrue(continuity.late(ORDERS, order("e2", "e1"), 200));
        assertTrue(continuity.accept(ORDERS, order("e2", "e1"), 200));
        assertTrue(continuity.accept(ORDERS, order("e3", "e2"), 300));
        assertFalse(continuity.accept(ORDERS, order("e3", "e2"), 300), "a late event is kept once");
        assertTrue(continuity.accept(TRADES, trade(8), 400));
        assertFalse(continuity.accept(ORDERS, order("e5", "e4"), 500));
        assertFalse(continuity.late(ORDERS, order("e6", "e5"), 490), "it follows the last one: in the chain");
        assertTrue(continuity.accept(ORDERS, order("e6", "e5"), 600));
        assertTrue(continuity.accept(TRADES, trade(10), 600));

        List<GapRecord> gaps = gaps();
        assertEquals(2, gaps.size(), gaps.toString());
        assertTrue(gaps.stream().allMatch(g -> g.kind() == GapRecord.Kind.DISCONNECT), "no chain break: " + gaps);
        assertEquals(3.0, registry.get("capture.events.late").counter().count());
    }

    @Test
    void shouldCoverADisconnectWithOneRecordAndNoChainBreak() throws IOException {
        continuity.accept(ORDERS, order("e1", "e0"), 100);
        continuity.accept(TRADES, trade(7), 150);
        continuity.down(List.of("live_orders_btcusd", "live_trades_btcusd"), 160, 155);
        continuity.subscribed(ORDERS, 700);
        continuity.accept(ORDERS, order("e9", "e8"), 900);
        continuity.accept(ORDERS, order("e10", "e9"), 1000);

        // what the host knows of its receiving (its last sign of life, its new subscription) narrows the record
        long margin = dev.orderflow.storage.Hosts.RECEIVING_MARGIN_MICROS;
        assertEquals(List.of(new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.DISCONNECT, 100, 900, "e1", "e9",
                null, "not connected or not subscribed").receiving(155 - margin, 700 + margin)), gaps());
        continuity.accept(TRADES, trade(9), 950);
        assertEquals(GapRecord.Kind.DISCONNECT, gaps().get(1).kind());
        assertEquals("7", gaps().get(1).lastEventId());
    }

    @Test
    void shouldRecordTheTimeTheProcessWasDownFromTheLastReplayedEvent() throws IOException {
        continuity.seen(ORDERS, 100);
        continuity.storedUpTo(TRADES, java.util.OptionalLong.of(80), null);
        continuity.restarted(5_000, List.of());
        continuity.accept(ORDERS, order("e9", "e8"), 6_000);
        continuity.accept(TRADES, trade(3), 6_100);

        List<GapRecord> gaps = gaps();
        assertEquals(2, gaps.size());
        assertEquals(100, gaps.get(0).fromMicros());
        assertEquals(null, gaps.get(0).lastEventId(), "the chain is not checked across a restart");
        assertEquals(80, gaps.get(1).fromMicros());
        assertEquals(null, gaps.get(1).lastEventId(), "only the time is known from the catalog");
    }

    @Test
    void shouldRecordWhatAnUnreadableStretchOfTheJournalMayHaveHeldOnceTheJournalIsOpen() {
        continuity.seen(ORDERS, 100);
        continuity.unreadable(10_000_000); // nothing in it was received before this
        continuity.seen(ORDERS, 300);
        continuity.seen(TRADES, 10_200_000); // first seen after the stretch
        continuity.seen(ORDERS, 400);
        assertEquals(List.of(), gaps(), "stored once the journal is open");
        continuity.restarted(20_000_000, List.of());

        assertEquals(List.of(
                new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.NOT_KEPT, 100, 300, null, null, null,
                        "journal records unreadable at start (a damaged disk): events may be missing"),
                new GapRecord("btcusd", Channel.TRADES, GapRecord.Kind.NOT_KEPT,
                        10_000_000 - dev.orderflow.storage.Hosts.RECEIVING_MARGIN_MICROS, 10_200_000, null, null, null,
                        "journal records unreadable at start (a damaged disk): events may be missing")), gaps());
    }

    @Test
    void shouldRecordAChannelFirstSeenAfterTwoUnreadableStretchesFromTheFirst() {
        continuity.seen(ORDERS, 1_000_000);
        continuity.unreadable(10_000_000);
        continuity.seen(ORDERS, 11_000_000);
        continuity.unreadable(20_000_000);
        continuity.seen(TRADES, 21_500_000); // its events may have been in either stretch
        continuity.seen(ORDERS, 21_600_000);
        continuity.restarted(30_000_000, List.of());

        List<GapRecord> gaps = gaps();
        assertEquals(List.of(List.of(1_000_000L, 11_000_000L),
                List.of(10_000_000 - dev.orderflow.storage.Hosts.RECEIVING_MARGIN_MICROS, 21_500_000L),
                List.of(11_000_000L, 21_600_000L)),
                gaps.stream().map(g -> List.of(g.fromMicros(), g.toMicros())).toList(), gaps.toString());
    }

    @Test
    void shouldRecordTheRestartOfAChannelWhoseOnlyJournaledFrameWasItsSubscription() {
        continuity.subscribedAt(TRADES, 40);
        continuity.restarted(5_000, List.of());
        continuity.accept(TRADES, trade(3), 6_100);

        assertEquals(List.of(new GapRecord("btcusd", Channel.TRADES, GapRecord.Kind.DISCONNECT, 40, 6_100, null, "3",
                null, "not connected or not subscribed")), gaps());
    }

    @Test
    void shouldRecordARestartWithAnEmptyJournalFromWhereTheCatalogSaysTheTableEndsEvenWhenItAnswersLate() {
        continuity.restarted(5_000, List.of(ORDERS, TRADES));
        assertEquals(Long.MIN_VALUE, continuity.openGaps().get(new dev.orderflow.capture.store.Windows.Stream(
                "btcusd", Channel.ORDERS)), "nothing is confirmed before the catalog says where the table ends");
        continuity.accept(ORDERS, order("e9", "e8"), 6_000);
        assertEquals(List.of(), gaps(), "the record waits for the catalog");

        continuity.storedUpTo(ORDERS, java.util.OptionalLong.of(1_000), null);
        continuity.storedUpTo(TRADES, java.util.OptionalLong.of(900), null);
        continuity.accept(TRADES, trade(3), 6_100);

        assertEquals(List.of(new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.DISCONNECT, 1_000, 6_000, null,
                "e9", null, "capture process not running"), new GapRecord("btcusd", Channel.TRADES,
                GapRecord.Kind.DISCONNECT, 900, 6_100, null, "3", null, "not connected or not subscribed")), gaps());
    }

    @Test
    void shouldRecordEventsThatCouldNotBeKeptAsANotKeptGap() {
        ObjectNode e1 = order("e1", "e0");
        continuity.accept(ORDERS, e1, 100);
        continuity.kept(ORDERS, e1, 100);
        continuity.accept(ORDERS, order("e2", "e1"), 200);
        continuity.lost(ORDERS, 200);
        continuity.accept(ORDERS, order("e3", "e2"), 300);
        continuity.lost(ORDERS, 300);
        ObjectNode e4 = order("e4", "e3");
        continuity.accept(ORDERS, e4, 400);
        continuity.kept(ORDERS, e4, 400);

        assertEquals(List.of(new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.NOT_KEPT, 100, 400, "e1", "e4",
                null, "events dropped: the journal was full and memory at its bound")), gaps());
    }

    private static ObjectNode parse(String json) {
        try {
            return Frames.parse(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<GapRecord> gaps() {
        return queue.keptAside().stream().map(GapItems::gapFromItem).toList();
    }

    private static ObjectNode order(String eventId, String preEventId) {
        return parse("{\"data\":{\"id\":1,\"microtimestamp\":\"100\"},\"channel\":\"live_orders_btcusd\","
                + "\"event\":\"order_created\",\"event_id\":\"" + eventId + "\",\"pre_event_id\":\"" + preEventId
                + "\"}");
    }

    private static ObjectNode trade(long id) {
        return parse("{\"data\":{\"id\":" + id + ",\"microtimestamp\":\"100\"},\"channel\":\"live_trades_btcusd\","
                + "\"event\":\"trade\"}");
    }
}
