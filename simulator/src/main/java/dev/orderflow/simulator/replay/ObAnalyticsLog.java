package dev.orderflow.simulator.replay;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Decimals;
import dev.orderflow.simulator.world.EventIdChain;
import dev.orderflow.simulator.world.Json;

/**
 * Converts the 2015 btcusd log of the old Pusher v1 feed ({@code EPOCHMS event {json}} lines, see the samples README)
 * into v2 frames with the 2026 field set, on {@code live_orders_btcusd} and {@code live_trades_btcusd}.
 * <p>
 * Kept from the log: {@code id}, {@code order_type}, {@code datetime} (in the log: the order's creation second, not
 * the event's), {@code amount}/{@code price} strings as {@code amount_str}/{@code price_str}, the trade {@code id},
 * the event order and times.
 * <p>
 * Synthesised:
 * <ul>
 *   <li>orders: {@code id_str}; {@code order_subtype} 0; {@code microtimestamp} = the line's epoch ms × 1000;
 *       the JSON numbers {@code amount}/{@code price}; {@code amount_traded} (the drop of the order's amount since
 *       its previous event, for {@code order_changed} and for an {@code order_deleted} with amount 0, else "0");
 *       {@code amount_at_create} (the first amount seen for the order); {@code is_liquidation} false;
 *       {@code order_source} "orderbook"; an {@code event_id}/{@code pre_event_id} chain as {@link EventIdChain}
 *       (market code 0001);</li>
 *   <li>trades: {@code amount_str} (8 decimals) and {@code price_str} (2 decimals) from the log's numbers, rounded
 *       half-even, which removes its float artefacts; {@code timestamp} and {@code microtimestamp} from the line;
 *       {@code buy_order_id}/{@code sell_order_id} from the orders filled just before (an amount drop, or a delete
 *       with amount 0; within 2 s, preferring a drop equal to the trade amount; 0 when none); {@code type} is the
 *       taker's side: of two orders the newer (higher id), of one the order itself when it was created within the
 *       2 s before, else the other side (0 when neither is known).</li>
 * </ul>
 * {@code order_book} lines become the REST answer of {@code /api/v2/order_book/btcusd/} at that point of the replay.
 */
final class ObAnalyticsLog {
    static final String ORDERS = "live_orders_btcusd";
    static final String TRADES = "live_trades_btcusd";
    private static final int FILLS_KEPT = 16;
    private static final long FILL_WINDOW_MILLIS = 2000;

    /**
     * An order filled at {@code millis}; {@code traded} is null when its previous amount is unknown,
     * {@code createdMillis} is {@link Long#MIN_VALUE} when its creation is not in the log.
     */
    private record Fill(long id, int side, BigDecimal traded, long millis, long createdMillis) {
    }

    private final Map<Long, BigDecimal> amounts = new HashMap<>();
    private final Map<Long, String> atCreate = new HashMap<>();
    private final Map<Long, Long> createdMillis = new HashMap<>();
    private final ArrayDeque<Fill> fills = new ArrayDeque<>();
    private EventIdChain chain;

    private ObAnalyticsLog() {
    }

    static void convert(List<String> lines, List<Recording.Item> out) {
        new ObAnalyticsLog().run(lines, out);
    }

    private void run(List<String> lines, List<Recording.Item> out) {
        for (String line : lines) {
            String[] parts = line.split(" ", 3);
            if (parts.length < 3) {
                continue;
            }
            long millis;
            JsonNode json = Json.parseOrNull(parts[2]);
            try {
                millis = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (json == null || !json.isObject()) {
                continue;
            }
            if (chain == null) {
                chain = new EventIdChain(1, millis * 1000);
            }
            switch (parts[1]) {
                case "order_created", "order_changed", "order_deleted" ->
                        out.add(new Recording.Item(millis * 1000, ORDERS, order(parts[1], json, millis), null));
                case "trade" -> out.add(new Recording.Item(millis * 1000, TRADES, trade(json, millis), null));
                case "order_book" -> out.add(new Recording.Item(millis * 1000, null, book(json, millis),
                        "order_book/btcusd"));
                default -> {
                }
            }
        }
    }

    private String order(String event, JsonNode json, long millis) {
        long id = json.path("id").asLong();
        int side = json.path("order_type").asInt();
        String amountStr = json.path("amount").asText();
        String priceStr = json.path("price").asText();
        BigDecimal amount = new BigDecimal(amountStr);
        BigDecimal previous = amounts.get(id);
        BigDecimal traded = BigDecimal.ZERO;
        if (previous != null && previous.compareTo(amount) > 0
                && (event.equals("order_changed") || (event.equals("order_deleted") && amount.signum() == 0))) {
            traded = previous.subtract(amount);
        }
        if (event.equals("order_created")) {
            atCreate.put(id, amountStr);
            createdMillis.put(id, millis);
        }
        String created = event.equals("order_deleted") ? atCreate.remove(id) : atCreate.get(id);
        long createdAt = createdMillis.getOrDefault(id, Long.MIN_VALUE);
        if (event.equals("order_deleted")) {
            amounts.remove(id);
            createdMillis.remove(id);
        } else {
            amounts.put(id, amount);
        }
        boolean filledUnknown = previous == null && event.equals("order_deleted") && amount.signum() == 0;
        if (traded.signum() > 0 || filledUnknown) {
            fills.addFirst(new Fill(id, side, filledUnknown ? null : traded, millis, createdAt));
            if (fills.size() > FILLS_KEPT) {
                fills.removeLast();
            }
        }
        EventIdChain.Link link = chain.next(millis * 1000);
        ObjectNode data = Json.object();
        data.put("id", id);
        data.put("id_str", Long.toString(id));
        data.put("order_type", side);
        data.put("order_subtype", 0);
        data.put("datetime", json.path("datetime").asText());
        data.put("microtimestamp", Long.toString(link.micros()));
        data.set("amount", Decimals.number(amount));
        data.put("amount_str", amountStr);
        data.put("amount_traded", traded.signum() == 0 ? "0" : Decimals.padded(traded, 8));
        data.put("amount_at_create", created != null ? created : amountStr);
        data.set("price", Decimals.number(new BigDecimal(priceStr)));
        data.put("price_str", priceStr);
        data.put("is_liquidation", false);
        ObjectNode frame = Json.object();
        frame.set("data", data);
        frame.put("channel", ORDERS);
        frame.put("event", event);
        frame.put("event_id", link.eventId());
        frame.put("pre_event_id", link.preEventId());
        frame.put("order_source", "orderbook");
        return Json.text(frame);
    }

    private String trade(JsonNode json, long millis) {
        String amountStr = Decimals.padded(json.path("amount").decimalValue(), 8);
        String priceStr = Decimals.padded(json.path("price").decimalValue(), 2);
        BigDecimal amount = new BigDecimal(amountStr);
        Fill buy = takeFill(0, amount, millis);
        Fill sell = takeFill(1, amount, millis);
        int type = 0;
        if (buy != null && sell != null) {
            type = buy.id() > sell.id() ? 0 : 1;
        } else if (buy != null || sell != null) {
            Fill known = buy != null ? buy : sell;
            boolean taker = known.createdMillis() != Long.MIN_VALUE
                    && millis - known.createdMillis() <= FILL_WINDOW_MILLIS;
            type = taker ? known.side() : 1 - known.side();
        }
        ObjectNode data = Json.object();
        data.put("id", json.path("id").asLong());
        data.put("timestamp", Long.toString(millis / 1000));
        data.set("amount", Decimals.number(amount));
        data.put("amount_str", amountStr);
        data.set("price", Decimals.number(new BigDecimal(priceStr)));
        data.put("price_str", priceStr);
        data.put("type", type);
        data.put("microtimestamp", Long.toString(millis * 1000));
        data.put("buy_order_id", buy == null ? 0 : buy.id());
        data.put("sell_order_id", sell == null ? 0 : sell.id());
        ObjectNode frame = Json.object();
        frame.set("data", data);
        frame.put("channel", TRADES);
        frame.put("event", "trade");
        return Json.text(frame);
    }

    /** The most recent fill of {@code side} within the window, preferring one of exactly {@code amount}. */
    private Fill takeFill(int side, BigDecimal amount, long millis) {
        Fill best = null;
        for (Fill f : fills) {
            if (f.side() != side || millis - f.millis() > FILL_WINDOW_MILLIS) {
                continue;
            }
            if (f.traded() != null && f.traded().compareTo(amount) == 0) {
                best = f;
                break;
            }
            if (best == null) {
                best = f;
            }
        }
        if (best != null) {
            for (Iterator<Fill> it = fills.iterator(); it.hasNext(); ) {
                if (it.next() == best) {
                    it.remove();
                    break;
                }
            }
        }
        return best;
    }

    private static String book(JsonNode json, long millis) {
        ObjectNode body = Json.object();
        body.put("timestamp", Long.toString(millis / 1000));
        body.put("microtimestamp", Long.toString(millis * 1000));
        body.set("bids", json.path("bids"));
        body.set("asks", json.path("asks"));
        return Json.text(body);
    }
}
