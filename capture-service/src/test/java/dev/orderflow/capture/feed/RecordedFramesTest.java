package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.store.RecordingQueue;
import dev.orderflow.storage.BadFrameItems;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The protocol and adapter on frames the real exchange sent (../shared/bitstamp-samples). */
@org.junit.jupiter.api.Timeout(600)
class RecordedFramesTest {
    private static final Pattern RECEIVED = Pattern.compile("^(?:wss://\\S+ -> )?[0-9.]+: (\\{.*)$");
    private static final Set<String> EVENTS = Set.of("order_created", "order_changed", "order_deleted", "trade");
    private static Path samples;

    @BeforeAll
    static void locateSamples() {
        String dir = System.getProperty("samples.dir");
        samples = dir == null ? null : Paths.get(dir);
        Assumptions.assumeTrue(samples != null && Files.isDirectory(samples),
                "Skipped: the recorded Bitstamp samples folder (system property samples.dir = " + dir
                        + ") is absent");
    }

    @Test
    void shouldCaptureEveryLiveEventOfTheRecordedFramesExactlyAndKeepTheRestAside() throws IOException {
        List<String> frames = recordedFrames();
        assertTrue(frames.size() > 100, "the samples hold hundreds of received frames, found " + frames.size());

        Set<String> pairs = new LinkedHashSet<>();
        for (String text : frames) {
            Channel.parseWire(BitstampProtocolTest.parse(text).path("channel").asText(""))
                    .ifPresent(c -> pairs.add(c.pair()));
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingQueue queue = new RecordingQueue(registry);
        BitstampProtocol protocol = TestProtocols.create(queue, 10_000_000_000L, registry);
        protocol.subscribeFrames(List.copyOf(pairs));

        long received = 1_790_000_000_000_000L;
        List<JsonNode> expected = new ArrayList<>();
        int control = 0;
        for (String text : frames) {
            JsonNode frame = BitstampProtocolTest.parse(text);
            String event = frame.path("event").asText("");
            if (EVENTS.contains(event) && frame.path("channel").asText("").startsWith("live_")) {
                expected.add(frame);
            } else if (event.startsWith("bts:")) {
                control++;
            }
            protocol.onFrame(text, received++);
        }

        List<CapturedEvent> captured = queue.events();
        assertEquals(expected.size(), captured.size());
        assertTrue(captured.size() > 50, "expected the samples' live_orders and live_trades events");
        Set<String> expectedJson = new LinkedHashSet<>();
        expected.forEach(f -> expectedJson.add(Frames.toJson(f)));
        for (CapturedEvent e : captured) {
            assertTrue(expectedJson.contains(Frames.toJson(e.frame())), "unexpected frame " + e.frame());
            assertEquals(TableLayout.slotStart(e.microtimestamp()),
                    TableLayout.slotStart(Long.parseLong(e.frame().path("data").path("microtimestamp").asText())));
            for (Iterator<Map.Entry<String, JsonNode>> it = e.frame().path("data").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().endsWith("_str")) {
                    assertTrue(field.getValue().isTextual(), field.getKey() + " stays a string");
                }
            }
        }
        assertEquals(frames.size() - expected.size() - control,
                queue.keptAside().stream().filter(i -> i.containsKey(BadFrameItems.BAD_RAW)).count(),
                "every frame that is neither an event nor a control frame is kept aside");
    }

    @Test
    void shouldKeepTheDecimalStringsOfRealTradesVerbatim() throws IOException {
        List<String> frames = recordedFrames().stream().filter(f -> f.contains("\"1E-8\"")).toList();
        Assumptions.assumeFalse(frames.isEmpty(), "Skipped: no recorded frame with amount_str 1E-8 in the samples");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingQueue queue = new RecordingQueue(registry);
        BitstampProtocol protocol = TestProtocols.create(queue, 10_000_000_000L, registry);
        protocol.subscribeFrames(List.of("btcusd"));
        frames.forEach(f -> protocol.onFrame(f, 1));

        JsonNode data = queue.events().get(0).frame().path("data");
        assertEquals("1E-8", data.path("amount_str").asText());
        assertEquals("57748.80", data.path("price_str").asText());
        assertEquals(new java.math.BigDecimal("57748.8"), data.path("price").decimalValue());
    }

    /** Frames as received: raw frames of the JSON-lines samples and the recorder's received lines. */
    private static List<String> recordedFrames() throws IOException {
        List<String> frames = new ArrayList<>();
        Path fixtures = samples.resolve("multi-repo__small_fixtures.jsonl");
        if (Files.exists(fixtures)) {
            for (String line : Files.readAllLines(fixtures)) {
                JsonNode entry = Frames.MAPPER.readTree(line);
                if (entry.path("raw_text").isTextual() && entry.path("msg").has("event")) {
                    frames.add(entry.path("raw_text").asText());
                }
            }
        }
        Path liveOrders = samples.resolve("Trading-Engine__bitstamp_live_orders_sample.jsonl");
        if (Files.exists(liveOrders)) {
            Files.readAllLines(liveOrders).stream().filter(l -> !l.isBlank()).forEach(frames::add);
        }
        for (String recording : List.of("cryptofeed__be4e5c81__BITSTAMP.ws.19.0", "cryptofeed__78508055__BITSTAMP.ws.1.0",
                "cryptofeed__7136ce8d__BITSTAMP-b88f8b.0")) {
            Path file = samples.resolve(recording);
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    Matcher m = RECEIVED.matcher(line);
                    if (m.matches()) {
                        frames.add(m.group(1));
                    }
                }
            }
        }
        return frames;
    }
}
