package dev.orderflow.query.events;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.Times;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;

/**
 * What one stored frame looks like in the API. Named fields first ({@code pair, channel, type, microtimestamp,
 * time, id, side, price, amount, event_id, pre_event_id}), then every other field the exchange sent: the
 * {@code data} fields in wire order, then other top-level fields. Ids ({@code id}, {@code *_id}) and decimals are
 * strings; where the exchange sends a number twice ({@code x} and {@code x_str}) the API gives {@code x} with the
 * exact string. A field whose name the API's own fields already use gets the prefix {@code data_} (from
 * {@code data}) or {@code frame_} (top level) instead of being lost.
 */
public final class EventFields {
    /** The CSV columns, in order; fields outside them go into {@link #CSV_EXTRA} as one JSON object. */
    public static final List<String> CSV_COLUMNS = List.of("pair", "channel", "type", "microtimestamp", "time", "id",
            "side", "price", "amount", "event_id", "pre_event_id", "order_source", "order_subtype", "amount_traded",
            "amount_at_create", "is_liquidation", "datetime", "buy_order_id", "sell_order_id", "timestamp");
    public static final String CSV_EXTRA = "extra";

    private static final Set<String> OWN = Set.of("pair", "channel", "type", "microtimestamp", "time", "id", "side",
            "price", "amount", "event_id", "pre_event_id");
    private static final Set<String> TOP_LEVEL_DONE = Set.of("data", "event", "channel", "event_id", "pre_event_id");
    private static final Set<String> DATA_DONE = Set.of("id", "id_str", "price", "price_str", "amount", "amount_str",
            "microtimestamp");

    private EventFields() {
    }

    /** The frame's {@code data} object, or {@code null}. */
    public static ObjectNode data(ObjectNode frame) {
        JsonNode data = frame.get("data");
        return data instanceof ObjectNode object ? object : null;
    }

    /** The event name ({@code order_created}, …, {@code trade}), or {@code null}. */
    public static String type(ObjectNode frame) {
        return text(frame.get("event"));
    }

    /** {@code data.id_str}, else the text of {@code data.id}. */
    public static String id(ObjectNode data) {
        if (data == null) {
            return null;
        }
        String text = text(data.get("id_str"));
        return text != null ? text : text(data.get("id"));
    }

    /** {@code data.price_str}, else the text of {@code data.price}. */
    public static String price(ObjectNode data) {
        return data == null ? null : exact(data, "price");
    }

    /** {@code data.amount_str}, else the text of {@code data.amount}. */
    public static String amount(ObjectNode data) {
        return data == null ? null : exact(data, "amount");
    }

    public static Side side(Channel channel, ObjectNode data) {
        return data == null ? null : Side.fromWire(text(data.get(sideField(channel))));
    }

    private static String sideField(Channel channel) {
        return channel == Channel.ORDERS ? "order_type" : "type";
    }

    private static String exact(ObjectNode data, String name) {
        String text = text(data.get(name + "_str"));
        return text != null ? text : text(data.get(name));
    }

    /** The text of a scalar (a number as written, exactly); {@code null} for a missing, null or structured value. */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : node.asText();
    }

    /** Writes the event as one row. */
    public static void write(String pair, Channel channel, CapturedEvent event, RowWriter out, StringBuilder scratch) {
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
            String sideField = side != null ? sideField(channel) : null;
            for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (DATA_DONE.contains(name) || name.equals(sideField)) {
                    continue;
                }
                JsonNode value = field.getValue();
                if (name.endsWith("_str") && isNumber(data.get(name.substring(0, name.length() - 4)))) {
                    continue; // given under the plain name
                }
                if (value.isNumber()) {
                    JsonNode exact = data.get(name + "_str");
                    if (exact != null && exact.isTextual()) {
                        value = exact;
                    }
                }
                value(out, OWN.contains(name) ? "data_" + name : name, value);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = frame.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (TOP_LEVEL_DONE.contains(name)) {
                continue;
            }
            boolean taken = OWN.contains(name) || (data != null && data.has(name));
            value(out, taken ? "frame_" + name : name, field.getValue());
        }
        out.endRow();
    }

    private static void stringIfPresent(RowWriter out, String name, String value) {
        if (value != null) {
            out.string(name, value);
        }
    }

    private static void value(RowWriter out, String name, JsonNode value) {
        if (value.isTextual()) {
            out.string(name, value.textValue());
        } else if (value.isNumber()) {
            if (value.isIntegralNumber() && !isId(name)) {
                if (value.canConvertToLong()) {
                    out.number(name, value.longValue());
                } else {
                    out.numberText(name, value.asText());
                }
            } else {
                out.string(name, value.asText());
            }
        } else if (value.isBoolean()) {
            out.bool(name, value.booleanValue());
        } else if (value.isNull() || value.isMissingNode()) {
            out.nul(name);
        } else {
            out.tree(name, value);
        }
    }

    private static boolean isNumber(JsonNode node) {
        return node != null && node.isNumber();
    }

    private static boolean isId(String name) {
        return name.equals("id") || name.endsWith("_id");
    }
}
