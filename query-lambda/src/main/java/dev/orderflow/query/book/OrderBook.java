package dev.orderflow.query.book;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.events.EventFields;
import dev.orderflow.query.events.Side;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.EventView;

/**
 * An L3 book rebuilt from a stored snapshot and the {@code live_orders} events after it, the way the exchange
 * behaves: {@code order_created} puts an order at its price, {@code order_changed} sets what remains of it
 * ({@code amount}), {@code order_deleted} (a cancel, or a fill that empties it) removes it. A market order
 * ({@code order_created} at 999999999 to buy or 0 to sell) never rests: it is counted and its later events are
 * ignored. Within a price level orders keep their queue place (snapshot order, then arrival); a change at the same
 * price keeps the place. Prices and amounts stay the exchange's exact strings; levels compare numerically.
 */
public final class OrderBook {
    static final BigDecimal MARKET_BUY_PRICE = BigDecimal.valueOf(999_999_999L);

    /** One resting order; {@code micros} is the time of its last event, or -1 when it is as in the snapshot. */
    public record Order(String id, Side side, String price, BigDecimal priceValue, String amount, long micros) {
    }

    /** What the rebuild met. */
    public static final class Counts {
        public int snapshotOrders;
        public int eventsApplied;
        public int marketOrders;
        public int unknownOrderChanges;
        public int unknownOrderDeletes;
        public int snapshotOverlapEvents;
        public int malformedEvents;
    }

    private final Map<String, Order> byId = new HashMap<>();
    private final TreeMap<BigDecimal, LinkedHashMap<String, Order>> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<BigDecimal, LinkedHashMap<String, Order>> asks = new TreeMap<>();
    private final Set<String> marketOrders = new HashSet<>();
    private final Counts counts = new Counts();
    /** Reads the events' fields, remembering where each was in the last shape seen. */
    private final EventFields fields = new EventFields(Channel.ORDERS);

    /**
     * The book of a snapshot body ({@code {"bids":[[price, amount, order_id], …], "asks": […]}}); rows that are not
     * such a triple are counted as malformed.
     */
    public static OrderBook fromSnapshot(ObjectNode body) {
        OrderBook book = new OrderBook();
        book.load(body.get("bids"), Side.BUY);
        book.load(body.get("asks"), Side.SELL);
        book.counts.snapshotOrders = book.byId.size();
        return book;
    }

    private void load(JsonNode rows, Side side) {
        if (rows == null || !rows.isArray()) {
            return;
        }
        for (JsonNode row : rows) {
            BigDecimal price = row.size() >= 3 ? decimal(row.get(0).asText()) : null;
            BigDecimal amount = price == null ? null : decimal(row.get(1).asText());
            String id = row.size() >= 3 ? row.get(2).asText() : "";
            if (price == null || amount == null || id.isEmpty()) {
                counts.malformedEvents++;
                continue;
            }
            put(new Order(id, side, row.get(0).asText(), price, row.get(1).asText(), -1));
        }
    }

    /**
     * Applies one stored {@code live_orders} event. {@code overlap} marks an event that shares the snapshot's
     * microtimestamp: the snapshot may already show it, so re-applying it is harmless (every event states an order's
     * whole state and the last one wins) and an unknown id is then expected rather than counted.
     */
    public void apply(EventView event, boolean overlap) {
        String type = fields.type(event);
        EventView.Fields data = event.data();
        if (data == null) {
            apply(type, null, null, null, null, event.microtimestamp(), overlap);
            return;
        }
        String id = fields.id(data);
        if ("order_deleted".equals(type)) {
            apply(type, id, null, null, null, event.microtimestamp(), overlap);
            return;
        }
        apply(type, id, fields.side(data), fields.price(data), fields.amount(data), event.microtimestamp(), overlap);
    }

    private void apply(String type, String id, Side side, String priceText, String amountText, long micros,
            boolean overlap) {
        if (type == null || id == null) {
            counts.malformedEvents++;
            return;
        }
        if (type.equals("order_deleted")) {
            counts.eventsApplied++;
            if (overlap) {
                counts.snapshotOverlapEvents++;
            }
            if (remove(id) == null && !marketOrders.remove(id) && !overlap) {
                counts.unknownOrderDeletes++;
            }
            return;
        }
        BigDecimal price = decimal(priceText);
        BigDecimal amount = decimal(amountText);
        counts.eventsApplied++;
        if (overlap) {
            counts.snapshotOverlapEvents++;
        }
        switch (type) {
            case "order_created", "order_changed" -> {
                if (side == null || price == null || amount == null) {
                    counts.eventsApplied--;
                    counts.malformedEvents++;
                    return;
                }
                boolean created = type.equals("order_created");
                if (created && isMarket(side, price)) {
                    counts.marketOrders++;
                    marketOrders.add(id);
                    remove(id);
                    return;
                }
                if (!created && marketOrders.contains(id)) {
                    return;
                }
                Order old = byId.get(id);
                if (!created && old == null && !overlap) {
                    counts.unknownOrderChanges++;
                }
                if (amount.signum() <= 0) {
                    remove(id);
                    return;
                }
                Order order = new Order(id, side, priceText, price, amountText, micros);
                if (old != null && old.side() == side && old.priceValue().compareTo(price) == 0) {
                    levels(side).get(old.priceValue()).put(id, order);
                    byId.put(id, order);
                } else {
                    remove(id);
                    put(order);
                }
            }
            default -> {
                counts.eventsApplied--;
                counts.malformedEvents++;
            }
        }
    }

    private static boolean isMarket(Side side, BigDecimal price) {
        return side == Side.BUY ? price.compareTo(MARKET_BUY_PRICE) >= 0 : price.signum() == 0;
    }

    private void put(Order order) {
        byId.put(order.id(), order);
        levels(order.side()).computeIfAbsent(order.priceValue(), p -> new LinkedHashMap<>()).put(order.id(), order);
    }

    private Order remove(String id) {
        Order old = byId.remove(id);
        if (old != null) {
            TreeMap<BigDecimal, LinkedHashMap<String, Order>> side = levels(old.side());
            LinkedHashMap<String, Order> level = side.get(old.priceValue());
            level.remove(id);
            if (level.isEmpty()) {
                side.remove(old.priceValue());
            }
        }
        return old;
    }

    private TreeMap<BigDecimal, LinkedHashMap<String, Order>> levels(Side side) {
        return side == Side.BUY ? bids : asks;
    }

    /** The price levels of a side, best first, each in queue order. */
    public TreeMap<BigDecimal, LinkedHashMap<String, Order>> side(Side side) {
        return levels(side);
    }

    public Counts counts() {
        return counts;
    }

    public int size() {
        return byId.size();
    }

    private static BigDecimal decimal(String text) {
        if (text == null || text.isEmpty() || text.length() > 100) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
