package dev.orderflow.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Compares what the simulator sent with what the table holds: every sent event is stored exactly once, unless it
 * lies in a recorded disconnect window (the capture was not receiving) or the simulator skipped it.
 */
public final class Ledger {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String simulatorBase;
    private final DynamoDbClient dynamoDb;
    private final String table;

    public Ledger(String simulatorBase, DynamoDbClient dynamoDb, String table) {
        this.simulatorBase = simulatorBase;
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    public static List<String> channels(List<String> pairs) {
        List<String> all = new ArrayList<>();
        for (String pair : pairs) {
            for (Channel c : Channel.values()) {
                all.add(c.wireName(pair));
            }
        }
        return all;
    }

    public List<ObjectNode> sent(String channel) {
        List<ObjectNode> frames = new ArrayList<>();
        for (String line : get("/sim/sent?channel=" + channel).split("\n")) {
            if (!line.isBlank()) {
                frames.add(parse(line));
            }
        }
        return frames;
    }

    /** The simulator's open connections (the old one of a switch counts until it is closed). */
    public int connections() {
        return parse(get("/sim/stats")).path("connections").asInt();
    }

    public JsonNode skipped(String channel) {
        return parse(get("/sim/skipped?channel=" + channel));
    }

    public JsonNode post(String path) {
        return parse(send(HttpRequest.newBuilder(URI.create(simulatorBase + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    public void emit(List<String> pairs, int count) {
        for (String pair : pairs) {
            post("/sim/emit?pair=" + pair + "&count=" + count);
        }
    }

    public List<CapturedEvent> stored(String channel) {
        Channel.WireChannel c = Channel.parseWire(channel).orElseThrow();
        return TableReader.events(dynamoDb, table, c.pair(), c.channel());
    }

    public List<GapRecord> gaps(String channel) {
        Channel.WireChannel c = Channel.parseWire(channel).orElseThrow();
        List<GapRecord> gaps = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamoDb.queryPaginator(QueryRequest.builder()
                .tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND sk < :marker") // the records, not GapReads' own items
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(GapItems.gapsPk(c.pair(), c.channel())),
                        ":marker", AttributeValue.fromS(GapReads.BOUNDED_SK)))
                .build()).items()) {
            gaps.add(GapItems.gapFromItem(item));
        }
        return gaps;
    }

    /** True once every sent event of the channel is stored or accounted for (see {@link #assertAccountedFor}). */
    public boolean settled(String channel) {
        try {
            assertAccountedFor(channel);
            return true;
        } catch (AssertionError notYet) {
            return false;
        }
    }

    /**
     * Waits (up to a minute) until every channel of {@code pairs} is {@link #settled} and {@code allReceiving} holds:
     * no disconnect window still waits for its channel's next event to be closed, so none is closed (and recorded)
     * in a later test.
     */
    public void settle(List<String> pairs, java.util.function.BooleanSupplier allReceiving) {
        List<String> channels = channels(pairs);
        awaitTrading(pairs, () -> allReceiving.getAsBoolean() && channels.stream().allMatch(this::settled));
    }

    /**
     * As {@link #settle(List, java.util.function.BooleanSupplier)}, and also until the capture confirms every channel
     * stored past its last sent event ({@code confirmedUntil}, the watermark coverage answers {@code complete} by).
     * Without it, events that a gap record's time covers (a chain break's window ends at the first event after, and
     * events stamped in the same millisecond) would count as accounted for while still on their way to the table.
     */
    public void settle(List<String> pairs, java.util.function.BooleanSupplier allReceiving,
            java.util.function.ToLongFunction<Channel.WireChannel> confirmedUntil) {
        List<String> channels = channels(pairs);
        awaitTrading(pairs, () -> allReceiving.getAsBoolean()
                && channels.stream().allMatch(c -> settledPastLastSent(c, confirmedUntil)));
    }

    /** Confirmed stored past its last sent event, and {@link #settled}, from one read of what was sent. */
    private boolean settledPastLastSent(String channel,
            java.util.function.ToLongFunction<Channel.WireChannel> confirmed) {
        List<ObjectNode> sent = sent(channel);
        if (!sent.isEmpty() && confirmed.applyAsLong(Channel.parseWire(channel).orElseThrow())
                <= Frames.microtimestamp(sent.get(sent.size() - 1))) {
            return false;
        }
        try {
            accountedFor(channel, sent);
            return true;
        } catch (AssertionError notYet) {
            return false;
        }
    }

    /**
     * Waits (up to a minute) until {@code condition} holds while the exchange keeps trading: 30 events per pair every
     * three seconds (time enough to store them), as a trades channel closes its window only with its next trade, and
     * a trade comes with about one order event in fifty.
     */
    public void awaitTrading(List<String> pairs, java.util.function.BooleanSupplier condition) {
        long[] lastEmit = {System.nanoTime()};
        Await.until(java.time.Duration.ofSeconds(60), () -> {
            if (System.nanoTime() - lastEmit[0] > 3_000_000_000L) {
                emit(pairs, 30);
                lastEmit[0] = System.nanoTime();
            }
            return condition.getAsBoolean();
        });
    }

    /** The ids of the channel's sent events that are not stored (see {@link #assertAccountedFor}). */
    public Set<String> missingIds(String channel) {
        Set<String> ids = new HashSet<>();
        assertAccountedFor(channel).forEach(frame -> ids.add(id(frame)));
        return ids;
    }

    /**
     * No stored event is doubled or unknown to the simulator; every sent event is stored, unless it lies inside a
     * disconnect window of that channel (between the ids around it), or inside another gap record's time (a chain
     * break's window, on the orders and on the pair's trades; a record without ids). Returns the sent events that
     * were not stored.
     */
    public List<ObjectNode> assertAccountedFor(String channel) {
        return accountedFor(channel, sent(channel));
    }

    private List<ObjectNode> accountedFor(String channel, List<ObjectNode> sent) {
        List<CapturedEvent> stored = stored(channel);
        Set<JsonNode> storedFrames = new HashSet<>();
        for (CapturedEvent e : stored) {
            assertTrue(storedFrames.add(e.frame()), channel + ": stored twice: " + e.frame());
        }
        Set<JsonNode> sentFrames = new HashSet<>(sent);
        for (CapturedEvent e : stored) {
            assertTrue(sentFrames.contains(e.frame()), channel + ": stored but never sent: " + e.frame());
        }
        List<GapRecord> gaps = gaps(channel);
        List<GapRecord> disconnects = gaps.stream().filter(g -> g.kind() == GapRecord.Kind.DISCONNECT).toList();
        List<GapRecord> others = gaps.stream() // by time: those without the ids around them
                .filter(g -> g.kind() != GapRecord.Kind.DISCONNECT || g.firstEventIdAfter() == null).toList();
        Map<String, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            position.put(id(sent.get(i)), i);
        }
        List<ObjectNode> missing = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            ObjectNode frame = sent.get(i);
            if (!storedFrames.contains(frame)) {
                int at = i;
                long micros = dev.orderflow.storage.Frames.microtimestamp(frame);
                // In the window: sent after the window's last event and before its first event after.
                assertTrue(disconnects.stream().anyMatch(g -> g.firstEventIdAfter() != null
                                && position.getOrDefault(g.lastEventId(), -1) < at
                                && at < position.getOrDefault(g.firstEventIdAfter(), -1))
                                || others.stream().anyMatch(g -> g.fromMicros() <= micros && micros <= g.toMicros()),
                        channel + ": sent, not stored, and in no gap record: " + frame);
                missing.add(frame);
            }
        }
        return missing;
    }

    /** The id the capture tells events apart by: {@code event_id} for orders, the trade id for trades. */
    public static String id(JsonNode frame) {
        return frame.has("event_id") ? frame.get("event_id").asText() : frame.path("data").path("id").asText();
    }

    /** Sent frames in order, as stored events' frames compare. */
    public static List<JsonNode> frames(List<CapturedEvent> events) {
        return events.stream().map(e -> (JsonNode) e.frame()).toList();
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(simulatorBase + path)).GET().build());
    }

    private static String send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), request.uri() + ": " + response.body());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return Frames.parse(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event sent but not stored, stored twice, or stored but never sent, with its window; empty if none. */
    public String unionProblems(List<String> channels) {
        List<String> problems = new ArrayList<>();
        for (String channel : channels) {
            List<ObjectNode> sent = sent(channel);
            Map<JsonNode, Integer> stored = new HashMap<>();
            stored(channel).forEach(e -> stored.merge(e.frame(), 1, Integer::sum));
            Set<JsonNode> sentFrames = new HashSet<>(sent);
            stored.forEach((frame, times) -> {
                if (times > 1) {
                    problems.add(channel + ": stored " + times + " times: " + describe(frame));
                }
                if (!sentFrames.contains(frame)) {
                    problems.add(channel + ": stored, never sent: " + describe(frame));
                }
            });
            for (int i = 0; i < sent.size(); i++) {
                if (!stored.containsKey(sent.get(i))) {
                    problems.add(channel + ": sent #" + i + ", not stored: " + describe(sent.get(i)));
                }
            }
        }
        return String.join("\n", problems.subList(0, Math.min(problems.size(), 60)))
                + (problems.size() > 60 ? "\n... " + problems.size() + " in all" : "");
    }

    private static String describe(JsonNode frame) {
        long at = Frames.microtimestamp(frame);
        return "id " + id(frame) + " at " + at + " µs, window " + TableLayout.slotStart(at);
    }
}
