package dev.orderflow.capture.feed;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a pair's {@code live_orders} say about its trades. A trade fills orders, and the exchange sends each fill on
 * {@code live_orders} as an {@code order_changed} or {@code order_deleted} with {@code amount_traded > 0} (the
 * amount of that event; a taker's own event sums its trades), while the trade names both orders
 * ({@code buy_order_id}, {@code sell_order_id}) and its amount. So an order whose fills taken add up to more than
 * the trades taken that name it is owed a trade: in flight, or lost.
 * <p>
 * Kept per pair and order: the amount filled minus the amount traded, and the fills' stamps, for orders active within
 * {@link #GRACE_MICROS} of the pair's last trade (older ones are settled: trades after them were taken). During a
 * make-before-break switch ({@link #hold}) nothing is settled, since the two connections interleave out of order.
 * When the switch ends ({@link #switchEnded}) a pair whose trades met on both connections is released; for the others
 * the fills stamped up to the switch's end are checked once the pair's {@code live_orders} have moved
 * {@link #GRACE_MICROS} past it (a fill or its trade may come a little after the other), and those still owed are
 * reported ({@link Owing}). At most {@link #MAX_ORDERS} orders are kept per pair, the least recently active going
 * first; an owed one dropped keeps its fills in the window. Used on the event loop only.
 */
final class TradeEvidence {
    static final int MAX_ORDERS = 256;
    /** How far a fill's stamp or arrival may trail its trade's, or lead it. */
    static final long GRACE_MICROS = 1_000_000;
    /** The fields of a trade naming the orders it filled. */
    private static final String[] ORDER_FIELDS = {"buy_order_id", "sell_order_id"};

    /** Where the trades owed at a switch go: a window of {@code pair}'s trades, by their fills' stamps. */
    interface Owing {
        void owed(String pair, long fromMicros, long toMicros);
    }

    private static final class Order {
        BigDecimal filledMinusTraded = BigDecimal.ZERO;
        long fillsFrom = Long.MAX_VALUE;
        long fillsTo = Long.MIN_VALUE;
        long lastMicros = Long.MIN_VALUE;
    }

    private static final class PairState {
        final LinkedHashMap<String, Order> orders = new LinkedHashMap<>(16, 0.75f, true);
        long settled = Long.MIN_VALUE;
        long lastTrade = Long.MIN_VALUE;
        /** Fills of owed orders dropped past {@link #MAX_ORDERS}: their window; empty when from > to. */
        long droppedFrom = Long.MAX_VALUE;
        long droppedTo = Long.MIN_VALUE;
        boolean held;
        /** A switch ended at this stamp and the pair's owed trades are not checked yet; else Long.MIN_VALUE. */
        long switchEnd = Long.MIN_VALUE;
    }

    private final Owing owing;
    private final Map<String, PairState> pairs = new HashMap<>();
    private boolean switching;
    private long newest = Long.MIN_VALUE;

    TradeEvidence(Owing owing) {
        this.owing = owing;
    }

    /** An order event of {@code pair} was taken; counted when it is a fill ({@link #isFill}). */
    void orderEvent(String pair, JsonNode frame, long micros) {
        newest = Math.max(newest, micros);
        BigDecimal traded = traded(frame);
        PairState p = traded == null ? pairs.get(pair) : state(pair);
        if (p == null) {
            return;
        }
        String id = traded == null ? null : id(frame.path("data").get("id"));
        if (id != null && micros >= p.settled) {
            Order o = count(p, id, traded, micros);
            if (o != null) {
                o.fillsFrom = Math.min(o.fillsFrom, micros);
                o.fillsTo = Math.max(o.fillsTo, micros);
            }
        }
        if (p.switchEnd != Long.MIN_VALUE && micros >= p.switchEnd + GRACE_MICROS) {
            check(pair, p);
        }
    }

    /** A trade of {@code pair} was taken. */
    void trade(String pair, JsonNode frame, long micros) {
        newest = Math.max(newest, micros);
        PairState p = state(pair);
        JsonNode data = frame.path("data");
        BigDecimal amount = amount(data.has("amount_str") ? data.get("amount_str") : data.get("amount"));
        if (micros >= p.settled && amount != null) {
            for (String side : ORDER_FIELDS) {
                String id = id(data.get(side));
                if (id != null) {
                    count(p, id, amount.negate(), micros);
                }
            }
        }
        p.lastTrade = Math.max(p.lastTrade, micros);
        if (!p.held) {
            settle(p);
        }
    }

    /** A switch began: until it ends, nothing is settled. Owed trades of an earlier switch are checked now. */
    void hold() {
        checkAll();
        switching = true;
        pairs.values().forEach(p -> p.held = true);
    }

    /**
     * The switch is over. The pairs of {@code unmetPairs} (no trade came on both connections) are checked once their
     * orders have moved on ({@link #orderEvent}); the others are settled again.
     */
    void switchEnded(Set<String> unmetPairs) {
        switching = false;
        pairs.forEach((pair, p) -> {
            if (unmetPairs.contains(pair)) {
                p.switchEnd = newest;
            } else {
                release(p);
            }
        });
    }

    /** Checks every pair whose switch is not checked yet, now (the connection is gone, or another switch begins). */
    void checkAll() {
        pairs.forEach((pair, p) -> {
            if (p.switchEnd != Long.MIN_VALUE) {
                check(pair, p);
            }
        });
    }

    private void check(String pair, PairState p) {
        long from = p.droppedFrom;
        long to = p.droppedTo;
        for (Order o : p.orders.values()) {
            if (o.filledMinusTraded.signum() > 0 && o.fillsFrom <= p.switchEnd) {
                from = Math.min(from, o.fillsFrom);
                to = Math.max(to, Math.min(o.fillsTo, p.switchEnd));
            }
        }
        release(p);
        if (from <= to) {
            owing.owed(pair, from, to);
        }
    }

    private void release(PairState p) {
        p.switchEnd = Long.MIN_VALUE;
        p.held = false;
        settle(p);
    }

    /** A fill: {@code amount_traded} present and above zero (however the exchange spells it). */
    static boolean isFill(JsonNode frame) {
        return traded(frame) != null;
    }

    /** A fill's {@code amount_traded}; null when the event is not a fill (absent, zero, or not a number). */
    private static BigDecimal traded(JsonNode frame) {
        BigDecimal amount = amount(frame.path("data").get("amount_traded"));
        return amount != null && amount.signum() > 0 ? amount : null;
    }

    private PairState state(String pair) {
        return pairs.computeIfAbsent(pair, k -> {
            PairState p = new PairState();
            p.held = switching;
            return p;
        });
    }

    /** Adds {@code amount} to the order's balance; the order, or null once it balances out. */
    private static Order count(PairState p, String id, BigDecimal amount, long micros) {
        Order o = p.orders.computeIfAbsent(id, k -> new Order());
        o.filledMinusTraded = o.filledMinusTraded.add(amount);
        o.lastMicros = Math.max(o.lastMicros, micros);
        if (o.filledMinusTraded.signum() == 0) {
            p.orders.remove(id);
            return null;
        }
        if (p.orders.size() > MAX_ORDERS) {
            Iterator<Order> leastActive = p.orders.values().iterator();
            Order dropped = leastActive.next();
            leastActive.remove();
            if (dropped.filledMinusTraded.signum() > 0) {
                p.droppedFrom = Math.min(p.droppedFrom, dropped.fillsFrom);
                p.droppedTo = Math.max(p.droppedTo, dropped.fillsTo);
            }
        }
        return o;
    }

    /** Orders not active within the grace of the last trade are settled: trades after them were taken. */
    private static void settle(PairState p) {
        if (p.lastTrade != Long.MIN_VALUE && p.lastTrade - GRACE_MICROS > p.settled) {
            p.settled = p.lastTrade - GRACE_MICROS;
            p.orders.values().removeIf(o -> o.lastMicros < p.settled);
            p.droppedFrom = Long.MAX_VALUE;
            p.droppedTo = Long.MIN_VALUE;
        }
    }

    /** An order id as digits, however sent (a JSON number, a string, a number with a fraction of zero). */
    private static String id(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) {
            return null;
        }
        String text = node.asText();
        if (node.isIntegralNumber() || (!text.isEmpty() && text.chars().allMatch(Character::isDigit))) {
            return text;
        }
        BigDecimal value = amount(node);
        return value == null ? text : value.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal amount(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) {
            return null;
        }
        try {
            return node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
