package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.store.RecordingQueue;
import dev.orderflow.storage.BadFrameItems;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@org.junit.jupiter.api.Timeout(600)
class BitstampProtocolTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingQueue queue = new RecordingQueue(registry);
    private final BitstampProtocol protocol = TestProtocols.create(queue, 0, registry);

    @Test
    void shouldRecordAGapForAnUnreadableStretchTheJournalReportsAsItOpens() {
        byte[] frame = "{}".getBytes(StandardCharsets.UTF_8);
        protocol.scan(new dev.orderflow.capture.journal.Journal.Entry(0, dev.orderflow.capture.journal.Journal.EVENT,
                150, dev.orderflow.capture.journal.Records.event(100, "live_orders_btcusd", frame)));
        protocol.scan(new dev.orderflow.capture.journal.Journal.Entry(1,
                dev.orderflow.capture.journal.Journal.UNREADABLE, 150, new byte[8]));
        protocol.scan(new dev.orderflow.capture.journal.Journal.Entry(1, dev.orderflow.capture.journal.Journal.EVENT,
                350, dev.orderflow.capture.journal.Records.event(300, "live_orders_btcusd", frame)));
        protocol.restarted(List.of());

        List<dev.orderflow.storage.GapRecord> gaps = queue.drain().keptAside().stream()
                .map(GapItems::gapFromItem).toList();
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(dev.orderflow.storage.GapRecord.Kind.NOT_KEPT, gaps.get(0).kind());
        assertEquals(List.of(100L, 300L), List.of(gaps.get(0).fromMicros(), gaps.get(0).toMicros()));
    }

    @Test
    void shouldSubscribeToBothChannelsOfEveryPairWithFramesTheExchangeAccepts() throws IOException {
        List<String> frames = protocol.subscribeFrames(List.of("btcusd", "ethusd"));

        assertEquals(List.of("live_orders_btcusd", "live_trades_btcusd", "live_orders_ethusd", "live_trades_ethusd"),
                frames.stream().map(f -> parse(f).path("data").path("channel").asText()).toList());
        for (String f : frames) {
            assertEquals("bts:subscribe", parse(f).path("event").asText());
            assertTrue(f.length() < 512, "the exchange closes the socket on client frames over 512 bytes");
        }
    }

    @Test
    void shouldBeSubscribedOnlyWhenEveryChannelIsAcknowledgedOnTheCurrentConnection() {
        protocol.subscribeFrames(List.of("btcusd"));
        assertFalse(protocol.allSubscribed());
        protocol.onFrame(ack("live_orders_btcusd"), 1);
        assertFalse(protocol.allSubscribed());
        protocol.onFrame(ack("live_trades_btcusd"), 2);
        assertTrue(protocol.allSubscribed());

        protocol.disconnected(0, 0);
        assertFalse(protocol.allSubscribed());
    }

    @Test
    void shouldKeepEveryFieldOfEveryEventExactlyAndHandleControlFrames() throws IOException {
        List<String> lines = fixture("frames/feed.jsonl");
        protocol.subscribeFrames(List.of("btcusd"));
        long received = 1_790_000_000_500_000L;
        for (String line : lines) {
            assertEquals(line.contains("bts:subscription_succeeded") ? BitstampProtocol.Reaction.SUBSCRIBED
                    : line.contains("\"bts:") ? BitstampProtocol.Reaction.NONE : BitstampProtocol.Reaction.DATA,
                    protocol.onFrame(line, received++));
        }

        List<String> eventLines = lines.stream().filter(l -> !l.contains("\"bts:")).toList();
        List<CapturedEvent> captured = queue.events();
        assertEquals(eventLines.size(), captured.size());
        for (CapturedEvent e : captured) {
            String line = eventLines.stream()
                    .filter(l -> Frames.toJson(e.frame()).equals(Frames.toJson(parse(l)))).findFirst().orElseThrow();
            assertEquals(parse(line), e.frame());
            assertEquals(Long.parseLong(parse(line).path("data").path("microtimestamp").asText()), e.microtimestamp());
        }
        JsonNode trade = captured.stream().map(CapturedEvent::frame)
                .filter(f -> f.path("event").asText().equals("trade")).findFirst().orElseThrow();
        assertEquals("1E-8", trade.path("data").path("amount_str").asText());
        assertEquals("9007199254740993123", trade.path("data").path("id").bigIntegerValue().toString());
        JsonNode created = captured.stream().map(CapturedEvent::frame)
                .filter(f -> f.path("event_id").asText().equals("00065b2a-0a00-03e8-0000-000100000020"))
                .findFirst().orElseThrow();
        assertEquals("0.04500000", created.path("data").path("amount").decimalValue().toPlainString());
        assertTrue(protocol.allSubscribed());
        assertTrue(protocol.lastHeartbeatMicros() > 0);
        assertTrue(queue.keptAside().isEmpty());
        assertEquals(Map.of("btcusd#orders", 4.0, "btcusd#trades", 1.0), receivedCounts());
    }

    @Test
    void shouldCountLogAndKeepAsideBadFramesWithoutStoppingTheStream() {
        protocol.subscribeFrames(List.of("btcusd"));
        String good = "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id_str\":\"1\","
                + "\"microtimestamp\":\"1790000000000000\"}}";
        List<String> bad = List.of(
                "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id_str\":\"1\"",
                "not json at all",
                "[1,2,3]",
                "{\"event\":\"order_exploded\",\"channel\":\"live_orders_btcusd\",\"data\":{}}",
                "{\"channel\":\"live_orders_btcusd\",\"data\":{}}",
                "{\"event\":\"trade\",\"channel\":\"live_trades_xrpusd\",\"data\":{\"microtimestamp\":\"1790000000000000\"}}",
                "{\"event\":\"order_created\",\"channel\":\"live_trades_btcusd\",\"data\":{\"microtimestamp\":\"1790000000000000\"}}",
                "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\"}",
                "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":\"oops\"}",
                "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"microtimestamp\":\"soon\"}}",
                "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"microtimestamp\":1.5}}");
        long received = 1_790_000_001_000_000L;
        for (String frame : bad) {
            assertEquals(BitstampProtocol.Reaction.NONE, protocol.onFrame(frame, received++));
        }
        protocol.onFrame(good, received);

        assertEquals(Map.of("invalid_json", 3.0, "unknown_event", 1.0, "unknown_channel", 2.0,
                "invalid_data", 2.0, "invalid_microtimestamp", 3.0), badCounts(),
                "an unknown event type on a followed channel is an event: bad only for its missing time");
        assertEquals(bad, queue.keptAside().stream().map(i -> i.get(BadFrameItems.BAD_RAW).s()).toList());
        assertEquals(11, queue.keptAside().stream().map(i -> i.get(TableLayout.SK).s()).distinct().count());
        assertEquals(1, queue.events().size(), "the good frame still counts");
    }

    @Test
    void shouldAskForReconnectWhateverTheRequestCarries() {
        for (String data : List.of("null", "{}", "\"\"")) {
            assertEquals(BitstampProtocol.Reaction.RECONNECT,
                    protocol.onFrame("{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":" + data + "}", 1));
        }
        assertTrue(badCounts().isEmpty());
    }

    @Test
    void shouldNotCountExchangeErrorsAsBadFrames() {
        assertEquals(BitstampProtocol.Reaction.NONE, protocol.onFrame(
                "{\"event\":\"bts:error\",\"channel\":\"\",\"data\":{\"code\":null,\"message\":\"Bad subscription string.\"}}", 1));
        assertTrue(badCounts().isEmpty());
        assertTrue(queue.keptAside().isEmpty());
    }

    @Test
    void shouldKeepBinaryMessagesAside() {
        protocol.onBinary(new byte[] {1, 2, 3}, 1_790_000_000_000_000L);
        assertEquals(Map.of("binary", 1.0), badCounts());
        Map<String, AttributeValue> item = queue.keptAside().get(0);
        assertEquals("AQID", item.get(BadFrameItems.BAD_RAW).s());
    }

    static JsonNode parse(String text) {
        try {
            return Frames.parse(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private static String ack(String channel) {
        return "{\"event\":\"bts:subscription_succeeded\",\"channel\":\"" + channel + "\",\"data\":{}}";
    }

    private Map<String, Double> badCounts() {
        return registry.find("capture.frames.bad").counters().stream().filter(c -> c.count() > 0).collect(
                java.util.stream.Collectors.toMap(c -> c.getId().getTag("reason"), c -> c.count()));
    }

    private Map<String, Double> receivedCounts() {
        return registry.find("capture.events.received").counters().stream().collect(java.util.stream.Collectors.toMap(
                c -> c.getId().getTag("pair") + "#" + c.getId().getTag("channel"), c -> c.count()));
    }

    static List<String> fixture(String resource) throws IOException {
        try (InputStream in = BitstampProtocolTest.class.getClassLoader().getResourceAsStream(resource)) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> !l.isBlank()).toList();
        }
    }
}
