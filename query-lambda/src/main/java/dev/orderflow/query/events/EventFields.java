package dev.orderflow.query.events;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.Times;
import dev.orderflow.storage.Side;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.EventLayout;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;

/**
 * What one stored frame looks like in the API. Named fields first ({@code pair, channel, type, microtimestamp,
 * time, received_microtimestamp, id, side, price, amount, event_id, pre_event_id}), then every other field the exchange sent: the
 * {@code data} fields in wire order, then other top-level fields. Ids ({@code id}, {@code *_id}) and decimals are
 * strings; where the exchange sends a number twice ({@code x} and {@code x_str}) the API gives {@code x} with the
 * exact string when the string spells the number, and both otherwise. A field whose name the API's own fields already
 * use gets the prefix {@code data_} (from {@code data}) or {@code frame_} (top level) instead of being lost
 * ({@link EventLayout}, the archive's rule too).
 */
public final class EventFields {
    /** The CSV columns, in order; fields outside them go into {@link #CSV_EXTRA} as one JSON object. */
    public static final List<String> CSV_COLUMNS = List.of("pair", "channel", "type", "microtimestamp", "time",
            "received_microtimestamp", "id",
            "side", "price", "amount", "event_id", "pre_event_id", "order_source", "order_subtype", "amount_traded",
            "amount_at_create", "is_liquidation", "datetime", "buy_order_id", "sell_order_id", "timestamp");
    public static final String CSV_EXTRA = "extra";

    private static String sideField(Channel channel) {
        return channel == Channel.ORDERS ? "order_type" : "type";
    }

    // ---- one page's events, read from chunk views --------------------------------------------------------------

    private final String pair;
    private final Channel channel;
    private final EventView.Name eventName = new EventView.Name("event");
    private final EventView.Name eventIdName = new EventView.Name("event_id");
    private final EventView.Name preEventIdName = new EventView.Name("pre_event_id");
    private final EventView.Name idName = new EventView.Name("id");
    private final EventView.Name idStrName = new EventView.Name("id_str");
    private final EventView.Name priceName = new EventView.Name("price");
    private final EventView.Name priceStrName = new EventView.Name("price_str");
    private final EventView.Name amountName = new EventView.Name("amount");
    private final EventView.Name amountStrName = new EventView.Name("amount_str");
    private final EventView.Name sideName;
    private final EventView.Name buyOrderIdName = new EventView.Name("buy_order_id");
    private final EventView.Name sellOrderIdName = new EventView.Name("sell_order_id");
    private final StringBuilder scratch = new StringBuilder(32);
    private final EventLayout layout;

    /**
     * Reads and writes the events of one page of {@code pair} and {@code channel} from chunk views. What a frame's
     * fields become depends only on their names, so it is worked out once per object shape. Not for sharing between
     * threads.
     */
    public EventFields(String pair, Channel channel) {
        this.pair = pair;
        this.channel = channel;
        this.sideName = new EventView.Name(sideField(channel));
        this.layout = new EventLayout(channel);
    }

    /** Reads the events of {@code channel} from chunk views (for writing rows, see the other constructor). */
    public EventFields(Channel channel) {
        this(null, channel);
    }

    /** Whether the event passes the query's range and filters. */
    public boolean matches(EventQuery query, EventView event) {
        long t = event.microtimestamp();
        if (t < query.fromMicros() || t >= query.toMicros()) {
            return false;
        }
        if (query.types().isEmpty() && query.side() == null && query.orderId() == null) {
            return true;
        }
        if (!query.types().isEmpty()) {
            EventType type = EventType.fromApiName(type(event)).orElse(null);
            if (type == null || !query.types().contains(type)) {
                return false;
            }
        }
        EventView.Fields data = event.data();
        if (query.side() != null && (data == null || side(data) != query.side())) {
            return false;
        }
        if (query.orderId() != null) {
            if (data == null) {
                return false;
            }
            if (channel == Channel.ORDERS) {
                return query.orderId().equals(id(data));
            }
            return query.orderId().equals(data.text(buyOrderIdName))
                    || query.orderId().equals(data.text(sellOrderIdName));
        }
        return true;
    }

    /** The event name ({@code order_created}, …, {@code trade}), or {@code null}. */
    public String type(EventView event) {
        return event.frame().text(eventName);
    }

    /** The exchange's {@code event_id} of the event, or {@code null}. */
    public String eventId(EventView event) {
        return event.frame().text(eventIdName);
    }

    /** {@code data.id_str}, else the text of {@code data.id}. */
    public String id(EventView.Fields data) {
        String text = data.text(idStrName);
        return text != null ? text : data.text(idName);
    }

    /** {@code order_type} of an order, {@code type} of a trade, or {@code null} when neither 0 nor 1. */
    public Side side(EventView.Fields data) {
        return Side.fromWire(data.text(sideName));
    }

    /** {@code data.price_str}, else the text of {@code data.price}. */
    public String price(EventView.Fields data) {
        return exact(data, priceStrName, priceName);
    }

    /** {@code data.amount_str}, else the text of {@code data.amount}. */
    public String amount(EventView.Fields data) {
        return exact(data, amountStrName, amountName);
    }

    private static String exact(EventView.Fields data, EventView.Name exact, EventView.Name plain) {
        int from = EventLayout.source(data, data.find(exact), data.find(plain));
        return from < 0 ? null : data.text(from);
    }

    /** Writes the event as one row (see the class comment for what a row holds). */
    public void write(EventView event, RowWriter out) {
        EventView.Fields frame = event.frame();
        EventView.Fields data = event.data();
        out.startRow();
        out.string("pair", pair);
        out.string("channel", channel.apiName());
        stringIfPresent(out, "type", type(event));
        out.number("microtimestamp", event.microtimestamp());
        scratch.setLength(0);
        Times.appendIso(scratch, event.microtimestamp());
        out.string("time", scratch.toString());
        out.number("received_microtimestamp", event.receivedMicros());
        Side side = null;
        if (data != null) {
            stringIfPresent(out, "id", id(data));
            side = side(data);
            if (side != null) {
                out.string("side", side.apiName());
            }
            stringIfPresent(out, "price", price(data));
            stringIfPresent(out, "amount", amount(data));
        }
        stringIfPresent(out, "event_id", eventId(event));
        stringIfPresent(out, "pre_event_id", frame.text(preEventIdName));
        EventLayout.Plan p = layout.plan(frame, data);
        if (data != null) {
            for (int i = 0; i < p.data().length; i++) {
                switch (layout.give(p, data, i, side != null)) {
                    case EXACT -> out.string(p.data()[i], data.text(p.stringOf()[i]));
                    case AS_IS -> value(out, p.data()[i], data, i);
                    default -> {
                        // given by a named field, or by its x
                    }
                }
            }
        }
        for (int i = 0; i < p.frame().length; i++) {
            if (p.frame()[i] != null) {
                value(out, p.frame()[i], frame, i);
            }
        }
        out.endRow();
    }

    private static void stringIfPresent(RowWriter out, String name, String value) {
        if (value != null) {
            out.string(name, value);
        }
    }

    private static void value(RowWriter out, String name, EventView.Fields fields, int i) {
        switch (fields.kind(i)) {
            case STRING -> out.string(name, fields.text(i));
            case NUMBER -> {
                if (fields.isWholeNumber(i) && !isId(name)) {
                    if (fields.fitsLong(i)) {
                        out.number(name, fields.longValue(i));
                    } else {
                        out.numberText(name, fields.text(i));
                    }
                } else {
                    out.string(name, fields.text(i));
                }
            }
            case BOOLEAN -> out.bool(name, fields.booleanValue(i));
            case NULL -> out.nul(name);
            case OBJECT -> out.tree(name, tree(fields.object(i)));
            default -> out.tree(name, fields.tree(i));
        }
    }

    /** An object read as fields (one at the frame's top level besides {@code data}) as a JSON tree. */
    private static ObjectNode tree(EventView.Fields fields) {
        ObjectNode node = Frames.MAPPER.createObjectNode();
        for (int i = 0; i < fields.size(); i++) {
            node.set(fields.name(i), fields.kind(i) == EventView.Kind.OBJECT ? tree(fields.object(i)) : fields.tree(i));
        }
        return node;
    }

    private static boolean isId(String name) {
        return name.equals("id") || name.endsWith("_id");
    }
}
