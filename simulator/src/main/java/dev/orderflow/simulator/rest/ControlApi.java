package dev.orderflow.simulator.rest;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.faults.Faults;
import dev.orderflow.simulator.protocol.ChannelLog;
import dev.orderflow.simulator.protocol.Feed;
import dev.orderflow.simulator.world.Json;
import dev.orderflow.simulator.world.MarketState;
import dev.orderflow.simulator.world.Source;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The simulator's own endpoints under {@code /sim/}: {@code GET stats}, {@code GET sent?channel=C[&from=SEQ]}
 * (NDJSON of the frames sent on C, oldest kept first; headers {@code X-Sim-First-Seq} = sequence number of the
 * first line, {@code X-Sim-Sent} = frames sent so far), {@code GET skipped?channel=C}, {@code POST pause},
 * {@code POST resume}, {@code POST emit?pair=P&count=N}, {@code GET book?pair=P[&group=G]} (the true book now,
 * without the REST cache, lag and limits: what a test compares a rebuilt book with) and {@code POST faults/{fault}}
 * (see {@link Faults}).
 */
public final class ControlApi {
    private static final int MAX_COUNT = 1_000_000;

    private final Feed feed;
    private final Source source;
    private final Faults faults;
    private final MarketState market;
    private final ExchangeApi exchange;

    public ControlApi(Feed feed, Source source, Faults faults, MarketState market, ExchangeApi exchange) {
        this.feed = feed;
        this.source = source;
        this.faults = faults;
        this.market = market;
        this.exchange = exchange;
    }

    public void handle(HttpServerRequest req) {
        try {
            String path = req.path().replaceFirst("/+$", "");
            switch (path) {
                case "/sim/stats" -> Responses.json(req, 200, stats(expect(req, HttpMethod.GET)));
                case "/sim/sent" -> sent(expect(req, HttpMethod.GET));
                case "/sim/skipped" -> skipped(expect(req, HttpMethod.GET));
                case "/sim/pause", "/sim/resume" -> {
                    expect(req, HttpMethod.POST);
                    if (path.endsWith("pause")) {
                        source.pause();
                    } else {
                        source.resume();
                    }
                    ObjectNode answer = Json.object();
                    answer.put("paused", path.endsWith("pause"));
                    Responses.json(req, 200, answer);
                }
                case "/sim/emit" -> emit(expect(req, HttpMethod.POST));
                case "/sim/book" -> trueBook(expect(req, HttpMethod.GET));
                default -> {
                    if (!path.startsWith("/sim/faults/")) {
                        throw Responses.notFound("no such endpoint: " + req.path());
                    }
                    Responses.json(req, 200, fault(expect(req, HttpMethod.POST), path.substring(12)));
                }
            }
        } catch (Responses.Problem p) {
            Responses.problem(req, p);
        }
    }

    private ObjectNode stats(HttpServerRequest req) {
        ObjectNode stats = feed.stats();
        source.describe(stats);
        stats.put("refusing", faults.refusing());
        exchange.describe(stats);
        return stats;
    }

    private void sent(HttpServerRequest req) {
        String channel = Responses.required(req, "channel");
        long from = Responses.integer(req, "from", 1, Long.MAX_VALUE, 1L);
        ChannelLog log = feed.channel(channel);
        List<String> frames = log == null ? List.of() : log.sentFrom(from);
        long first = log == null ? 1 : Math.max(from, log.firstKept());
        StringBuilder body = new StringBuilder();
        frames.forEach(f -> body.append(f).append('\n'));
        req.response().putHeader("X-Sim-First-Seq", Long.toString(first))
                .putHeader("X-Sim-Sent", Long.toString(log == null ? 0 : log.sent()));
        Responses.text(req, 200, "application/x-ndjson", body.toString());
    }

    private void skipped(HttpServerRequest req) {
        String channel = Responses.required(req, "channel");
        ChannelLog log = feed.channel(channel);
        if (log == null) {
            ObjectNode empty = Json.object();
            empty.put("channel", channel);
            empty.put("skipped", 0);
            empty.put("skip_pending", 0);
            empty.putArray("event_ids");
            empty.putArray("ids");
            Responses.json(req, 200, empty);
        } else {
            Responses.json(req, 200, log.skippedReport());
        }
    }

    /** The true book now, as the REST body of {@code order_book?group=G} would be with no cache, lag or limit. */
    private void trueBook(HttpServerRequest req) {
        String pair = Responses.required(req, "pair");
        int group = (int) Responses.integer(req, "group", 0, 2, 2L);
        if (!market.knows(pair)) {
            throw Responses.notFound("unknown pair '" + pair + "'");
        }
        Responses.json(req, 200, market.book(pair).snapshot(group, market.nowMicros()));
    }

    private void emit(HttpServerRequest req) {
        String pair = Responses.required(req, "pair");
        int count = (int) Responses.integer(req, "count", 1, MAX_COUNT, null);
        try {
            Responses.json(req, 200, source.emit(pair, count));
        } catch (IllegalArgumentException e) {
            throw Responses.badParameter("pair", e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new Responses.Problem(409, e.getMessage(), null);
        }
    }

    private ObjectNode fault(HttpServerRequest req, String fault) {
        return switch (fault) {
            case "drop" -> faults.drop(req.getParam("client"));
            case "silence" -> faults.silence(Responses.seconds(req, "seconds", null), req.getParam("client"));
            case "stale" -> faults.stale(Responses.seconds(req, "seconds", null), req.getParam("client"));
            case "request-reconnect" -> faults.requestReconnect(Responses.seconds(req, "seconds", 3.0),
                    (int) (Responses.integer(req, "ahead", 0, MAX_COUNT, 0L)
                            - Responses.integer(req, "behind", 0, MAX_COUNT, 0L)), req.getParam("client"));
            case "unknown-event" -> faults.unknownEvent(req.getParam("channel", defaultChannel()),
                    (int) Responses.integer(req, "count", 1, MAX_COUNT, 1L), req.getParam("type", "order_replaced"));
            case "book-behind" -> faults.bookBehind(Responses.seconds(req, "seconds", null));
            case "malformed" -> faults.malformed((int) Responses.integer(req, "count", 1, 10_000, null),
                    req.getParam("channel", defaultChannel()));
            case "skip" -> faults.skip(Responses.required(req, "channel"),
                    (int) Responses.integer(req, "count", 1, MAX_COUNT, null));
            case "refuse" -> faults.refuse(Responses.seconds(req, "seconds", null), req.getParam("client"));
            case "rate-limit" -> exchange.refuseNext((int) Responses.integer(req, "count", 1, MAX_COUNT, null));
            default -> throw Responses.notFound("unknown fault '" + fault
                    + "'; known: drop, silence, stale, request-reconnect, unknown-event, book-behind, malformed, skip, "
                    + "refuse, rate-limit");
        };
    }

    private String defaultChannel() {
        return feed.channelNames().stream().filter(c -> c.startsWith("live_orders_")).findFirst()
                .orElse("live_orders_btcusd");
    }

    private static HttpServerRequest expect(HttpServerRequest req, HttpMethod method) {
        if (req.method() != method) {
            throw new Responses.Problem(405, req.path() + " takes " + method.name(), null);
        }
        return req;
    }
}
