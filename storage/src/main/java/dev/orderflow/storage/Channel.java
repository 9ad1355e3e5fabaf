package dev.orderflow.storage;

import java.util.Locale;
import java.util.Optional;

/** The two Bitstamp channels the pipeline captures, and how their names map to the wire. */
public enum Channel {
    /** {@code live_orders_<pair>}: order_created, order_changed, order_deleted. */
    ORDERS("orders", "live_orders_"),
    /** {@code live_trades_<pair>}: trade. */
    TRADES("trades", "live_trades_");

    private final String apiName;
    private final String wirePrefix;

    Channel(String apiName, String wirePrefix) {
        this.apiName = apiName;
        this.wirePrefix = wirePrefix;
    }

    /** The name used in keys and in the API: {@code orders} or {@code trades}. */
    public String apiName() {
        return apiName;
    }

    /** The exchange's channel name for a pair, e.g. {@code live_orders_btcusd}. */
    public String wireName(String pair) {
        return wirePrefix + pair;
    }

    /** {@code orders} or {@code trades}, case-insensitive. */
    public static Optional<Channel> fromApiName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (Channel c : values()) {
            if (c.apiName.equals(lower)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A wire channel such as {@code live_trades_ethusd} split into channel and pair. */
    public static Optional<WireChannel> parseWire(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        for (Channel c : values()) {
            if (wire.startsWith(c.wirePrefix) && wire.length() > c.wirePrefix.length()) {
                return Optional.of(new WireChannel(c, wire.substring(c.wirePrefix.length())));
            }
        }
        return Optional.empty();
    }

    /** A channel of one pair. */
    public record WireChannel(Channel channel, String pair) {
    }
}
