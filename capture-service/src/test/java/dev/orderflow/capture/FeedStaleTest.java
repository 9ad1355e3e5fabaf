package dev.orderflow.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A stale feed, against the simulator's {@code stale} fault: the connection answers pings and heartbeats but sends no
 * event. With a short data timeout (its own profile, so that the other fault tests keep the default), the connection
 * is replaced within the timeout and the stale window is recorded as a disconnect of every channel.
 */
@QuarkusTest
@TestProfile(FeedStaleTest.ShortDataTimeout.class)
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = FaultSimulatorResource.class, parallel = true)
@Timeout(120)
class FeedStaleTest {
    private static final List<String> PAIRS = SimulatorResource.PAIRS;
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);

    /** A data timeout of 2 s, doubling to at most 4 s. */
    public static class ShortDataTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capture.feed.data-timeout", "2s", "capture.feed.data-timeout-max", "4s");
        }
    }

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    CaptureConfig config;

    @Test
    void shouldReplaceAStaleFeedThatAnswersPingsWithinTheDataTimeoutAndRecordTheWindow() {
        Ledger ledger = new Ledger(config.feed().restUrl(), dynamoDb, config.table().name());
        awaitReady();
        // No market runs here, so the 2-s data timeout replaces the connection every few seconds, and events emitted
        // during a replacement are lost (and recorded as a disconnect). Emit until some arrive: then data flows.
        double received = metricSum("capture_events_received_total");
        Await.until(Duration.ofSeconds(30), () -> {
            ledger.emit(PAIRS, 1);
            return metricSum("capture_events_received_total") > received;
        });
        // the fault at once: data flows now, and the data timeout runs from the last event
        long staleAt = System.nanoTime();
        JsonNode fault = ledger.post("/sim/faults/stale?seconds=30");
        double stale = metric("capture_feed_stale_total"); // detection takes the 2-s timeout at least
        double halfOpen = metric("capture_feed_half_open_total");
        double reconnects = metric("capture_reconnects_total");
        assertEquals(1, fault.path("connections").asInt(), "one connection went stale");
        Map<String, Integer> withheldFrom = sentCounts(ledger);
        ledger.emit(PAIRS, 10); // withheld from the stale connection: lost to the capture
        Map<String, Integer> withheldTo = sentCounts(ledger);
        Await.until(Duration.ofSeconds(15), () -> metric("capture_feed_stale_total") > stale);
        long detectedAfterMs = (System.nanoTime() - staleAt) / 1_000_000;
        long detectedAtMicros = System.currentTimeMillis() * 1000;
        assertTrue(detectedAfterMs < config.feed().dataTimeout().toMillis() + 3_000,
                "stale connection detected after " + detectedAfterMs + " ms");
        assertEquals(halfOpen, metric("capture_feed_half_open_total"), "pings were answered all along");
        Await.until(Duration.ofSeconds(10), () -> metric("capture_reconnects_total") > reconnects
                && given().get("/q/health/ready").statusCode() == 200);
        // at once, before the new connection's own data timeout: no market runs here
        Map<String, Integer> recoveredFrom = sentCounts(ledger);
        ledger.emit(PAIRS, 20);
        Await.until(Duration.ofSeconds(10), () -> ledger.connections() == 1); // the stale socket is gone
        Await.until(Duration.ofSeconds(30), () -> CHANNELS.stream().allMatch(ledger::settled));

        for (String pair : PAIRS) {
            String channel = Channel.ORDERS.wireName(pair);
            List<ObjectNode> sent = ledger.sent(channel);
            List<String> ids = sent.stream().map(Ledger::id).toList();
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            List<ObjectNode> withheld = sent.subList(withheldFrom.get(channel), withheldTo.get(channel));
            assertFalse(withheld.isEmpty(), channel + ": events were sent while stale");
            assertTrue(withheld.stream().noneMatch(stored::contains), channel + ": withheld events were never received");
            int first = ids.indexOf(Ledger.id(withheld.get(0)));
            int last = ids.indexOf(Ledger.id(withheld.get(withheld.size() - 1)));
            List<GapRecord> covering = ledger.gaps(channel).stream()
                    .filter(g -> g.kind() == GapRecord.Kind.DISCONNECT && g.firstEventIdAfter() != null
                            && ids.indexOf(g.lastEventId()) < first && ids.indexOf(g.firstEventIdAfter()) > last)
                    .toList();
            assertEquals(1, covering.size(), channel + ": one disconnect record covers the stale window");
            GapRecord gap = covering.get(0);
            assertTrue(gap.fromMicros() <= fault.path("from_micros").asLong(), channel + " " + gap);
            assertTrue(gap.toMicros() >= detectedAtMicros, channel + ": the window lasts until the replacement " + gap);
        }
        for (String channel : CHANNELS) {
            ledger.assertAccountedFor(channel);
            List<ObjectNode> sent = ledger.sent(channel);
            List<ObjectNode> recovered = sent.subList(recoveredFrom.get(channel), sent.size());
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            assertTrue(channel.startsWith("live_trades_") || !recovered.isEmpty(), channel);
            assertTrue(recovered.stream().allMatch(stored::contains),
                    channel + ": every event sent after the recovery is stored");
        }
    }

    private static Map<String, Integer> sentCounts(Ledger ledger) {
        return CHANNELS.stream().collect(Collectors.toMap(c -> c, c -> ledger.sent(c).size()));
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
