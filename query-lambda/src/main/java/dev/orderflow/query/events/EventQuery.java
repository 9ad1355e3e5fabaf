package dev.orderflow.query.events;

import java.util.EnumSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;

/**
 * What {@code /v1/events} was asked: a pair and channel, the half-open range {@code [fromMicros, toMicros)} and
 * the filters (empty {@code types} = all types; {@code side} and {@code orderId} null = any).
 */
public record EventQuery(String pair, Channel channel, long fromMicros, long toMicros, Set<EventType> types,
        Side side, String orderId) {

    public EventQuery {
        types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    }

    /** Whether a stored event passes the range and the filters. */
    public boolean matches(CapturedEvent event) {
        long t = event.microtimestamp();
        if (t < fromMicros || t >= toMicros) {
            return false;
        }
        if (types.isEmpty() && side == null && orderId == null) {
            return true;
        }
        ObjectNode frame = event.frame();
        if (!types.isEmpty()) {
            EventType type = EventType.fromApiName(EventFields.type(frame)).orElse(null);
            if (type == null || !types.contains(type)) {
                return false;
            }
        }
        ObjectNode data = EventFields.data(frame);
        if (side != null && EventFields.side(channel, data) != side) {
            return false;
        }
        if (orderId != null) {
            if (data == null) {
                return false;
            }
            if (channel == Channel.ORDERS) {
                return orderId.equals(EventFields.id(data));
            }
            return orderId.equals(EventFields.text(data.get("buy_order_id")))
                    || orderId.equals(EventFields.text(data.get("sell_order_id")));
        }
        return true;
    }

    /** The types as a bit set (bit = ordinal), for the cursor. */
    public int typeBits() {
        int bits = 0;
        for (EventType t : types) {
            bits |= 1 << t.ordinal();
        }
        return bits;
    }

    public static Set<EventType> typesOfBits(int bits) {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (EventType t : EventType.values()) {
            if ((bits & (1 << t.ordinal())) != 0) {
                types.add(t);
            }
        }
        return types;
    }
}
