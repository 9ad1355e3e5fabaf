package dev.orderflow.capture.feed;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a pair's {@code live_orders} say about its trades. A trade fills orders, and the exchange sends each fill on
 * {@code live_orders} as an {@code order_changed} or {@code order_deleted} with {@code amount_traded > 0} (the
 * README's notes on the real feed), while the trade names both orders ({@code buy_order_id}, {@code sell_order_id}).
 * So an order with more fills taken than trades taken that name it is owed a trade: in flight, or lost. (A taker's
 * own event may sum several trades: it then has fewer fills than trades, and owes nothing.)
 * <p>
 * Kept per pair and order: fills minus trades, with the fills' stamps, for orders active since the pair's last trade
 * (an order whose last fill or trade is older is settled: a trade after it was taken). During a make-before-break
 * switch ({@link #hold}) nothing is settled, since the two connections interleave out of order; what is still owed
 * when the switch ends ({@link #owed}) is a trade neither connection sent. At most {@link #MAX_ORDERS} orders are
 * kept per pair; past that the oldest goes, and if it was owed its fills stay in the window. Used on the event loop
 * only.
 */
final class TradeEvidence {
    static final int MAX_ORDERS = 256;

    /** Trades owed, stamped from {@code fromMicros} to {@code toMicros}. */
    record Owed(long fromMicros, long toMicros) {
    }

    private static final class Order {
        int fillsMinusTrades;
        long fillsFrom = Long.MAX_VALUE;
        long fillsTo = Long.MIN_VALUE;
        long lastMicros = Long.MIN_VALUE;
    }

    private static final class PairState {
        final LinkedHashMap<String, Order> orders = new LinkedHashMap<>();
        long settled = Long.MIN_VALUE;
        long lastTrade = Long.MIN_VALUE;
        /** Fills of owed orders dropped past {@link #MAX_ORDERS}: their window; empty when from > to. */
        long droppedFrom = Long.MAX_VALUE;
        long droppedTo = Long.MIN_VALUE;
    }

    private final Map<String, PairState> pairs = new HashMap<>();
    private boolean held;

    /** An order event of {@code pair} was taken; counted when it is a fill ({@link #isFill}). */
    void orderEvent(String pair, JsonNode frame, long micros) {
        if (!isFill(frame)) {
            return;
        }
        PairState p = pairs.computeIfAbsent(pair, k -> new PairState());
        String id = text(frame.path("data").get("id"));
        if (id != null && micros >= p.settled) {
            Order o = count(p, id, 1, micros);
            if (o != null) {
                o.fillsFrom = Math.min(o.fillsFrom, micros);
                o.fillsTo = Math.max(o.fillsTo, micros);
            }
        }
    }

    /** A trade of {@code pair} was taken. */
    void trade(String pair, JsonNode frame, long micros) {
        PairState p = pairs.computeIfAbsent(pair, k -> new PairState());
        if (micros < p.settled) {
            return;
        }
        JsonNode data = frame.path("data");
        for (String side : new String[] {"buy_order_id", "sell_order_id"}) {
            String id = text(data.get(side));
            if (id != null) {
                count(p, id, -1, micros);
            }
        }
        p.lastTrade = Math.max(p.lastTrade, micros);
        if (!held) {
            settle(p);
        }
    }

    /** A switch began: until {@link #release}, nothing is settled. */
    void hold() {
        held = true;
    }

    /** The switch is over: every pair is settled up to its last trade again. */
    void release() {
        held = false;
        pairs.values().forEach(TradeEvidence::settle);
    }

    /** The trades {@code pair} owes: from the oldest fill of an owed order to the newest; null when none. */
    Owed owed(String pair) {
        PairState p = pairs.get(pair);
        if (p == null) {
            return null;
        }
        long from = p.droppedFrom;
        long to = p.droppedTo;
        for (Order o : p.orders.values()) {
            if (o.fillsMinusTrades > 0) {
                from = Math.min(from, o.fillsFrom);
                to = Math.max(to, o.fillsTo);
            }
        }
        return from > to ? null : new Owed(from, to);
    }

    /**
     * A fill: {@code amount_traded} present and not zero (the exchange spells zero {@code "0"}, {@code "0.00000"}
     * or {@code "0E-8"}; a digit from 1 to 9 before any exponent is a positive amount).
     */
    static boolean isFill(JsonNode frame) {
        String text = text(frame.path("data").get("amount_traded"));
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == 'e' || ch == 'E') {
                return false;
            }
            if (ch >= '1' && ch <= '9') {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code count} to the order's fills minus trades; the order, or null once it balances out. */
    private static Order count(PairState p, String id, int count, long micros) {
        Order o = p.orders.computeIfAbsent(id, k -> new Order());
        o.fillsMinusTrades += count;
        o.lastMicros = Math.max(o.lastMicros, micros);
        if (o.fillsMinusTrades == 0) {
            p.orders.remove(id);
            return null;
        }
        if (p.orders.size() > MAX_ORDERS) {
            Iterator<Order> oldest = p.orders.values().iterator();
            Order dropped = oldest.next();
            oldest.remove();
            if (dropped.fillsMinusTrades > 0) {
                p.droppedFrom = Math.min(p.droppedFrom, dropped.fillsFrom);
                p.droppedTo = Math.max(p.droppedTo, dropped.fillsTo);
            }
        }
        return o.fillsMinusTrades == 0 ? null : o;
    }

    /** Orders not active since the last trade are settled: that trade was taken after them. */
    private static void settle(PairState p) {
        if (p.lastTrade > p.settled) {
            p.settled = p.lastTrade;
            p.orders.values().removeIf(o -> o.lastMicros < p.settled);
            p.droppedFrom = Long.MAX_VALUE;
            p.droppedTo = Long.MIN_VALUE;
        }
    }

    private static String text(JsonNode node) {
        return node == null || !(node.isTextual() || node.isNumber()) ? null : node.asText();
    }
}
