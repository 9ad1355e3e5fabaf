package dev.orderflow.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The capture against what the real exchange does (the simulator's default): a REST book older than the stream,
 * an event type the capture does not know, a {@code bts:request_reconnect} to a server ahead of or behind the old
 * one. Same resources as {@link FeedFaultsTest}, so the application is not restarted for it.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = FaultSimulatorResource.class, parallel = true)
@Timeout(120)
class RealExchangeFeedTest {
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
    private long startMicros;

    @BeforeEach
    void settleFirst() {
        ledger = new Ledger(config.feed().restUrl(), dynamoDb, config.table().name());
        Await.until(Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 200);
        ledger.emit(PAIRS, 30);
        settle();
        startMicros = System.currentTimeMillis() * 1000;
    }

    @Test
    void shouldFetchTheConnectSnapshotAgainUntilItIsStampedAfterTheFirstEventCaptured() {
        Map<String, Long> snapshotsBefore = snapshotStamps();
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double unusable = metric("capture_snapshots_unusable_total");
        double reconnects = metric("capture_reconnects_total");

        ledger.post("/sim/faults/book-behind?seconds=10");
        ledger.post("/sim/faults/drop");
        Await.until(Duration.ofSeconds(10), () -> metric("capture_reconnects_total") > reconnects);
        Await.until(Duration.ofSeconds(30), () -> {
            ledger.emit(PAIRS, 1); // events keep flowing, as on the exchange
            return snapshotStamps().keySet().containsAll(PAIRS) && PAIRS.stream()
                    .allMatch(p -> snapshotStamps().get(p) > snapshotsBefore.getOrDefault(p, 0L));
        });
        settle();

        assertTrue(metric("capture_snapshots_unusable_total") > unusable, "the book behind the stream was refused");
        long margin = SnapshotAlignment.DEFAULT_MARGIN.toNanos() / 1000;
        for (String pair : PAIRS) {
            String orders = Channel.ORDERS.wireName(pair);
            List<GapRecord> added = ledger.gaps(orders).stream().filter(g -> !gapsBefore.get(orders).contains(g))
                    .toList();
            assertEquals(1, added.size(), added.toString());
            long firstAfter = added.get(0).toMicros();
            assertTrue(snapshotStamps().get(pair) - margin >= firstAfter, pair + ": the stored snapshot is stamped "
                    + snapshotStamps().get(pair) + ", the first event after the reconnect " + firstAfter);
        }
    }

    @Test
    void shouldFetchTheSnapshotAgainWhenTheExchangeRefusesItForItsRateLimit() {
        Map<String, Long> snapshotsBefore = snapshotStamps();
        double limited = metric("capture_snapshots_rate_limited_total");
        double failed = metric("capture_snapshots_failed_total");
        double reconnects = metric("capture_reconnects_total");

        ledger.post("/sim/faults/rate-limit?count=3"); // more refusals than pairs: one pair is refused twice
        ledger.post("/sim/faults/drop");
        Await.until(Duration.ofSeconds(10), () -> metric("capture_reconnects_total") > reconnects);
        Await.until(Duration.ofSeconds(30), () -> {
            ledger.emit(PAIRS, 1);
            return snapshotStamps().keySet().containsAll(PAIRS) && PAIRS.stream()
                    .allMatch(p -> snapshotStamps().get(p) > snapshotsBefore.getOrDefault(p, 0L));
        });
        settle();

        assertEquals(limited + 3, metric("capture_snapshots_rate_limited_total"), "every refusal counted");
        assertEquals(failed, metric("capture_snapshots_failed_total"), "no snapshot given up");
    }

    @Test
    void shouldStoreAnUnknownEventTypeAsAnEventWithoutAChainBreak() {
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double unknown = metricSum("capture_events_unknown_type_total");
        ledger.post("/sim/faults/unknown-event?channel=live_orders_btcusd&count=3&type=order_replaced");
        ledger.emit(PAIRS, 20);
        settle();

        assertEquals(List.of(), newGaps(gapsBefore), "no gap: the chain runs through the unknown events");
        assertEquals(3.0, metricSum("capture_events_unknown_type_total") - unknown);
        assertEquals(3, ledger.stored("live_orders_btcusd").stream()
                .filter(e -> e.frame().path("event").asText().equals("order_replaced")).count());
    }

    @Test
    void shouldLoseNothingAndRecordNoBreakWhenTheNewServerIsAhead() {
        switchTo("ahead=5");
    }

    @Test
    void shouldLoseNothingAndRecordNoBreakWhenTheNewServerIsBehind() {
        switchTo("behind=5");
    }

    private void switchTo(String offset) {
        Map<String, List<GapRecord>> gapsBefore = gaps();
        Map<String, Set<String>> missingBefore = missing();
        double reconnects = metric("capture_reconnects_total");
        // The old server closes late: what it owes (an old server behind pays its events, trades too, only as more
        // are sent) would be lost on both servers if it closed first. The capture closes it once the two join.
        ledger.post("/sim/faults/request-reconnect?seconds=30&" + offset);
        Await.until(Duration.ofSeconds(60), () -> {
            ledger.emit(PAIRS, 20); // events flow through the switch (an old server behind catches up)
            return metric("capture_reconnects_total") > reconnects && ledger.connections() == 1;
        });
        ledger.emit(PAIRS, 10);
        settle();

        assertEquals(List.of(), newGaps(gapsBefore),
                "no chain break, no disconnect: the union of both connections is whole");
        // a server behind may send again events missed in an earlier window: stored then, never lost
        missing().forEach((channel, ids) -> assertTrue(missingBefore.get(channel).containsAll(ids),
                channel + ": nothing lost: " + ids + " were stored or in a window before"));
    }

    @Test
    void shouldStoreEventsMissedInAnEarlierWindowWhenAServerBehindSendsThemAgain() {
        Map<String, Set<String>> missingBefore = missing();
        Map<String, List<GapRecord>> gapsBefore = gaps();
        double reconnects = metric("capture_reconnects_total");
        double late = metric("capture_events_late_total");

        ledger.post("/sim/faults/silence?seconds=6");
        Await.sleep(200);
        ledger.emit(PAIRS, 12); // withheld from the silent connection: missed
        Await.until(Duration.ofSeconds(20), () -> metric("capture_reconnects_total") > reconnects
                && given().get("/q/health/ready").statusCode() == 200);
        ledger.emit(PAIRS, 3);
        ledger.settle(PAIRS, () -> true); // every window recorded
        Map<String, Set<String>> missed = missing();
        for (String pair : PAIRS) {
            String orders = Channel.ORDERS.wireName(pair);
            assertTrue(missed.get(orders).size() > missingBefore.get(orders).size(),
                    orders + ": events were missed in the window");
        }

        // the new server is far behind: it sends each channel's last 1,000 events again, the missed ones too
        double switched = metric("capture_reconnects_total");
        ledger.post("/sim/faults/request-reconnect?seconds=6&behind=1000");
        Await.until(Duration.ofSeconds(20), () -> metric("capture_reconnects_total") > switched);
        settle();
        // the disconnect record accounts for them meanwhile; their window is written within a window's length
        Await.until(Duration.ofSeconds(30), () -> {
            Map<String, Set<String>> now = missing();
            return CHANNELS.stream().allMatch(channel -> java.util.Collections.disjoint(now.get(channel),
                    newlyMissed(missed, missingBefore, channel)));
        });

        Map<String, Set<String>> after = missing();
        for (String channel : CHANNELS) {
            assertTrue(java.util.Collections.disjoint(newlyMissed(missed, missingBefore, channel), after.get(channel)),
                    channel + ": every event missed in the silence was stored once it came again");
            assertTrue(missingBefore.get(channel).containsAll(after.get(channel)), channel + ": nothing else lost");
        }
        List<GapRecord> added = newGaps(gapsBefore);
        assertTrue(added.stream().allMatch(g -> g.kind() == GapRecord.Kind.DISCONNECT),
                "no chain break from the events sent again: " + added);
        for (String channel : CHANNELS) {
            assertTrue(added.stream().filter(g -> g.channel().wireName(g.pair()).equals(channel)).count() <= 1,
                    channel + ": the silence's window, nothing else: " + added);
        }
        assertTrue(metric("capture_events_late_total") > late, "taken as late events");
    }

    private static Set<String> newlyMissed(Map<String, Set<String>> missed, Map<String, Set<String>> before,
            String channel) {
        Set<String> ids = new java.util.HashSet<>(missed.get(channel));
        ids.removeAll(before.get(channel));
        return ids;
    }

    private Map<String, Set<String>> missing() {
        return CHANNELS.stream().collect(Collectors.toMap(c -> c, ledger::missingIds));
    }

    /** Gap records added since {@code before}, but for the late close of an earlier test's disconnect window. */
    private List<GapRecord> newGaps(Map<String, List<GapRecord>> before) {
        return CHANNELS.stream().flatMap(c -> ledger.gaps(c).stream().filter(g -> !before.get(c).contains(g)))
                .filter(g -> g.kind() != GapRecord.Kind.DISCONNECT || g.fromMicros() >= startMicros).toList();
    }

    private Map<String, List<GapRecord>> gaps() {
        return CHANNELS.stream().collect(Collectors.toMap(c -> c, ledger::gaps));
    }

    /** Per pair, the stamp of its latest stored snapshot. */
    private Map<String, Long> snapshotStamps() {
        Map<String, Long> stamps = new java.util.HashMap<>();
        for (String pair : PAIRS) {
            dynamoDb.queryPaginator(b -> b.tableName(config.table().name()).consistentRead(true)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)))))
                    .items().forEach(i -> stamps.merge(pair, Long.parseLong(i.get(TableLayout.SK).s().split("#")[0]),
                            Math::max));
        }
        return stamps;
    }

    private void settle() {
        ledger.settle(PAIRS, () -> protocol.openGaps().values().stream().allMatch(open -> open == Long.MAX_VALUE),
                c -> windows.confirmedUntil(new Windows.Stream(c.pair(), c.channel())));
    }

    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
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
