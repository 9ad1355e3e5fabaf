package dev.orderflow.storage.book;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Side;
import dev.orderflow.storage.book.OrderBook.Order;

/**
 * Compares a rebuilt book with a snapshot order by order. The snapshot is a cut of the stream somewhere among the
 * events stamped within {@link SnapshotAlignment}'s margin before its stamp (on the exchange exactly at its stamp;
 * events are stamped in whole ms, so the millisecond itself is in doubt), so the comparison is made at each of
 * those positions and the closest one counts: the rebuild is certified when it equals the snapshot at one of them,
 * every order with the same side, price and amount, and the orders of each price level in the same queue order.
 * Finding the position costs one pass over the margin's events, tracking only the orders they touch.
 */
public final class Certification {
    /** Differences listed in a verdict (all are counted). */
    public static final int MAX_DIFFERENCES = 20;

    private Certification() {
    }

    /**
     * @param rebuilt       the book rebuilt up to just before the margin's events ({@link OrderBook#trackRemovals()}
     *                      on, so that a missing order names the event that removed it)
     * @param window        the stored events stamped from {@code snapshot stamp - margin} to the stamp, in order
     * @param snapshot      the snapshot's REST body
     * @param againstMicros stamp of the snapshot the rebuild started from
     */
    public static Verdict check(OrderBook rebuilt, List<OrderEvent> window, ObjectNode snapshot, long againstMicros,
            long nowMicros) {
        Map<String, Row> truth = new HashMap<>();
        Map<Side, TreeMap<BigDecimal, List<String>>> queues = new HashMap<>();
        int malformed = load(snapshot.get("bids"), Side.BUY, truth, queues) + load(snapshot.get("asks"), Side.SELL,
                truth, queues);
        int best = position(rebuilt.copy(), window, truth);
        for (int i = 0; i < best; i++) {
            rebuilt.apply(window.get(i), true);
        }
        List<Verdict.Difference> differences = new ArrayList<>();
        int[] counts = new int[3];
        for (Map.Entry<String, Row> e : truth.entrySet()) {
            Order order = rebuilt.get(e.getKey());
            Row row = e.getValue();
            if (order == null) {
                counts[0]++;
                add(differences, new Verdict.Difference(e.getKey(), row.side(), "missing", row.price(),
                        row.amount(), null, null, rebuilt.removedAt(e.getKey())));
            } else if (!same(order, row)) {
                counts[2]++;
                add(differences, new Verdict.Difference(e.getKey(), row.side(), "differs", row.price(),
                        row.amount(), order.price(), order.amount(), order.micros()));
            }
        }
        for (Order order : rebuilt.orders().values()) {
            if (!truth.containsKey(order.id())) {
                counts[1]++;
                add(differences, new Verdict.Difference(order.id(), order.side(), "extra", null, null,
                        order.price(), order.amount(), order.micros()));
            }
        }
        int queueLevels = queueOrder(rebuilt, truth, queues, differences);
        boolean equal = counts[0] + counts[1] + counts[2] + queueLevels == 0 && malformed == 0;
        return new Verdict(equal ? Verdict.Status.CERTIFIED : Verdict.Status.CONTRADICTED, againstMicros, counts[0],
                counts[1], counts[2], queueLevels, rebuilt.counts().eventsApplied, List.copyOf(differences),
                malformed == 0 ? null : malformed + " snapshot rows could not be read", nowMicros);
    }

    /** How many of the window's events to apply for the book closest to the snapshot (the latest among equals). */
    private static int position(OrderBook book, List<OrderEvent> window, Map<String, Row> truth) {
        Set<String> differing = new HashSet<>();
        truth.forEach((id, row) -> {
            Order order = book.get(id);
            if (order == null || !same(order, row)) {
                differing.add(id);
            }
        });
        book.orders().keySet().stream().filter(id -> !truth.containsKey(id)).forEach(differing::add);
        int best = 0;
        int fewest = differing.size();
        for (int i = 0; i < window.size(); i++) {
            OrderEvent e = window.get(i);
            book.apply(e, true);
            if (e.id() != null) {
                Order order = book.get(e.id());
                Row row = truth.get(e.id());
                boolean differs = order == null ? row != null : row == null || !same(order, row);
                if (differs) {
                    differing.add(e.id());
                } else {
                    differing.remove(e.id());
                }
            }
            if (differing.size() <= fewest) {
                fewest = differing.size();
                best = i + 1;
            }
        }
        return best;
    }

    /** Levels where the orders both books hold stand in another order; the first one out of place is listed. */
    private static int queueOrder(OrderBook rebuilt, Map<String, Row> truth,
            Map<Side, TreeMap<BigDecimal, List<String>>> queues, List<Verdict.Difference> differences) {
        int levels = 0;
        for (Side side : Side.values()) {
            for (Map.Entry<BigDecimal, List<String>> level : queues.getOrDefault(side, new TreeMap<>()).entrySet()) {
                LinkedHashMap<String, Order> ours = rebuilt.side(side).get(level.getKey());
                if (ours == null) {
                    continue;
                }
                List<String> theirs = level.getValue().stream().filter(ours::containsKey).toList();
                List<String> mine = ours.keySet().stream().filter(id -> {
                    Row row = truth.get(id);
                    return row != null && row.side() == side && row.priceValue().compareTo(level.getKey()) == 0;
                }).toList();
                for (int i = 0; i < theirs.size() && i < mine.size(); i++) {
                    if (!theirs.get(i).equals(mine.get(i))) {
                        levels++;
                        Row row = truth.get(theirs.get(i));
                        Order order = ours.get(theirs.get(i));
                        add(differences, new Verdict.Difference(theirs.get(i), side, "queue_order", row.price(),
                                row.amount(), order.price(), order.amount(), order.micros()));
                        break;
                    }
                }
            }
        }
        return levels;
    }

    private static void add(List<Verdict.Difference> differences, Verdict.Difference d) {
        if (differences.size() < MAX_DIFFERENCES) {
            differences.add(d);
        }
    }

    private record Row(Side side, String price, BigDecimal priceValue, String amount, BigDecimal amountValue) {
    }

    private static boolean same(Order order, Row row) {
        return order.side() == row.side() && order.priceValue().compareTo(row.priceValue()) == 0
                && (order.amount().equals(row.amount())
                        || new BigDecimal(order.amount()).compareTo(row.amountValue()) == 0);
    }

    /** Reads one side of a snapshot body; returns the rows that are not {@code [price, amount, id]}. */
    private static int load(JsonNode rows, Side side, Map<String, Row> truth,
            Map<Side, TreeMap<BigDecimal, List<String>>> queues) {
        if (rows == null || !rows.isArray()) {
            return 0;
        }
        int malformed = 0;
        TreeMap<BigDecimal, List<String>> levels = queues.computeIfAbsent(side, s -> new TreeMap<>());
        for (JsonNode r : rows) {
            BigDecimal price = r.size() >= 3 ? OrderBook.decimal(r.get(0).asText()) : null;
            BigDecimal amount = price == null ? null : OrderBook.decimal(r.get(1).asText());
            String id = r.size() >= 3 ? r.get(2).asText() : "";
            if (amount == null || id.isEmpty()) {
                malformed++;
                continue;
            }
            truth.put(id, new Row(side, r.get(0).asText(), price, r.get(1).asText(), amount));
            levels.computeIfAbsent(price, p -> new ArrayList<>()).add(id);
        }
        return malformed;
    }
}
