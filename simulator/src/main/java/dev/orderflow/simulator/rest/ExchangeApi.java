package dev.orderflow.simulator.rest;

import java.util.Map;

import dev.orderflow.simulator.world.MarketState;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The exchange's REST endpoints we need, under {@code /api/v2/} (trailing slash optional):
 * {@code trading-pairs-info/}, {@code order_book/{pair}/?group=0|1|2} (1 by default; 2 is the L3 book with order
 * ids, consistent with the live_orders stream) and {@code transactions/{pair}/?time=minute|hour|day}. Bodies seeded
 * by a recording are served verbatim (group 1 books, trading pairs).
 */
public final class ExchangeApi {
    private static final Map<String, Long> TIME_SPANS = Map.of("minute", 60L, "hour", 3600L, "day", 86_400L);

    private final MarketState market;

    public ExchangeApi(MarketState market) {
        this.market = market;
    }

    public void handle(HttpServerRequest req) {
        try {
            if (req.method() != HttpMethod.GET) {
                throw new Responses.Problem(405, "only GET is supported here", null);
            }
            String[] parts = req.path().substring("/api/v2/".length()).replaceFirst("/+$", "").split("/");
            if (parts.length == 1 && parts[0].equals("trading-pairs-info")) {
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
            Responses.json(req, 200, market.book(pair).snapshot(group, market.nowMicros()));
        }
    }

    private String knownPair(String pair) {
        if (!market.knows(pair)) {
            throw Responses.notFound("unknown pair '" + pair + "'");
        }
        return pair;
    }
}
