package dev.orderflow.simulator.world;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The synthetic world of one pair: a mid price that random-walks, a true L3 book of resting limit orders, and the
 * actions that change it, turned into {@code live_orders}/{@code live_trades} frames shaped like real 2026 ones.
 * <p>
 * Actions: a passive limit order is placed around the mid ({@code order_created}); a resting order is cancelled
 * ({@code order_deleted}, {@code amount_traded "0"}), about as often as orders are placed, so the book keeps its
 * size; a taker takes liquidity: a market order ({@code order_created} at 999999999 (buy) or 0 (sell) with amount
 * 0, then {@code order_deleted} at the last fill price) or a crossing limit order. Each fill of a resting order is an
 * {@code order_deleted} with {@code amount_traded > 0} when it empties the order, else an {@code order_changed},
 * and causes one {@code trade} whose {@code buy_order_id}/{@code sell_order_id} are the two orders.
 * <p>
 * Everything except times comes from one seeded {@link SplittableRandom}, so a seed gives the same events whatever
 * the pace; numbers are whole units of the pair's decimals ({@code long}), turned into strings by {@link Decimals}.
 * The events of one action are queued and handed out one at a time ({@link #emitNext}), so callers can emit exact
 * counts; the rest of an action follows on the next call.
 */
public final class Market {
    private static final int BUY = 0;
    private static final int SELL = 1;
    private static final int MARKET_SUBTYPE = 2;
    private static final long MARKET_BUY_PRICE = 999_999_999L;
    private static final double TAKE_PROBABILITY = 0.03;
    private static final int TARGET_ORDERS = 800;

    private static final class Order {
        final long id;
        final int side;
        final long price;
        final long atCreate;
        final int subtype;
        long amount;
        int index;

        Order(long id, int side, long price, long amount, long atCreate, int subtype) {
            this.id = id;
            this.side = side;
            this.price = price;
            this.amount = amount;
            this.atCreate = atCreate;
            this.subtype = subtype;
        }
    }

    /** A fill's trade: amount and price in units, type 0 when the taker bought. */
    private record Trade(long id, long amount, long price, int type, long buyOrderId, long sellOrderId) {
    }

    /** An order event waiting to be emitted, with its values as they were when it happened. */
    private record Pending(String event, long id, int side, int subtype, long price, long amount, long traded,
                           long atCreate, Trade trade, boolean continuation) {
    }

    private final PairSpec spec;
    private final SplittableRandom random;
    private final EventIdChain chain;
    private final Map<Long, Order> orders = new HashMap<>();
    private final List<Order> resting = new ArrayList<>();
    private final TreeMap<Long, ArrayDeque<Order>> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<Long, ArrayDeque<Order>> asks = new TreeMap<>();
    private final long[] recent = new long[32];
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final long walkSigma;
    private int recentNext;
    private long mid;
    private long nextOrderId = 2_037_493_297_635_328L;
    private long nextTradeId = 643_660_479L;

    /** A market with a book already in place (those orders predate the stream, as on a real exchange). */
    public Market(PairSpec spec, long seed, long startMicros) {
        this.spec = spec;
        this.random = new SplittableRandom(seed * 1_000_003L + spec.pair().hashCode());
        this.chain = new EventIdChain(spec.marketCode(), startMicros);
        this.mid = spec.startPrice();
        this.walkSigma = Math.max(1, spec.startPrice() / 50_000);
        for (int i = 0; i < TARGET_ORDERS; i++) {
            place();
        }
        pending.clear();
    }

    public PairSpec spec() {
        return spec;
    }

    /** The resting orders as {@code order_created}-style data nodes, each side in price-time priority. */
    public List<ObjectNode> bookData() {
        List<ObjectNode> out = new ArrayList<>();
        for (TreeMap<Long, ArrayDeque<Order>> side : List.of(bids, asks)) {
            side.values().forEach(level -> level.forEach(o -> out.add(data(o.id, o.side, o.subtype, 0, o.amount,
                    0, o.atCreate, o.price))));
        }
        return out;
    }

    /** Whether the next event continues an action already started (and so belongs at the same time). */
    public boolean nextIsContinuation() {
        return !pending.isEmpty() && pending.peekFirst().continuation();
    }

    /** The next live_orders event at {@code micros} (whole ms) and the trade it causes, if any. */
    public List<Frame> emitNext(long micros) {
        if (pending.isEmpty()) {
            act();
        }
        Pending p = pending.pollFirst();
        EventIdChain.Link link = chain.next(micros);
        ObjectNode frame = Json.object();
        frame.set("data", data(p.id(), p.side(), p.subtype(), link.micros(), p.amount(), p.traded(), p.atCreate(),
                p.price()));
        frame.put("channel", spec.ordersChannel());
        frame.put("event", p.event());
        frame.put("event_id", link.eventId());
        frame.put("pre_event_id", link.preEventId());
        frame.put("order_source", "orderbook");
        Frame order = Frame.of(spec.ordersChannel(), frame);
        return p.trade() == null ? List.of(order) : List.of(order, tradeFrame(p.trade(), link.micros()));
    }

    private ObjectNode data(long id, int side, int subtype, long micros, long amount, long traded, long atCreate,
                            long price) {
        int a = spec.amountScale();
        int q = spec.priceScale();
        ObjectNode data = Json.object();
        data.put("id", id);
        data.put("id_str", Long.toString(id));
        data.put("order_type", side);
        data.put("order_subtype", subtype);
        data.put("datetime", Long.toString((micros + 500_000) / 1_000_000));
        data.put("microtimestamp", Long.toString(micros));
        data.set("amount", Decimals.number(amount, a));
        data.put("amount_str", Decimals.paddedOrZero(amount, a));
        data.put("amount_traded", Decimals.paddedOrZero(traded, a));
        data.put("amount_at_create", Decimals.paddedOrZero(atCreate, a));
        data.set("price", Decimals.number(price, q));
        data.put("price_str", Decimals.padded(price, q));
        data.put("is_liquidation", false);
        return data;
    }

    private Frame tradeFrame(Trade t, long micros) {
        ObjectNode data = Json.object();
        data.put("id", t.id());
        data.put("timestamp", Long.toString(micros / (spec.perpetual() ? 1000 : 1_000_000)));
        data.set("amount", Decimals.number(t.amount(), spec.amountScale()));
        data.put("amount_str", Decimals.padded(t.amount(), spec.amountScale()));
        data.set("price", Decimals.number(t.price(), spec.priceScale()));
        data.put("price_str", Decimals.padded(t.price(), spec.priceScale()));
        data.put("type", t.type());
        data.put("microtimestamp", Long.toString(micros));
        data.put("buy_order_id", t.buyOrderId());
        data.put("sell_order_id", t.sellOrderId());
        ObjectNode frame = Json.object();
        frame.set("data", data);
        frame.put("channel", spec.tradesChannel());
        frame.put("event", "trade");
        return Frame.of(spec.tradesChannel(), frame);
    }

    private void act() {
        double r = random.nextDouble();
        double cancel = Math.min(0.93, Math.max(0.02, 0.485 * resting.size() / TARGET_ORDERS));
        if (r < TAKE_PROBABILITY && !bids.isEmpty() && !asks.isEmpty()) {
            take();
        } else if (r < TAKE_PROBABILITY + cancel && !resting.isEmpty()) {
            cancel();
        } else {
            place();
        }
        walk();
    }

    private void walk() {
        mid += Math.round(random.nextGaussian() * walkSigma);
        if (!bids.isEmpty() && !asks.isEmpty()) {
            mid += ((bids.firstKey() + asks.firstKey()) / 2 - mid) / 50;
        }
        mid = Math.max(mid, 100);
    }

    /** A passive limit order near the mid (most), a little further (some) or far out (a few). */
    private void place() {
        int side = random.nextInt(2);
        double u = random.nextDouble();
        double fraction = u < 0.7 ? exponential(0.0002) : u < 0.95 ? exponential(0.003) : random.nextDouble() * 0.08;
        long distance = (long) (fraction * mid);
        long price = side == BUY ? mid - distance : mid + distance;
        if (side == BUY && !asks.isEmpty()) {
            price = Math.min(price, asks.firstKey() - 1);
        } else if (side == SELL && !bids.isEmpty()) {
            price = Math.max(price, bids.firstKey() + 1);
        }
        price = Math.max(price, 1);
        double s = random.nextDouble();
        int subtype = s < 0.8 ? 5 : s < 0.92 ? 0 : 4;
        long amount = amountAt(price);
        Order o = add(nextOrderId(), side, price, amount, amount, subtype);
        pending.add(new Pending("order_created", o.id, side, subtype, price, o.amount, 0, o.amount, null, false));
    }

    /** Cancels a recently placed order (often, as fast traders do) or the further from the mid of two. */
    private void cancel() {
        Order o = null;
        if (random.nextDouble() < 0.4) {
            o = orders.get(recent[random.nextInt(recent.length)]);
        }
        if (o == null) {
            Order a = resting.get(random.nextInt(resting.size()));
            Order b = resting.get(random.nextInt(resting.size()));
            o = Math.abs(a.price - mid) >= Math.abs(b.price - mid) ? a : b;
        }
        remove(o);
        pending.add(new Pending("order_deleted", o.id, o.side, o.subtype, o.price, o.amount, 0, o.atCreate, null,
                false));
    }

    /** A market order or a crossing limit order that fills against the other side. */
    private void take() {
        boolean midAbove = mid > (bids.firstKey() + asks.firstKey()) / 2;
        int side = random.nextDouble() < (midAbove ? 0.75 : 0.25) ? BUY : SELL;
        TreeMap<Long, ArrayDeque<Order>> book = side == BUY ? asks : bids;
        int makers = 1;
        while (makers < 4 && random.nextDouble() < 0.45) {
            makers++;
        }
        long budget = 0;
        long limit = 0;
        boolean partial = random.nextDouble() < 0.3;
        int seen = 0;
        outer:
        for (ArrayDeque<Order> level : book.values()) {
            for (Order o : level) {
                seen++;
                limit = o.price;
                if (seen == makers) {
                    budget += partial ? Math.max(1, o.amount / (2 + random.nextInt(4))) : o.amount;
                    break outer;
                }
                budget += o.amount;
            }
        }
        boolean market = random.nextDouble() < 0.6;
        long extra = !market && random.nextDouble() < 0.3 ? amountAt(limit) : 0;
        long total = budget + extra;
        long id = nextOrderId();
        int subtype = market ? MARKET_SUBTYPE : 5;
        long shownPrice = market ? (side == BUY ? MARKET_BUY_PRICE * pow10(spec.priceScale()) : 0) : limit;
        pending.add(new Pending("order_created", id, side, subtype, shownPrice, market ? 0 : total, 0,
                market ? 0 : total, null, false));
        long remaining = total;
        long lastPrice = limit;
        while (remaining > 0 && !book.isEmpty()) {
            long levelPrice = book.firstKey();
            if (side == BUY ? levelPrice > limit : levelPrice < limit) {
                break;
            }
            Order maker = book.firstEntry().getValue().peekFirst();
            long fill = Math.min(remaining, maker.amount);
            Trade trade = new Trade(nextTradeId++, fill, maker.price, side, side == BUY ? id : maker.id,
                    side == BUY ? maker.id : id);
            maker.amount -= fill;
            if (maker.amount == 0) {
                remove(maker);
                pending.add(new Pending("order_deleted", maker.id, maker.side, maker.subtype, maker.price, 0, fill,
                        maker.atCreate, trade, true));
            } else {
                pending.add(new Pending("order_changed", maker.id, maker.side, maker.subtype, maker.price,
                        maker.amount, fill, maker.atCreate, trade, true));
            }
            remaining -= fill;
            lastPrice = maker.price;
        }
        long filled = total - remaining;
        if (market) {
            pending.add(new Pending("order_deleted", id, side, subtype, lastPrice, 0, filled, 0, null, true));
        } else if (remaining > 0) {
            add(id, side, limit, remaining, total, subtype);
            pending.add(new Pending("order_changed", id, side, subtype, limit, remaining, filled, total, null, true));
        } else {
            pending.add(new Pending("order_deleted", id, side, subtype, limit, 0, filled, total, null, true));
        }
    }

    /** An amount worth between 2 and 200,000 of the quote currency (log-uniform), sometimes a round one. */
    private long amountAt(long price) {
        boolean cryptoQuote = spec.priceScale() >= 8;
        double low = cryptoQuote ? 0.00003 : 2;
        double high = cryptoQuote ? 3 : 200_000;
        double notional = low * StrictMath.exp(random.nextDouble() * StrictMath.log(high / low));
        long notionalUnits = (long) (notional * pow10(spec.priceScale()));
        long units = Math.max(1, notionalUnits * pow10(spec.amountScale()) / Math.max(price, 1));
        if (random.nextDouble() < 0.2) {
            long step = pow10(Math.max(0, Long.toString(units).length() - 3));
            units = Math.max(step, units / step * step);
        }
        return units;
    }

    private double exponential(double mean) {
        return -mean * StrictMath.log(1 - random.nextDouble());
    }

    private long nextOrderId() {
        nextOrderId += 1 + random.nextInt(120_000);
        return nextOrderId;
    }

    private Order add(long id, int side, long price, long amount, long atCreate, int subtype) {
        Order o = new Order(id, side, price, amount, atCreate, subtype);
        orders.put(id, o);
        o.index = resting.size();
        resting.add(o);
        (side == BUY ? bids : asks).computeIfAbsent(price, p -> new ArrayDeque<>()).addLast(o);
        recent[recentNext] = id;
        recentNext = (recentNext + 1) % recent.length;
        return o;
    }

    private void remove(Order o) {
        orders.remove(o.id);
        Order last = resting.remove(resting.size() - 1);
        if (last != o) {
            resting.set(o.index, last);
            last.index = o.index;
        }
        TreeMap<Long, ArrayDeque<Order>> side = o.side == BUY ? bids : asks;
        ArrayDeque<Order> level = side.get(o.price);
        level.remove(o);
        if (level.isEmpty()) {
            side.remove(o.price);
        }
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }
}
