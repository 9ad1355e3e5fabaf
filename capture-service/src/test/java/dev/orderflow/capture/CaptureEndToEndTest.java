package dev.orderflow.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.capture.certify.SnapshotChecks;
import dev.orderflow.capture.feed.Snapshots;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.book.SnapshotReads;
import dev.orderflow.storage.book.Verdict;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The simulator sends, the service captures into DynamoDB Local, and the table holds exactly what was sent. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = SimulatorResource.class, parallel = true)
@org.junit.jupiter.api.Timeout(600)
class CaptureEndToEndTest {
    private static final Pattern DECIMAL_STRING = Pattern.compile("\"([a-z_]+_str)\"\\s*:\\s*\"([^\"]*)\"");

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    CaptureConfig config;

    @Inject
    Snapshots snapshots;

    @Inject
    SnapshotChecks checks;

    static {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void shouldStoreExactlyTheFramesTheFeedSentOnEveryChannelInOrder() throws IOException {
        awaitReady();
        for (int round = 0; round < 4; round++) {
            for (String pair : SimulatorResource.PAIRS) {
                given().baseUri(config.feed().restUrl()).queryParam("pair", pair).queryParam("count", 150)
                        .post("/sim/emit").then().statusCode(200);
            }
            Await.sleep(350);
        }

        Map<String, Integer> sent = sentPerChannel();
        assertEquals(4, sent.size(), "both channels of both pairs: " + sent);
        assertTrue(sent.get("live_orders_btcusd") >= 600 && sent.get("live_orders_ethusd") >= 600, sent.toString());
        Await.until(Duration.ofSeconds(30), () -> sent.entrySet().stream()
                .allMatch(e -> stored(e.getKey()).size() == e.getValue()));

        for (String channel : sent.keySet()) {
            List<String> sentFrames = sentFrames(channel);
            List<CapturedEvent> stored = stored(channel);
            assertEquals(sentFrames.size(), stored.size(), channel);
            for (int i = 0; i < sentFrames.size(); i++) {
                String text = sentFrames.get(i);
                JsonNode frame = stored.get(i).frame();
                assertEquals(Frames.parse(text), frame, channel + " event " + i);
                Matcher m = DECIMAL_STRING.matcher(text);
                while (m.find()) {
                    assertEquals(m.group(2), frame.path("data").path(m.group(1)).textValue(),
                            channel + " event " + i + " " + m.group(1));
                }
                assertEquals(Frames.microtimestamp(frame), stored.get(i).microtimestamp());
            }
        }
    }

    @Test
    void shouldReportCaptureInMetricsHealthAndCatalog() {
        awaitReady();
        given().baseUri(config.feed().restUrl()).queryParam("pair", "ethusd").queryParam("count", 40)
                .post("/sim/emit").then().statusCode(200);
        Map<String, Integer> sent = sentPerChannel();
        Await.until(Duration.ofSeconds(30), () -> stored("live_orders_ethusd").size() == sent.get("live_orders_ethusd"));

        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("capture_events_received_total{channel=\"orders\",pair=\"ethusd\"}",
                "capture_events_stored_by_channel_total{channel=\"orders\",pair=\"ethusd\"}", "capture_events_stored_total",
                "capture_feed_connected", "capture_gaps_total", "capture_journal_backlog_bytes",
                "capture_journal_backlog_events", "capture_journal_oldest_unconfirmed_age_seconds", "capture_journal_durable_delay_seconds{quantile=\"0.99\"}",
                "capture_write_units_total", "capture_stored_bytes_total", "capture_items_written_total",
                "capture_write_latency_seconds_count", "capture_event_queryable_delay_seconds{quantile=\"0.99\"}",
                "capture_reconnects_total", "capture_queue_jobs", "capture_held_bytes", "capture_behind",
                "capture_items_dead_lettered_total", "capture_journal_errors_total{op=\"fsync\"}")) {
            assertTrue(metrics.contains(name), name + " missing from /q/metrics");
        }
        assertTrue(metricValue(metrics, "capture_write_units_total") > 0, "DynamoDB reported consumed capacity");
        assertTrue(metricValue(metrics, "capture_stored_bytes_total") > 0);
        assertTrue(metricValue(metrics, "capture_events_stored_by_channel_total{channel=\"orders\",pair=\"ethusd\"}")
                >= sent.get("live_orders_ethusd"));

        Await.until(Duration.ofSeconds(10), () -> catalog("ethusd") != null && catalog("ethusd").firstMicros() != null);
        CatalogItems.Entry catalog = catalog("ethusd");
        List<CapturedEvent> stored = stored("live_orders_ethusd");
        long first = catalog.firstMicros();
        long last = catalog.lastMicros();
        assertTrue(first <= stored.get(0).microtimestamp() && first > 0);
        assertTrue(last <= stored.get(stored.size() - 1).microtimestamp() && last >= first);
        assertEquals(Set.of(config.host().id()), catalog.receiving().keySet(), "the host says it receives the channel");
        Await.until(Duration.ofSeconds(10), () -> TableReader.item(dynamoDb, config.table().name(),
                GapItems.gapsPk("ethusd", Channel.ORDERS), GapReads.BOUNDED_SK).containsKey(TableLayout.SK));
        Await.until(Duration.ofSeconds(15), () -> catalog("ethusd").confirmedUntilMicros() != null);
        long confirmed = catalog("ethusd").confirmedUntilMicros();
        assertTrue(confirmed <= dev.orderflow.capture.Clock.nowMicros() - 1_300_000,
                "confirmed_until stays behind the windows not sealed yet");
    }

    @Test
    void shouldCertifyItsOwnSnapshotWithTheEventsItStored() {
        awaitReady();
        SnapshotReads reads = new SnapshotReads(dynamoDb, config.table().name());
        String pair = "btcusd";
        // The connect snapshot is fetched once events flow, and used only when stamped after the first of them plus
        // the margin: the market keeps moving (a few events every poll) until it is stored, and again until a
        // periodic one is.
        Await.until(Duration.ofSeconds(30), () -> emit(pair, 20)
                && !reads.metas(pair, 0, Long.MAX_VALUE / 1000, 1000, true).isEmpty());
        // asked for at every poll: a fetch still under way (a reconnect's) takes the request's place meanwhile
        Await.until(Duration.ofSeconds(30), () -> emit(pair, 20) && fetch(pair)
                && reads.metas(pair, 0, Long.MAX_VALUE / 1000, 1000, true).size() >= 2);
        List<SnapshotMeta> metas = reads.metas(pair, 0, Long.MAX_VALUE / 1000, 1000, true);
        SnapshotMeta previous = metas.get(metas.size() - 2);
        SnapshotMeta last = metas.get(metas.size() - 1);
        Await.until(Duration.ofSeconds(30), () -> catalog(pair) != null && catalog(pair).confirmedUntilMicros() != null
                && catalog(pair).confirmedUntilMicros() > last.microtimestamp());

        checks.pass();
        SnapshotMeta checked = reads.metas(pair, last.microtimestamp(), last.microtimestamp() + 1, 1, true).get(0);
        assertEquals(Verdict.Status.CERTIFIED, checked.verdict().status(), checked.verdict().toString());
        assertEquals(previous.microtimestamp(), checked.verdict().againstMicros());
        assertTrue(given().get("/q/metrics").then().extract().asString()
                .contains("capture_snapshots_checked_total{verdict=\"certified\"}"));
    }

    /** Asks the capture for a periodic snapshot of {@code pair} (ignored while one is under way); true. */
    private boolean fetch(String pair) {
        snapshots.fetch(List.of(pair), "periodic");
        return true;
    }

    /** Emits {@code count} order events of {@code pair} on the simulator; true once done. */
    private boolean emit(String pair, int count) {
        given().baseUri(config.feed().restUrl()).queryParam("pair", pair).queryParam("count", count)
                .post("/sim/emit").then().statusCode(200);
        return true;
    }

    private List<CapturedEvent> stored(String wireChannel) {
        Channel.WireChannel c = Channel.parseWire(wireChannel).orElseThrow();
        return TableReader.events(dynamoDb, config.table().name(), c.pair(), c.channel());
    }

    private Map<String, Integer> sentPerChannel() {
        JsonNode stats = parse(given().baseUri(config.feed().restUrl()).get("/sim/stats")
                .then().statusCode(200).extract().asString());
        Map<String, Integer> sent = new HashMap<>();
        stats.path("channels").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("live_")) {
                sent.put(e.getKey(), e.getValue().path("sent").asInt());
            }
        });
        return sent;
    }

    private List<String> sentFrames(String channel) {
        String ndjson = given().baseUri(config.feed().restUrl()).queryParam("channel", channel).get("/sim/sent")
                .then().statusCode(200).extract().asString();
        List<String> frames = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                frames.add(line);
            }
        }
        return frames;
    }

    private static void awaitReady() {
        Await.until(Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static double metricValue(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in /q/metrics");
    }

    private static JsonNode parse(String json) {
        try {
            return Frames.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }

    private CatalogItems.Entry catalog(String pair) {
        return TableReader.catalog(dynamoDb, config.table().name(), pair, Channel.ORDERS);
    }
}
