package dev.orderflow.query.events;

import java.util.Optional;

import dev.orderflow.storage.Channel;

/** The exchange's event names, each on one channel. */
public enum EventType {
    ORDER_CREATED("order_created", Channel.ORDERS),
    ORDER_CHANGED("order_changed", Channel.ORDERS),
    ORDER_DELETED("order_deleted", Channel.ORDERS),
    TRADE("trade", Channel.TRADES);

    private final String apiName;
    private final Channel channel;

    EventType(String apiName, Channel channel) {
        this.apiName = apiName;
        this.channel = channel;
    }

    public String apiName() {
        return apiName;
    }

    public Channel channel() {
        return channel;
    }

    public static Optional<EventType> fromApiName(String name) {
        for (EventType t : values()) {
            if (t.apiName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
