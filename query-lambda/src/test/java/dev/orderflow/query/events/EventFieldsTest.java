package dev.orderflow.query.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.Fixtures;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.Times;
import dev.orderflow.storage.Side;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.ChunkCodec;
import dev.orderflow.storage.EventLayout;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;

/**
 * Rows written from chunk views are the rows the frames themselves describe: {@link Reference} writes them by
 * walking each decoded frame as a JSON tree, the plain reading of the rules in {@link EventFields}'s comment.
 */
@org.junit.jupiter.api.Timeout(600)
class EventFieldsTest {
    /** Frames with every kind of field the rules treat apart. */
    private static final List<String> ODD_FRAMES = List.of(
            // a side the API does not know keeps its wire field, under data_ when the name is taken
            "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id\":1,\"type\":7,\"price\":1.5,"
                    + "\"price_str\":\"1.50\",\"amount_str\":\"2\",\"microtimestamp\":\"1000\"}}",
            // x with x_str, x_str without x, x_str next to a string x, numbers of every form
            "{\"event\":\"order_created\",\"channel\":\"live_orders_btcusd\",\"data\":{\"id\":12345678901234567890,"
                    + "\"id_str\":\"12345678901234567890\",\"order_type\":1,\"amount_traded\":0.5,"
                    + "\"amount_traded_str\":\"0.50000000\",\"fee_str\":\"0.1\",\"rate\":\"3\",\"rate_str\":\"3.0\",\"qty\":5,\"qty_str\":6,"
                    + "\"big\":123456789012345678901234567890,\"dec\":1e-8,\"whole\":42,\"flag\":true,\"none\":null,"
                    + "\"list\":[1,\"a\",{\"b\":2}],\"obj\":{\"c\":[3]},\"buy_order_id\":99,"
                    + "\"microtimestamp\":\"2000\"}}",
            // names the API uses itself, in data and at the top level; other top-level fields of every kind
            "{\"event\":\"order_deleted\",\"channel\":\"live_orders_btcusd\",\"event_id\":\"e1\","
                    + "\"pre_event_id\":null,\"pair\":\"x\",\"side\":\"top\",\"extra\":{\"k\":{\"n\":1.25}},"
                    + "\"seq\":7,\"tags\":[\"a\"],\"data\":{\"pair\":\"y\",\"time\":5,\"side\":\"s\",\"order_type\":0,"
                    + "\"extra\":1,\"microtimestamp\":\"3000\",\"price\":\"10\",\"amount\":0.001}}",
            // no data object at all, and data that is not an object
            "{\"event\":\"order_changed\",\"channel\":\"live_orders_btcusd\",\"seq\":1}",
            "{\"event\":{\"odd\":1},\"channel\":\"live_orders_btcusd\",\"data\":\"text\"}",
            // an x_str that is null, a number itself, or a string saying another number: both fields kept
            "{\"event\":\"order_changed\",\"channel\":\"live_orders_btcusd\",\"data\":{\"id\":7,\"id_str\":\"7\","
                    + "\"price\":1.5,\"price_str\":null,\"amount\":0.5,\"amount_str\":\"0.6\",\"fee\":2,"
                    + "\"fee_str\":null,\"rate\":4,\"rate_str\":\"5\",\"size\":1.25,\"size_str\":1.25,"
                    // a float's rendering of its x_str (one number), and whole numbers past 2^53 a double confuses
                    + "\"tick\":0.0016429999999999999,\"tick_str\":\"0.00164300\",\"n\":9007199254740993,"
                    + "\"n_str\":\"9007199254740992\",\"buy_order_id\":9007199254740993,"
                    + "\"buy_order_id_str\":\"9007199254740993\","
                    + "\"order_type\":0,\"microtimestamp\":\"5000\"}}",
            // ids sent as strings twice, a price without a text, an id_str without an id
            "{\"event\":\"order_created\",\"channel\":\"live_orders_btcusd\",\"data\":{\"id\":\"8\","
                    + "\"id_str\":\"8\",\"price\":{\"v\":1},\"amount_str\":[1],\"amount\":3,"
                    + "\"microtimestamp\":\"6000\"}}",
            "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id_str\":\"9\",\"type\":0,"
                    + "\"price_str\":\"2\",\"price\":\"3\",\"microtimestamp\":\"7000\"}}",
            // strings that need escaping
            "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"note\":\"a\\\"b\\\\c\\n\\u0001é\","
                    + "\"type\":\"1\",\"buy_order_id\":\"5\",\"sell_order_id\":6,\"microtimestamp\":\"4000\"}}");

    @Test
    void shouldWriteFromViewsWhatTheFramesSayForEveryStoredFixtureAndSample() throws IOException {
        int rows = 0;
        for (Chunk chunk : Fixtures.get().chunks()) {
            rows += assertSameRows(chunk.pair(), chunk.channel(), chunk.events());
        }
        assertTrue(rows > 1000, "expected the fixtures' events, found " + rows);
    }

    @Test
    void shouldWriteFromViewsWhatTheFramesSayForOddFrames() throws IOException {
        for (Channel channel : Channel.values()) {
            List<CapturedEvent> events = new ArrayList<>();
            for (int i = 0; i < ODD_FRAMES.size(); i++) {
                events.add(new CapturedEvent(1000L * (i + 1), 0, Frames.parse(ODD_FRAMES.get(i))));
            }
            assertEquals(ODD_FRAMES.size(), assertSameRows("btcusd", channel, events));
        }
    }

    @Test
    void shouldKeepBothFieldsOfANumberSentTwiceWhereTheyDoNotSayTheSame() throws IOException {
        String frame = ODD_FRAMES.stream().filter(f -> f.contains("tick_str")).findFirst().orElseThrow();
        byte[] payload = ChunkCodec.encode(List.of(new CapturedEvent(5000, 0, Frames.parse(frame))));
        PageBuffer page = new PageBuffer(1024);
        RowWriter rows = RowWriter.ndjson(page);
        EventView.Events views = ChunkCodec.view(payload);
        assertTrue(views.next());
        new EventFields("btcusd", Channel.ORDERS).write(views.event(), rows);
        rows.finish();
        JsonNode event = Frames.MAPPER.readTree(page.toString(StandardCharsets.UTF_8));

        assertEquals("1.5", event.get("price").textValue(), "price_str is null: the price from price");
        assertTrue(event.get("price_str").isNull(), "and the null kept");
        assertEquals("0.6", event.get("amount").textValue(), "the amount from amount_str");
        assertEquals("0.5", event.get("data_amount").textValue(), "and the other number amount said, kept");
        assertTrue(event.get("fee_str").isNull());
        assertEquals(2, event.get("fee").intValue());
        assertEquals(List.of(4, "5"), List.of(event.get("rate").intValue(), event.get("rate_str").textValue()));
        assertEquals("0.00164300", event.get("tick").textValue(), "a float's rendering of the same number: once");
        assertFalse(event.has("tick_str"));
        assertEquals("9007199254740992", event.get("n_str").textValue(), "whole numbers must be equal");
        assertEquals("9007199254740993", event.get("n").bigIntegerValue().toString());
        assertEquals("9007199254740993", event.get("buy_order_id").textValue());
        assertFalse(event.has("buy_order_id_str"));
        assertFalse(event.has("id_str"));
        assertFalse(event.has("data_id"));
    }

    @Test
    void shouldFilterAsTheFramesSay() throws IOException {
        List<CapturedEvent> events = new ArrayList<>();
        for (Chunk chunk : Fixtures.get().chunks()) {
            if (chunk.pair().equals("btcusd")) {
                events.addAll(chunk.events());
            }
        }
        List<EventQuery> queries = new ArrayList<>();
        for (Channel channel : Channel.values()) {
            for (EventType type : EventType.values()) {
                queries.add(new EventQuery("btcusd", channel, Long.MIN_VALUE, Long.MAX_VALUE, Set.of(type), null,
                        null));
            }
            for (Side side : Side.values()) {
                queries.add(new EventQuery("btcusd", channel, Long.MIN_VALUE, Long.MAX_VALUE, Set.of(), side, null));
            }
            for (CapturedEvent event : events.subList(0, Math.min(20, events.size()))) {
                ObjectNode data = Reference.data(event.frame());
                for (String id : new String[] {Reference.id(data), text(data, "buy_order_id"),
                        text(data, "sell_order_id")}) {
                    queries.add(new EventQuery("btcusd", channel, Long.MIN_VALUE, Long.MAX_VALUE,
                            EnumSet.noneOf(EventType.class), null, id));
                }
            }
            long middle = events.get(events.size() / 2).microtimestamp();
            queries.add(new EventQuery("btcusd", channel, middle, Long.MAX_VALUE, Set.of(), null, null));
            queries.add(new EventQuery("btcusd", channel, Long.MIN_VALUE, middle, Set.of(), null, null));
        }
        byte[] payload = ChunkCodec.encode(events);
        int matched = 0;
        for (EventQuery query : queries) {
            EventFields fields = new EventFields(query.pair(), query.channel());
            EventView.Events views = ChunkCodec.view(payload);
            for (CapturedEvent event : ChunkCodec.decode(payload)) {
                assertTrue(views.next());
                boolean expected = Reference.matches(query, event);
                assertEquals(expected, fields.matches(query, views.event()), query + " " + event.frame());
                matched += expected ? 1 : 0;
            }
            assertFalse(views.next());
        }
        assertTrue(matched > 0, "no query matched anything");
    }

    private static String text(ObjectNode data, String name) {
        return data == null ? null : Reference.text(data.get(name));
    }

    /** Writes the events both ways in every format; returns how many rows each wrote. */
    private static int assertSameRows(String pair, Channel channel, List<CapturedEvent> events) throws IOException {
        byte[] payload = ChunkCodec.encode(events);
        List<CapturedEvent> decoded = ChunkCodec.decode(payload);
        for (String format : List.of("ndjson", "csv")) {
            PageBuffer expected = new PageBuffer(1024);
            RowWriter expectedRows = rows(format, expected);
            StringBuilder scratch = new StringBuilder();
            for (CapturedEvent event : decoded) {
                Reference.write(pair, channel, event, expectedRows, scratch);
            }
            expectedRows.finish();

            PageBuffer actual = new PageBuffer(1024);
            RowWriter actualRows = rows(format, actual);
            EventFields fields = new EventFields(pair, channel);
            EventView.Events views = ChunkCodec.view(payload);
            while (views.next()) {
                fields.write(views.event(), actualRows);
            }
            actualRows.finish();
            assertEquals(expected.toString(StandardCharsets.UTF_8), actual.toString(StandardCharsets.UTF_8),
                    pair + " " + channel + " " + format);
            assertEquals(expected.escapedSize(), actual.escapedSize(), "escaped size");
        }
        return decoded.size();
    }

    private static RowWriter rows(String format, PageBuffer buffer) {
        return format.equals("csv") ? RowWriter.csv(buffer, EventFields.CSV_COLUMNS, EventFields.CSV_EXTRA)
                : RowWriter.ndjson(buffer);
    }

    /** The rules read plainly, on the frame as a JSON tree. */
    private static final class Reference {
        private static final Set<String> OWN = Set.of("pair", "channel", "type", "microtimestamp", "time",
                "received_microtimestamp", "id",
                "side", "price", "amount", "event_id", "pre_event_id");
        private static final Set<String> TOP_LEVEL_DONE = Set.of("data", "event", "channel", "event_id",
                "pre_event_id");
        private static final Set<String> NAMED = Set.of("id", "price", "amount");

        static ObjectNode data(ObjectNode frame) {
            return frame.get("data") instanceof ObjectNode object ? object : null;
        }

        static String type(ObjectNode frame) {
            return text(frame.get("event"));
        }

        static String id(ObjectNode data) {
            return data == null ? null : exact(data, "id");
        }

        static String price(ObjectNode data) {
            return data == null ? null : exact(data, "price");
        }

        static String amount(ObjectNode data) {
            return data == null ? null : exact(data, "amount");
        }

        static Side side(Channel channel, ObjectNode data) {
            return data == null ? null
                    : Side.fromWire(text(data.get(channel == Channel.ORDERS ? "order_type" : "type")));
        }

        private static String exact(ObjectNode data, String name) {
            String text = text(data.get(name + "_str"));
            return text != null ? text : text(data.get(name));
        }

        /** A scalar's text (a number as written); {@code null} for a missing, null or structured value. */
        static String text(JsonNode node) {
            if (node == null || node.isNull() || node.isContainerNode()) {
                return null;
            }
            return node.isTextual() ? node.textValue() : node.asText();
        }

        static boolean matches(EventQuery q, CapturedEvent event) {
            long t = event.microtimestamp();
            if (t < q.fromMicros() || t >= q.toMicros()) {
                return false;
            }
            ObjectNode frame = event.frame();
            if (!q.types().isEmpty()) {
                EventType type = EventType.fromApiName(type(frame)).orElse(null);
                if (type == null || !q.types().contains(type)) {
                    return false;
                }
            }
            ObjectNode data = data(frame);
            if (q.side() != null && side(q.channel(), data) != q.side()) {
                return false;
            }
            if (q.orderId() != null) {
                if (data == null) {
                    return false;
                }
                if (q.channel() == Channel.ORDERS) {
                    return q.orderId().equals(id(data));
                }
                return q.orderId().equals(text(data.get("buy_order_id")))
                        || q.orderId().equals(text(data.get("sell_order_id")));
            }
            return true;
        }

        static void write(String pair, Channel channel, CapturedEvent event, RowWriter out, StringBuilder scratch) {
            ObjectNode frame = event.frame();
            ObjectNode data = data(frame);
            out.startRow();
            out.string("pair", pair);
            out.string("channel", channel.apiName());
            stringIfPresent(out, "type", type(frame));
            out.number("microtimestamp", event.microtimestamp());
            scratch.setLength(0);
            Times.appendIso(scratch, event.microtimestamp());
            out.string("time", scratch.toString());
            out.number("received_microtimestamp", event.receivedMicros());
            stringIfPresent(out, "id", id(data));
            Side side = side(channel, data);
            if (side != null) {
                out.string("side", side.apiName());
            }
            stringIfPresent(out, "price", price(data));
            stringIfPresent(out, "amount", amount(data));
            stringIfPresent(out, "event_id", text(frame.get("event_id")));
            stringIfPresent(out, "pre_event_id", text(frame.get("pre_event_id")));
            if (data != null) {
                String sideField = side == null ? null : channel == Channel.ORDERS ? "order_type" : "type";
                for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String name = field.getKey();
                    if (name.equals("microtimestamp") || name.equals(sideField)) {
                        continue;
                    }
                    JsonNode value = field.getValue();
                    boolean isString = name.endsWith("_str");
                    String base = isString ? name.substring(0, name.length() - 4) : name;
                    JsonNode string = isString ? value : data.get(name + "_str");
                    JsonNode number = isString ? data.get(base) : value;
                    if (NAMED.contains(base)) {
                        // the named field is read from x_str when it has a text, else from x
                        boolean fromString = text(string) != null;
                        boolean given = isString ? fromString
                                : fromString ? EventLayout.spells(string, number) : text(number) != null;
                        if (given) {
                            continue;
                        }
                    } else if (isString && EventLayout.spells(value, number)) {
                        continue; // given as x
                    } else if (!isString && EventLayout.spells(string, value)) {
                        value = string;
                    }
                    value(out, OWN.contains(name) ? "data_" + name : name, value);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = frame.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (!TOP_LEVEL_DONE.contains(name)) {
                    boolean taken = OWN.contains(name) || (data != null && data.has(name));
                    value(out, taken ? "frame_" + name : name, field.getValue());
                }
            }
            out.endRow();
        }

        private static void stringIfPresent(RowWriter out, String name, String value) {
            if (value != null) {
                out.string(name, value);
            }
        }

        private static void value(RowWriter out, String name, JsonNode value) {
            boolean id = name.equals("id") || name.endsWith("_id");
            if (value.isTextual()) {
                out.string(name, value.textValue());
            } else if (value.isIntegralNumber() && !id) {
                if (value.canConvertToLong()) {
                    out.number(name, value.longValue());
                } else {
                    out.numberText(name, value.asText());
                }
            } else if (value.isNumber()) {
                out.string(name, value.asText());
            } else if (value.isBoolean()) {
                out.bool(name, value.booleanValue());
            } else if (value.isNull()) {
                out.nul(name);
            } else {
                out.tree(name, value);
            }
        }
    }
}
