package dev.orderflow.simulator.world;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the REST endpoints answer from: per pair the true L3 book and the recent trades, both built from every
 * generated frame (also those a fault withholds: the exchange's book does not care whether a client got the
 * event), plus REST bodies seeded by a recording (served verbatim where the recording has them).
 */
public final class MarketState {
    private static final int TRADES_KEPT = 1000;

    private final Map<String, L3Book> books = new HashMap<>();
    private final Map<String, RestBook> restBooks = new HashMap<>();
    private final Map<String, ArrayDeque<ObjectNode>> trades = new HashMap<>();
    private final Map<String, String> seeds = new HashMap<>();
    private final Set<String> pairs = new LinkedHashSet<>();
    private final boolean recordedClock;
    private final long restDelayMicros;
    private final boolean stampLastChange;
    private long lastMicros;
    private long restHeldUntilMillis;

    /**
     * @param pairs         the pairs known from the start
     * @param recordedClock   true in replay mode: "now" is the time of the last replayed frame, not the wall clock
     * @param restDelayMicros how far the REST book lags the stream (see {@link #restSnapshot})
     * @param stampLastChange true: a REST book is stamped with its last change; false: with the moment asked
     */
    public MarketState(Collection<String> pairs, boolean recordedClock, long restDelayMicros,
                       boolean stampLastChange) {
        this.pairs.addAll(pairs);
        this.recordedClock = recordedClock;
        this.restDelayMicros = restDelayMicros;
        this.stampLastChange = stampLastChange;
    }

    /** Takes note of one generated frame of {@code channel}. */
    public void observe(String channel, JsonNode frame) {
        JsonNode data = frame.path("data");
        String event = frame.path("event").asText("");
        long micros = data.path("microtimestamp").asLong(0);
        lastMicros = Math.max(lastMicros, micros);
        if (channel.startsWith("live_orders_")) {
            String pair = channel.substring("live_orders_".length());
            pairs.add(pair);
            book(pair).apply(event, data);
            RestBook rest = restBook(pair);
            rest.offer(micros, event, data);
            if (!restHeld()) {
                rest.advance(micros - restDelayMicros);
            }
        } else if (channel.startsWith("live_trades_") && "trade".equals(event)) {
            String pair = channel.substring("live_trades_".length());
            pairs.add(pair);
            ObjectNode t = Json.object();
            t.put("date", data.path("timestamp").asText());
            t.put("tid", data.path("id").asText());
            t.put("price", data.hasNonNull("price_str") ? data.get("price_str").asText() : data.path("price").asText());
            t.put("type", data.path("type").asText());
            t.put("amount", data.hasNonNull("amount_str") ? data.get("amount_str").asText()
                    : data.path("amount").asText());
            ArrayDeque<ObjectNode> kept = trades.computeIfAbsent(pair, p -> new ArrayDeque<>());
            kept.addLast(t);
            if (kept.size() > TRADES_KEPT) {
                kept.removeFirst();
            }
        }
    }

    /** Adds pairs that have no frames yet (e.g. channels of a recording). */
    public void addPair(String pair) {
        pairs.add(pair);
    }

    /** Seeds a REST body, e.g. key {@code order_book/btcusd} or {@code trading-pairs-info}. */
    public void seed(String key, String body, long micros) {
        seeds.put(key, body);
        lastMicros = Math.max(lastMicros, micros);
    }

    /**
     * Replay mode: the recording's clock before its first frame, so that a book asked for before the replay starts
     * is dated just before the recording, not by the wall clock.
     */
    public void startClock(long micros) {
        lastMicros = Math.max(lastMicros, micros);
    }

    public String seeded(String key) {
        return seeds.get(key);
    }

    public boolean knows(String pair) {
        return pairs.contains(pair) || seeds.containsKey("order_book/" + pair);
    }

    /** The true book of a pair: every event generated so far. */
    public L3Book book(String pair) {
        return books.computeIfAbsent(pair, p -> new L3Book());
    }

    /** An order resting before the stream starts, put into the true and the REST book. */
    public void seedOrder(String pair, JsonNode data, long micros) {
        book(pair).apply("order_created", data);
        restBook(pair).seed(data, micros);
    }

    /**
     * The REST {@code order_book} body of a pair: the book holding every event stamped up to the REST delay before
     * now (none newer), stamped with its last change or with now (see the constructor).
     */
    public ObjectNode restSnapshot(String pair, int group) {
        RestBook rest = restBook(pair);
        long now = nowMicros();
        if (!restHeld()) {
            rest.advance(now - restDelayMicros);
        }
        return rest.snapshot(group, stampLastChange ? rest.lastChangeMicros() : now);
    }

    private boolean restHeld() {
        return System.currentTimeMillis() < restHeldUntilMillis;
    }

    /** The {@code book-behind} fault: REST books take no event for {@code millis}, falling behind the stream. */
    public void holdRestBooks(long millis) {
        restHeldUntilMillis = System.currentTimeMillis() + millis;
    }

    private RestBook restBook(String pair) {
        return restBooks.computeIfAbsent(pair, p -> new RestBook());
    }

    /** The current time of this market in µs: the wall clock (never before the last frame), or replay time. */
    public long nowMicros() {
        long wall = System.currentTimeMillis() * 1000;
        if (recordedClock) {
            return lastMicros > 0 ? lastMicros : wall;
        }
        return Math.max(wall, lastMicros);
    }

    /**
     * REST {@code /api/v2/transactions/{pair}/}: newest first, within {@code seconds} of {@link #nowMicros()},
     * rows {@code {"date","tid","price","type","amount"}} as strings.
     */
    public ArrayNode transactions(String pair, long seconds) {
        long since = nowMicros() / 1_000_000 - seconds;
        ArrayNode out = Json.MAPPER.createArrayNode();
        ArrayDeque<ObjectNode> kept = trades.get(pair);
        if (kept != null) {
            for (Iterator<ObjectNode> it = kept.descendingIterator(); it.hasNext(); ) {
                ObjectNode t = it.next();
                if (t.path("date").asLong(0) >= since) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * REST {@code /api/v2/markets/}: every known pair, spot and perpetual, fields in the order the exchange sends
     * them.
     */
    public ArrayNode markets() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (String pair : pairs) {
            PairSpec spec = PairSpec.of(pair);
            ObjectNode row = out.addObject();
            row.put("name", spec.displayName());
            row.put("market_symbol", pair);
            row.put("base_currency", spec.base().toUpperCase());
            row.put("base_decimals", spec.amountScale());
            row.put("counter_currency", spec.quote().toUpperCase());
            row.put("counter_decimals", spec.priceScale());
            row.put("minimum_order_value", "10");
            row.put("trading", "Enabled");
            row.put("instant_order_counter_decimals", spec.priceScale());
            row.put("instant_and_market_orders", "Enabled");
            row.put("description", spec.description());
            row.put("market_type", spec.perpetual() ? "PERPETUAL" : "SPOT");
            if (spec.perpetual()) {
                row.put("payoff_type", "Linear");
                row.put("contract_size", "1.00000000");
            }
        }
        return out;
    }

    /**
     * REST {@code /api/v2/trading-pairs-info/} (obsolete on the exchange, replaced by {@link #markets()}): the known
     * spot pairs only, fields in the order the exchange sent them.
     */
    public ArrayNode tradingPairsInfo() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (String pair : pairs) {
            PairSpec spec = PairSpec.of(pair);
            if (spec.perpetual()) {
                continue;
            }
            ObjectNode row = out.addObject();
            row.put("trading", "Enabled");
            row.put("base_decimals", spec.amountScale());
            row.put("url_symbol", pair);
            row.put("name", spec.displayName());
            row.put("instant_and_market_orders", "Enabled");
            row.put("minimum_order", "10.0 " + spec.quote().toUpperCase());
            row.put("counter_decimals", spec.priceScale());
            row.put("instant_order_counter_decimals", spec.priceScale());
            row.put("description", spec.description());
        }
        return out;
    }
}
