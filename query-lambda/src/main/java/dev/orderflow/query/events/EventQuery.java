package dev.orderflow.query.events;

import java.util.EnumSet;
import java.util.Set;


import dev.orderflow.storage.Side;
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
