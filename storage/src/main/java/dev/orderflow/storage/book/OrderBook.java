package dev.orderflow.storage.book;

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

import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Side;

/**
 * An L3 book rebuilt from a stored snapshot and the {@code live_orders} events after it, the way the exchange
 * behaves: {@code order_created} puts an order at its price, {@code order_changed} sets what remains of it
 * ({@code amount}), {@code order_deleted} (a cancel, or a fill that empties it) removes it. A market order
 * ({@code order_created} at 999999999 to buy or 0 to sell) never rests: it is counted and its later events are
 * ignored. Within a price level orders keep their queue place (snapshot order, then arrival); a change at the same
 * price keeps the place. Prices and amounts stay the exchange's exact strings; levels compare numerically.
 */
public final class OrderBook {
    public static final BigDecimal MARKET_BUY_PRICE = BigDecimal.valueOf(999_999_999L);

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
        /** Events of a type the book does not know (left out), by type. */
        public final Map<String, Integer> unknownTypes = new TreeMap<>();
    }

    private final Map<String, Order> byId = new HashMap<>();
    private final TreeMap<BigDecimal, LinkedHashMap<String, Order>> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<BigDecimal, LinkedHashMap<String, Order>> asks = new TreeMap<>();
    private final Set<String> marketOrders = new HashSet<>();
    private final Counts counts = new Counts();
    private final OrderEvent.Reader reader = new OrderEvent.Reader();
    /** When an order left the book (µs of the event), kept only when asked for ({@link #trackRemovals()}). */
    private Map<String, Long> removals;

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
     * Applies one stored {@code live_orders} event. {@code overlap} marks an event stamped at or before the
     * snapshot's own stamp (re-applied within {@link SnapshotAlignment}'s margin): the snapshot may already show it,
     * so re-applying it is harmless (every event states an order's whole state and the last one wins) and an unknown
     * id is then expected rather than counted.
     */
    public void apply(EventView event, boolean overlap) {
        apply(reader.read(event), overlap);
    }

    /** Applies one event already read (see {@link #apply(EventView, boolean)}). */
    public void apply(OrderEvent e, boolean overlap) {
        String type = e.type();
        String id = e.id();
        if (type == null || id == null) {
            counts.malformedEvents++;
            return;
        }
        if (type.equals("order_deleted")) {
            counts.eventsApplied++;
            if (overlap) {
                counts.snapshotOverlapEvents++;
            }
            if (remove(id, e.micros()) == null && !marketOrders.remove(id) && !overlap) {
                counts.unknownOrderDeletes++;
            }
            return;
        }
        Side side = e.side();
        BigDecimal price = decimal(e.price());
        BigDecimal amount = decimal(e.amount());
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
                    remove(id, e.micros());
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
                    remove(id, e.micros());
                    return;
                }
                Order order = new Order(id, side, e.price(), price, e.amount(), e.micros());
                if (old != null && old.side() == side && old.priceValue().compareTo(price) == 0) {
                    levels(side).get(old.priceValue()).put(id, order);
                    byId.put(id, order);
                } else {
                    remove(id, e.micros());
                    put(order);
                }
                if (removals != null) {
                    removals.remove(id);
                }
            }
            default -> {
                counts.eventsApplied--;
                counts.malformedEvents++;
                counts.unknownTypes.merge(type, 1, Integer::sum);
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

    private Order remove(String id, long micros) {
        Order old = byId.remove(id);
        if (old != null && removals != null) {
            removals.put(id, micros);
        }
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

    /** The order with this id, or {@code null}. */
    public Order get(String id) {
        return byId.get(id);
    }

    /** Every resting order by id (a read-only view). */
    public Map<String, Order> orders() {
        return Collections.unmodifiableMap(byId);
    }

    /** From now on, remembers when each order left the book ({@link #removedAt}). */
    public OrderBook trackRemovals() {
        removals = new HashMap<>();
        return this;
    }

    /** µs of the event that last took the order out of the book, or -1 (unknown, or not tracked). */
    public long removedAt(String id) {
        return removals == null ? -1 : removals.getOrDefault(id, -1L);
    }

    /** An independent copy: the same orders in the same queue order, the same counts so far. */
    public OrderBook copy() {
        OrderBook copy = new OrderBook();
        for (Side side : Side.values()) {
            for (LinkedHashMap<String, Order> level : levels(side).values()) {
                level.values().forEach(copy::put);
            }
        }
        copy.marketOrders.addAll(marketOrders);
        copy.counts.snapshotOrders = counts.snapshotOrders;
        copy.counts.eventsApplied = counts.eventsApplied;
        copy.counts.marketOrders = counts.marketOrders;
        copy.counts.unknownOrderChanges = counts.unknownOrderChanges;
        copy.counts.unknownOrderDeletes = counts.unknownOrderDeletes;
        copy.counts.snapshotOverlapEvents = counts.snapshotOverlapEvents;
        copy.counts.malformedEvents = counts.malformedEvents;
        copy.counts.unknownTypes.putAll(counts.unknownTypes);
        if (removals != null) {
            copy.removals = new HashMap<>(removals);
        }
        return copy;
    }

    public Counts counts() {
        return counts;
    }

    public int size() {
        return byId.size();
    }

    static BigDecimal decimal(String text) {
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
