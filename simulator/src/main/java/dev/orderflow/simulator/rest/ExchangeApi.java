package dev.orderflow.simulator.rest;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.RestModel;
import dev.orderflow.simulator.world.Json;
import dev.orderflow.simulator.world.MarketState;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The exchange's REST endpoints we need, under {@code /api/v2/} (trailing slash optional): {@code markets/} (spot and
 * perpetual), the obsolete {@code trading-pairs-info/} (spot only), {@code order_book/{pair}/?group=0|1|2} (1 by
 * default; 2 is the L3 book with order ids, consistent with the live_orders stream) and
 * {@code transactions/{pair}/?time=minute|hour|day}. Bodies seeded by a recording are served verbatim (group 1
 * books, trading pairs).
 * <p>
 * As on the exchange ({@link RestModel}): every request counts against the rate limits, and one over them gets HTTP
 * 400 with code {@code 400.002}; a book is served from a cache per URL (the same body again until it is old, unless
 * the URL varies), lags the stream and is stamped with its last change.
 */
public final class ExchangeApi {
    private static final Map<String, Long> TIME_SPANS = Map.of("minute", 60L, "hour", 3600L, "day", 86_400L);

    /** The exchange's error code for a request over its rate limits. */
    public static final String RATE_LIMITED = "400.002";

    private final MarketState market;
    private final RateLimits limits;
    private final BookCache cache;
    /** Requests still to be refused as over the limits whatever the rate ({@link #refuseNext}). */
    private final AtomicInteger refuseNext = new AtomicInteger();

    public ExchangeApi(MarketState market, RestModel model) {
        this.market = market;
        this.limits = new RateLimits(model.perSecond(), model.perTenMinutes());
        this.cache = new BookCache(model.bookCache().toNanos());
    }

    /** {@code rest_refused} (requests over the rate limits) and {@code rest_cache_hits}, for {@code /sim/stats}. */
    public void describe(ObjectNode stats) {
        stats.put("rest_refused", limits.refused());
        stats.put("rest_cache_hits", cache.hits());
    }

    /**
     * The fault {@code rate-limit?count=N}: the next {@code count} requests on {@code /api/v2/} are answered as over
     * the rate limits (HTTP 400, {@code 400.002}), as when other clients of the same address used them up.
     */
    public ObjectNode refuseNext(int count) {
        refuseNext.set(count);
        ObjectNode r = Json.object();
        r.put("fault", "rate-limit");
        r.put("count", count);
        return r;
    }

    public void handle(HttpServerRequest req) {
        try {
            boolean forced = refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            boolean refused = forced ? limits.refuse() : !limits.admit(System.nanoTime());
            if (refused) {
                ObjectNode body = Json.object();
                body.put("status", "error");
                body.put("reason", "Rate limit exceeded. Please reduce the rate of your requests.");
                body.put("code", RATE_LIMITED);
                Responses.json(req, 400, body);
                return;
            }
            if (req.method() != HttpMethod.GET) {
                throw new Responses.Problem(405, "only GET is supported here", null);
            }
            String[] parts = req.path().substring("/api/v2/".length()).replaceFirst("/+$", "").split("/");
            if (parts.length == 1 && parts[0].equals("markets")) {
                Responses.json(req, 200, market.markets());
            } else if (parts.length == 1 && parts[0].equals("trading-pairs-info")) {
                String seeded = market.seeded("trading-pairs-info");
                if (seeded != null) {
                    Responses.text(req, 200, "application/json", seeded);
                } else {
                    Responses.json(req, 200, market.tradingPairsInfo());
                }
            } else if (parts.length == 2 && parts[0].equals("order_book")) {
                orderBook(req, knownPair(parts[1]));
            } else if (parts.length == 2 && parts[0].equals("transactions")) {
                String pair = knownPair(parts[1]);
                String time = req.getParam("time", "hour");
                Long span = TIME_SPANS.get(time);
                if (span == null) {
                    throw Responses.badParameter("time", "query parameter 'time' must be minute, hour or day, got '"
                            + time + "'");
                }
                Responses.json(req, 200, market.transactions(pair, span));
            } else {
                throw Responses.notFound("no such endpoint: " + req.path());
            }
        } catch (Responses.Problem p) {
            Responses.problem(req, p);
        }
    }

    private void orderBook(HttpServerRequest req, String pair) {
        int group = (int) Responses.integer(req, "group", 0, 2, 1L);
        String seeded = market.seeded("order_book/" + pair);
        if (group == 1 && seeded != null) {
            Responses.text(req, 200, "application/json", seeded);
        } else {
            String body = cache.get(req.uri(), System.nanoTime(),
                    () -> Json.text(market.restSnapshot(pair, group)));
            Responses.text(req, 200, "application/json", body);
        }
    }

    private String knownPair(String pair) {
        if (!market.knows(pair)) {
            throw Responses.notFound("unknown pair '" + pair + "'");
        }
        return pair;
    }
}
