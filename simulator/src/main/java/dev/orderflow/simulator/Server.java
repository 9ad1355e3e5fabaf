package dev.orderflow.simulator;

import java.util.List;

import dev.orderflow.simulator.faults.Faults;
import dev.orderflow.simulator.protocol.Feed;
import dev.orderflow.simulator.replay.Recording;
import dev.orderflow.simulator.replay.Replayer;
import dev.orderflow.simulator.rest.ControlApi;
import dev.orderflow.simulator.rest.ExchangeApi;
import dev.orderflow.simulator.world.MarketState;
import dev.orderflow.simulator.world.Source;
import dev.orderflow.simulator.world.PairRates;
import dev.orderflow.simulator.world.SyntheticSource;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Wires the parts on one event loop (so none of them needs locks) and serves them on one port: a WebSocket upgrade on
 * any path joins the feed, {@code /api/v2/...} is the exchange's REST, everything else the {@code /sim/...} control.
 */
final class Server extends AbstractVerticle {
    private final SimulatorOptions options;
    private final Recording recording;
    private volatile int port;
    private Source source;

    Server(SimulatorOptions options, Recording recording) {
        this.options = options;
        this.recording = recording;
    }

    int port() {
        return port;
    }

    @Override
    public void start(Promise<Void> started) {
        boolean replay = recording != null;
        List<String> pairs = PairRates.expand(options.pairs());
        MarketState market = new MarketState(replay ? List.of() : pairs, replay,
                options.rest().bookDelay().toNanos() / 1000, options.rest().stampLastChange());
        Feed feed = new Feed(vertx, market, options.sentBufferPerChannel(), options.pingInterval().toMillis());
        if (replay) {
            source = new Replayer(vertx, feed, market, feed::whenFirstSubscribed, recording, options.speed());
            recording.channels().forEach(feed::declare);
        } else {
            source = new SyntheticSource(vertx, feed, market, options.pairs(), options.seed(), options.rate());
            pairs.forEach(p -> {
                feed.declare("live_orders_" + p);
                feed.declare("live_trades_" + p);
            });
        }
        Faults faults = new Faults(feed, market);
        ExchangeApi exchange = new ExchangeApi(market, options.rest());
        ControlApi control = new ControlApi(feed, source, faults, market, exchange);
        // HTTP/1.1 only, like the exchange's WebSocket endpoint: no h2c upgrade (the JDK HTTP client asks for one
        // by default, and that path can stall its requests).
        HttpServerOptions serverOptions = new HttpServerOptions().setHost("127.0.0.1").setPort(options.port())
                .setHttp2ClearTextEnabled(false).setMaxWebSocketMessageSize(1 << 20);
        vertx.createHttpServer(serverOptions)
                .requestHandler(req -> route(req, feed, faults, exchange, control))
                .listen()
                .onSuccess(server -> {
                    port = server.actualPort();
                    source.start();
                    started.complete();
                })
                .onFailure(started::fail);
    }

    private static void route(HttpServerRequest req, Feed feed, Faults faults, ExchangeApi exchange,
                              ControlApi control) {
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            if (faults.refusing(req.getHeader("User-Agent"))) {
                req.response().setStatusCode(503).end("new connections are refused for now (refuse fault)");
                return;
            }
            HttpConnection connection = req.connection();
            req.toWebSocket().onSuccess(ws -> feed.open(ws, connection));
        } else if (req.path().startsWith("/api/v2/")) {
            exchange.handle(req);
        } else {
            control.handle(req);
        }
    }

    @Override
    public void stop() {
        if (source != null) {
            source.stop();
        }
    }
}
