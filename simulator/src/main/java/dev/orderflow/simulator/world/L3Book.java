package dev.orderflow.simulator.world;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An order-by-order book built only from {@code live_orders} event data, exactly as a client would rebuild it, so
 * that a REST snapshot and the stream agree: {@code order_created}/{@code order_changed} with an amount above zero
 * put the order at its price (a change at the same price keeps its place in the queue), {@code order_deleted} or an
 * amount of zero removes it; market orders (999999999 to buy, 0 to sell) never rest. Decimal strings are kept as
 * they came.
 */
public final class L3Book {
    private record Entry(String id, int side, BigDecimal price, String priceStr, String amountStr) {
    }

    private final Map<String, Entry> byId = new HashMap<>();
    private final TreeMap<BigDecimal, LinkedHashMap<String, Entry>> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<BigDecimal, LinkedHashMap<String, Entry>> asks = new TreeMap<>();

    /** Applies one live_orders event's data. */
    public void apply(String event, JsonNode data) {
        String id = text(data, "id_str", "id");
        if (id == null) {
            return;
        }
        if ("order_deleted".equals(event)) {
            remove(id);
            return;
        }
        if (!"order_created".equals(event) && !"order_changed".equals(event)) {
            return;
        }
        String priceStr = text(data, "price_str", "price");
        String amountStr = text(data, "amount_str", "amount");
        int side = data.path("order_type").asInt(-1);
        BigDecimal price = decimal(priceStr);
        BigDecimal amount = decimal(amountStr);
        if (price == null || amount == null || (side != 0 && side != 1)) {
            return;
        }
        boolean market = side == 0 ? price.compareTo(BigDecimal.valueOf(999_999_999L)) >= 0 : price.signum() == 0;
        if (amount.signum() <= 0 || market) {
            remove(id);
            return;
        }
        Entry entry = new Entry(id, side, price, priceStr, amountStr);
        Entry old = byId.get(id);
        if (old != null && old.side() == side && old.price().compareTo(price) == 0) {
            levels(side).get(old.price()).put(id, entry);
        } else {
            remove(id);
            levels(side).computeIfAbsent(price, p -> new LinkedHashMap<>()).put(id, entry);
        }
        byId.put(id, entry);
    }

    public int size() {
        return byId.size();
    }

    /**
     * The REST body {@code {"timestamp","microtimestamp","bids","asks"}}: group 2 rows are
     * {@code [price, amount, order_id]}, group 0 {@code [price, amount]} per order, group 1 one row per price with
     * the summed amount.
     */
    public ObjectNode snapshot(int group, long micros) {
        ObjectNode body = Json.object();
        body.put("timestamp", Long.toString(micros / 1_000_000));
        body.put("microtimestamp", Long.toString(micros));
        body.set("bids", rows(bids, group));
        body.set("asks", rows(asks, group));
        return body;
    }

    private ArrayNode rows(TreeMap<BigDecimal, LinkedHashMap<String, Entry>> side, int group) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (LinkedHashMap<String, Entry> level : side.values()) {
            if (group == 1) {
                BigDecimal sum = BigDecimal.ZERO;
                int scale = 0;
                for (Entry e : level.values()) {
                    BigDecimal amount = new BigDecimal(e.amountStr());
                    sum = sum.add(amount);
                    scale = Math.max(scale, amount.scale());
                }
                rows.addArray().add(level.values().iterator().next().priceStr()).add(sum.setScale(scale).toPlainString());
                continue;
            }
            for (Entry e : level.values()) {
                ArrayNode row = rows.addArray().add(e.priceStr()).add(e.amountStr());
                if (group == 2) {
                    row.add(e.id());
                }
            }
        }
        return rows;
    }

    private void remove(String id) {
        Entry old = byId.remove(id);
        if (old == null) {
            return;
        }
        TreeMap<BigDecimal, LinkedHashMap<String, Entry>> side = levels(old.side());
        LinkedHashMap<String, Entry> level = side.get(old.price());
        level.remove(id);
        if (level.isEmpty()) {
            side.remove(old.price());
        }
    }

    private TreeMap<BigDecimal, LinkedHashMap<String, Entry>> levels(int side) {
        return side == 0 ? bids : asks;
    }

    private static String text(JsonNode data, String name, String fallback) {
        JsonNode node = data.hasNonNull(name) ? data.get(name) : data.get(fallback);
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    private static BigDecimal decimal(String text) {
        try {
            return text == null ? null : new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
