package dev.orderflow.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotItems;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One test per simulator fault: after each, every event the simulator sent is stored exactly once or lies in a
 * recorded disconnect window, and the gap records are exactly the injected ones. Short watchdog and backoff
 * settings ({@code %test} in application.properties) keep it fast.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = FaultSimulatorResource.class, parallel = true)
@Timeout(120)
class FeedFaultsTest {
    private static final List<String> PAIRS = SimulatorResource.PAIRS;
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    CaptureConfig config;

    @Inject
    BitstampProtocol protocol;

    @Inject
    Windows windows;

    private Ledger ledger;

    @BeforeEach
    void settleFirst() {
        ledger = new Ledger(config.feed().restUrl(), dynamoDb, config.table().name());
        awaitReady();
        ledger.emit(PAIRS, 30);
        settle();
    }

    @Test
    void shouldRecordOneDisconnectWindowPerChannelAndLoseNothingWhenTheConnectionDrops() {
        Map<String, CapturedEvent> before = lastStored();
        Map<String, List<GapRecord>> gapsBefore = gaps();
        long snapshotsBefore = connectSnapshots();
        double reconnects = metric("capture_reconnects_total");

        ledger.post("/sim/faults/drop");
        awaitReconnected(reconnects, Duration.ofSeconds(10));
        ledger.emit(PAIRS, 30);
        settle();

        assertOneDisconnectPerChannel(before, gapsBefore, 0);
        // A snapshot is stored only once the exchange-like REST book is stamped after the first event captured on
        // the new connection plus the margin: events must keep flowing for that.
        Await.until(Duration.ofSeconds(20), () -> {
            ledger.emit(PAIRS, 1);
            return connectSnapshots() >= snapshotsBefore + PAIRS.size();
        });
    }

    @Test
    void shouldReplaceASilentHalfOpenConnectionWithinTheTimeoutAndRecordTheWindow() {
        Map<String, CapturedEvent> before = lastStored();
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double reconnects = metric("capture_reconnects_total");

        long silencedAt = System.nanoTime();
        ledger.post("/sim/faults/silence?seconds=6");
        Await.sleep(200);
        ledger.emit(PAIRS, 20); // withheld from the silent connection: lost to the capture
        awaitReconnected(reconnects, Duration.ofSeconds(6));
        long replacedAfterMs = (System.nanoTime() - silencedAt) / 1_000_000;
        assertTrue(replacedAfterMs < config.feed().silenceTimeout().toMillis() + 3_000,
                "half-open connection replaced after " + replacedAfterMs + " ms");
        ledger.emit(PAIRS, 30);
        settle();

        Map<String, List<GapRecord>> disconnects = assertOneDisconnectPerChannel(before, gapsBefore, 0);
        for (String pair : PAIRS) {
            String orders = Channel.ORDERS.wireName(pair);
            GapRecord gap = disconnects.get(orders).get(0);
            List<ObjectNode> sent = ledger.sent(orders);
            List<String> ids = sent.stream().map(Ledger::id).toList();
            List<ObjectNode> lost = sent.subList(ids.indexOf(gap.lastEventId()) + 1,
                    ids.indexOf(gap.firstEventIdAfter()));
            assertTrue(!lost.isEmpty(), "the events emitted while silent lie in the window");
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(orders)));
            assertTrue(lost.stream().noneMatch(stored::contains), "withheld events were never received");
        }
    }

    @Test
    void shouldSwitchConnectionsOnRequestReconnectWithoutAGapLossOrDouble() throws InterruptedException {
        Map<String, List<GapRecord>> gapsBefore = gaps();
        Map<String, Integer> missingBefore = missingPerChannel();
        double reconnects = metric("capture_reconnects_total");

        Thread emitter = new Thread(() -> {
            for (int i = 0; i < 25; i++) {
                ledger.emit(PAIRS, 8);
                Await.sleep(100);
            }
        });
        emitter.start();
        Await.sleep(300);
        // the old server closes late, so that a new connection slow to subscribe is not taken for a disconnect; the
        // capture closes it itself once the two join
        ledger.post("/sim/faults/request-reconnect?seconds=10");
        emitter.join();
        Await.until(Duration.ofSeconds(30), () -> {
            ledger.emit(PAIRS, 8);
            return ledger.connections() == 1;
        });
        settle();

        assertTrue(metric("capture_reconnects_total") > reconnects, "a second connection was opened");
        assertEquals(gapsBefore, gaps(), "no gap record");
        assertEquals(missingBefore, missingPerChannel(), "nothing lost, nothing doubled");
        assertTrue(given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void shouldKeepMalformedFramesAsideAndGoOnCapturing() {
        Map<String, List<GapRecord>> gapsBefore = gaps();
        Map<String, Integer> missingBefore = missingPerChannel();
        double bad = metricSum("capture_frames_bad_total");

        ledger.post("/sim/faults/malformed?count=10&channel=live_orders_btcusd");
        ledger.emit(PAIRS, 30);
        settle();

        assertEquals(bad + 10, metricSum("capture_frames_bad_total"));
        assertEquals(gapsBefore, gaps());
        assertEquals(missingBefore, missingPerChannel());
        awaitReady();
    }

    @Test
    void shouldRecordTheTradesAStaleFeedShorterThanTheDataTimeoutLost() {
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double reconnects = metric("capture_reconnects_total");
        Map<String, Integer> sentBefore = CHANNELS.stream().collect(Collectors.toMap(c -> c, c -> ledger.sent(c).size()));

        // stale for 6 s (the data timeout is a minute): trades are withheld from the capture meanwhile
        long until = ledger.post("/sim/faults/stale?seconds=6").path("until_micros").asLong();
        Await.until(Duration.ofSeconds(5), () -> {
            ledger.emit(PAIRS, 20);
            return PAIRS.stream().allMatch(p -> ledger.sent(Channel.TRADES.wireName(p)).size()
                    > sentBefore.get(Channel.TRADES.wireName(p)));
        });
        Await.until(Duration.ofSeconds(15), () -> System.currentTimeMillis() * 1000 > until + 500_000);
        ledger.emit(PAIRS, 20); // flowing again on the same connection: the orders' chain says events were lost
        settle(); // every event sent is stored or in a gap record (Ledger.assertAccountedFor)

        assertEquals(reconnects, metric("capture_reconnects_total"), "the same connection all along");
        Map<String, List<GapRecord>> added = added(gapsBefore, gaps());
        for (String channel : CHANNELS) {
            List<ObjectNode> sent = ledger.sent(channel);
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            List<ObjectNode> lost = sent.subList(sentBefore.get(channel), sent.size()).stream()
                    .filter(f -> !stored.contains(f)).toList();
            assertTrue(!lost.isEmpty(), channel + ": events were withheld");
            List<GapRecord> gaps = added.getOrDefault(channel, List.of());
            for (ObjectNode frame : lost) {
                long at = Frames.microtimestamp(frame);
                assertTrue(gaps.stream().anyMatch(g -> g.fromMicros() <= at && at <= g.toMicros()),
                        channel + ": lost and in no gap record (" + gaps + "): " + frame);
            }
        }
    }

    @Test
    void shouldRecordExactlyTheSkippedEventsAsOneChainBreak() {
        String channel = "live_orders_btcusd";
        Map<String, List<GapRecord>> gapsBefore = gaps();
        int skippedBefore = ledger.skipped(channel).path("event_ids").size();

        ledger.post("/sim/faults/skip?channel=" + channel + "&count=3");
        ledger.emit(List.of("btcusd"), 40);
        settle();

        JsonNode skippedIds = ledger.skipped(channel).path("event_ids");
        assertEquals(skippedBefore + 3, skippedIds.size());
        List<GapRecord> added = added(gapsBefore, gaps()).get(channel);
        assertEquals(1, added.size(), "one chain break: " + added);
        GapRecord gap = added.get(0);
        assertEquals(GapRecord.Kind.CHAIN_BREAK, gap.kind());
        List<CapturedEvent> stored = ledger.stored(channel);
        int after = indexOf(stored, gap.firstEventIdAfter());
        CapturedEvent last = stored.get(after - 1);
        CapturedEvent first = stored.get(after);
        assertEquals(gap.lastEventId(), last.frame().path("event_id").asText(), "the last good event is stored");
        assertEquals(last.microtimestamp(), gap.fromMicros());
        assertEquals(first.microtimestamp(), gap.toMicros());
        // The chain from the last good event, through exactly the skipped ones, to the first one after.
        List<String> chain = new ArrayList<>();
        chain.add(gap.lastEventId());
        for (int i = skippedBefore; i < skippedIds.size(); i++) {
            chain.add(skippedIds.get(i).asText());
        }
        assertEquals(first.frame().path("pre_event_id").asText(), chain.get(chain.size() - 1),
                "the first event after points back to the last skipped one");
        // trades carry no chain: the pair's trades get the same window, since whatever lost the orders may have
        // lost trades too
        List<GapRecord> trades = added(gapsBefore, gaps()).get("live_trades_btcusd");
        assertEquals(1, trades.size(), trades.toString());
        assertEquals(GapRecord.Kind.CHAIN_BREAK, trades.get(0).kind());
        assertEquals(gap.fromMicros(), trades.get(0).fromMicros());
        assertEquals(gap.toMicros(), trades.get(0).toMicros());
        for (String other : CHANNELS) {
            if (!other.equals(channel) && !other.equals("live_trades_btcusd")) {
                assertEquals(gapsBefore.get(other), gaps().get(other), other);
            }
        }
        ledger.assertAccountedFor(channel);
    }

    @Test
    void shouldRetryWithBackoffWhileRefusedAndRecordTheDisconnectWindow() {
        Map<String, CapturedEvent> before = lastStored();
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double reconnects = metric("capture_reconnects_total");

        ledger.post("/sim/faults/refuse?seconds=2");
        ledger.post("/sim/faults/drop");
        Await.until(Duration.ofSeconds(15), () -> metric("capture_reconnects_total") >= reconnects + 2
                && given().get("/q/health/ready").statusCode() == 200);
        ledger.emit(PAIRS, 30);
        settle();

        Map<String, List<GapRecord>> windows = assertOneDisconnectPerChannel(before, gapsBefore, 2_000_000);
        assertTrue(!windows.isEmpty());
    }

    /** For every channel with events before and after: exactly one new gap, a disconnect from the last to the next. */
    private Map<String, List<GapRecord>> assertOneDisconnectPerChannel(Map<String, CapturedEvent> before,
            Map<String, List<GapRecord>> gapsBefore, long minLengthMicros) {
        Map<String, List<GapRecord>> added = added(gapsBefore, gaps());
        int checked = 0;
        StringBuilder seen = new StringBuilder();
        for (String channel : CHANNELS) {
            List<CapturedEvent> stored = ledger.stored(channel);
            CapturedEvent last = before.get(channel);
            seen.append(channel).append(": ").append(stored.size()).append(" stored, last before ")
                    .append(last == null ? null : last.microtimestamp()).append(", last now ")
                    .append(stored.isEmpty() ? null : stored.get(stored.size() - 1).microtimestamp()).append('\n');
            if (last == null || stored.get(stored.size() - 1).equals(last)) {
                continue; // no event before or none after: the window closes with the next event
            }
            checked++;
            List<GapRecord> gaps = added.get(channel);
            assertEquals(1, gaps.size(), channel + ": " + gaps);
            GapRecord gap = gaps.get(0);
            assertEquals(GapRecord.Kind.DISCONNECT, gap.kind());
            int lastIndex = stored.indexOf(last);
            CapturedEvent next = stored.get(lastIndex + 1);
            assertEquals(last.microtimestamp(), gap.fromMicros(), channel);
            assertEquals(next.microtimestamp(), gap.toMicros(), channel);
            assertEquals(Ledger.id(last.frame()), gap.lastEventId(), channel);
            assertEquals(Ledger.id(next.frame()), gap.firstEventIdAfter(), channel);
            assertTrue(gap.toMicros() - gap.fromMicros() >= minLengthMicros, channel + " " + gap);
        }
        assertTrue(checked >= PAIRS.size(), "at least the orders channels had events before and after:\n" + seen);
        return added;
    }

    private static Map<String, List<GapRecord>> added(Map<String, List<GapRecord>> before,
            Map<String, List<GapRecord>> after) {
        Map<String, List<GapRecord>> added = new HashMap<>();
        after.forEach((channel, gaps) -> added.put(channel,
                gaps.stream().filter(g -> !before.get(channel).contains(g)).toList()));
        return added;
    }

    private static int indexOf(List<CapturedEvent> events, String eventId) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).frame().path("event_id").asText().equals(eventId)) {
                return i;
            }
        }
        throw new AssertionError(eventId + " not stored");
    }

    private Map<String, CapturedEvent> lastStored() {
        Map<String, CapturedEvent> last = new HashMap<>();
        for (String channel : CHANNELS) {
            List<CapturedEvent> stored = ledger.stored(channel);
            if (!stored.isEmpty()) {
                last.put(channel, stored.get(stored.size() - 1));
            }
        }
        return last;
    }

    private Map<String, List<GapRecord>> gaps() {
        return CHANNELS.stream().collect(Collectors.toMap(c -> c, ledger::gaps));
    }

    private Map<String, Integer> missingPerChannel() {
        return CHANNELS.stream().collect(Collectors.toMap(c -> c, c -> ledger.assertAccountedFor(c).size()));
    }

    private long connectSnapshots() {
        long n = 0;
        for (String pair : PAIRS) {
            n += dynamoDb.queryPaginator(b -> b.tableName(config.table().name()).consistentRead(true)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)))))
                    .items().stream()
                    .filter(i -> i.containsKey(SnapshotItems.SNAPSHOT_REASON)
                            && "connect".equals(i.get(SnapshotItems.SNAPSHOT_REASON).s()))
                    .count();
        }
        return n;
    }

    private void settle() {
        ledger.settle(PAIRS, () -> protocol.openGaps().values().stream().allMatch(open -> open == Long.MAX_VALUE),
                c -> windows.confirmedUntil(new Windows.Stream(c.pair(), c.channel())));
    }

    private void awaitReconnected(double reconnectsBefore, Duration within) {
        Await.until(within, () -> metric("capture_reconnects_total") > reconnectsBefore
                && given().get("/q/health/ready").statusCode() == 200);
    }

    private static void awaitReady() {
        Await.until(Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in /q/metrics");
    }

    private static double metricSum(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return sum;
    }
}
