package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnionGapsTest {
    private static final Map<String, Hosts.Span> BOTH_UP = Map.of(
            "a", new Hosts.Span(0L, 1_000L, 1_000L),
            "b", new Hosts.Span(0L, 1_000L, 1_000L));

    private static GapRecord gap(String host, GapRecord.Kind kind, long from, long to) {
        return new GapRecord("btcusd", Channel.ORDERS, kind, from, to, "e" + from, "e" + to, null, kind.apiName())
                .byHost(host);
    }

    private static List<GapRecord> union(Map<String, Hosts.Span> spans, GapRecord... records) {
        return UnionGaps.of("btcusd", Channel.ORDERS, List.of(records), spans);
    }

    @Test
    void shouldAnswerOneHostsRecordsUnchanged() {
        GapRecord only = gap("a", GapRecord.Kind.DISCONNECT, 10, 50);

        assertEquals(List.of(only), union(Map.of("a", new Hosts.Span(0L, 99L, 99L)), only));
        GapRecord unnamed = new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, 1, 2, null, null,
                null, "old table");
        assertEquals(List.of(unnamed), union(Map.of(), unnamed));
    }

    @Test
    void shouldCountARecordThatCouldNotBeReadAsEveryHostsGap() {
        GapRecord unreadable = new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.DISCONNECT, 10, 50, null, null,
                null, UnionGaps.UNREADABLE);

        List<GapRecord> gaps = union(BOTH_UP, unreadable);
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(10, gaps.get(0).fromMicros());
        assertEquals(50, gaps.get(0).toMicros());
    }

    @Test
    void shouldNotCountAWindowOneHostMissedAndTheOtherStored() {
        assertEquals(List.of(), union(BOTH_UP, gap("a", GapRecord.Kind.DISCONNECT, 10, 50),
                gap("b", GapRecord.Kind.CHAIN_BREAK, 60, 70), gap("a", GapRecord.Kind.NOT_STORED, 80, 90)));
    }

    @Test
    void shouldAnswerWhereBothHostsMissedEventsOnceNamingBoth() {
        List<GapRecord> gaps = union(BOTH_UP, gap("a", GapRecord.Kind.DISCONNECT, 10, 50),
                gap("b", GapRecord.Kind.DISCONNECT, 20, 60));

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(20, gaps.get(0).fromMicros());
        assertEquals(50, gaps.get(0).toMicros());
        assertEquals(List.of("a", "b"), gaps.get(0).hosts());
        assertEquals(GapRecord.Kind.DISCONNECT, gaps.get(0).kind());
    }

    @Test
    void shouldKeepAGapOfTheExchangeThatEveryHostSawWithItsEventIds() {
        List<GapRecord> gaps = union(BOTH_UP, gap("a", GapRecord.Kind.CHAIN_BREAK, 300, 301),
                gap("b", GapRecord.Kind.CHAIN_BREAK, 300, 301));

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(GapRecord.Kind.CHAIN_BREAK, gaps.get(0).kind());
        assertEquals("e300", gaps.get(0).lastEventId());
        assertEquals("e301", gaps.get(0).firstEventIdAfter());
    }

    @Test
    void shouldKeepAChainBreakThatTheOtherHostCouldNotSeeAcrossItsDisconnect() {
        // a reconnected at 40 and knows it received all after 45, but its first event came at 100, after the
        // exchange's loss: its chain is not checked across the disconnect, so it cannot vouch for 20..100
        GapRecord disconnect = gap("a", GapRecord.Kind.DISCONNECT, 10, 100).receiving(15L, 45L);
        GapRecord lost = gap("b", GapRecord.Kind.CHAIN_BREAK, 20, 100);

        List<GapRecord> gaps = union(BOTH_UP, disconnect, lost);

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(GapRecord.Kind.CHAIN_BREAK, gaps.get(0).kind());
        assertEquals(20, gaps.get(0).fromMicros());
        assertEquals(100, gaps.get(0).toMicros());
        assertEquals("e20", gaps.get(0).lastEventId());
        assertEquals(List.of("a", "b"), gaps.get(0).hosts());
    }

    @Test
    void shouldCountTheTimeBetweenOneHostStoppingAndTheOtherStartingBeforeAnyRecordSaysSo() {
        Map<String, Hosts.Span> spans = Map.of(
                "a", new Hosts.Span(0L, 100L, 100L), // stopped at 100, not restarted yet
                "b", new Hosts.Span(200L, 900L, 900L)); // started at 200

        List<GapRecord> gaps = union(spans);

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(100, gaps.get(0).fromMicros());
        assertEquals(199, gaps.get(0).toMicros()); // b holds its first event, at 200
        assertTrue(gaps.get(0).detail().contains("no capture host"), gaps.get(0).detail());
    }

    @Test
    void shouldCountAGapOfTheOnlyHostRunningWhileTheOtherIsDown() {
        Map<String, Hosts.Span> spans = Map.of(
                "a", new Hosts.Span(0L, 100L, 100L), // down since 100
                "b", new Hosts.Span(0L, 900L, 900L));

        List<GapRecord> gaps = union(spans, gap("b", GapRecord.Kind.DISCONNECT, 400, 450));

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(400, gaps.get(0).fromMicros());
        assertEquals(450, gaps.get(0).toMicros());
    }

    @Test
    void shouldKeepTheRecordsOfAnUnnamedHostFromBeforeHostsWereNamed() {
        GapRecord old = new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.DISCONNECT, 10, 20, null, null, null,
                "old table");
        Map<String, Hosts.Span> spans = Map.of("a", new Hosts.Span(500L, 900L, 900L),
                "b", new Hosts.Span(500L, 900L, 900L));

        List<GapRecord> gaps = union(spans, old, gap("a", GapRecord.Kind.DISCONNECT, 600, 700));

        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(10, gaps.get(0).fromMicros());
    }
}
