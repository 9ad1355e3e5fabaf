package dev.orderflow.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.orderflow.simulator.replay.Recording;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A server on 127.0.0.1 that speaks Bitstamp's WebSocket API v2 and the REST endpoints the pipeline needs, fed by a
 * synthetic, seeded market ({@link dev.orderflow.simulator.world.Market}) or by a replayed recording
 * ({@link dev.orderflow.simulator.replay.Recording}). Runs on its own Vert.x instance with a single event loop.
 * <p>
 * One port serves:
 * <ul>
 *   <li>WebSocket on any path ({@link dev.orderflow.simulator.protocol.Session}): {@code live_orders_<pair>},
 *       {@code live_trades_<pair>} and, in replay, whatever channels the recording has;</li>
 *   <li>{@code GET /api/v2/markets/}, the obsolete {@code /api/v2/trading-pairs-info/},
 *       {@code /api/v2/order_book/{pair}/?group=0|1|2}, {@code /api/v2/transactions/{pair}/}
 *       ({@link dev.orderflow.simulator.rest.ExchangeApi}), behaving as {@link SimulatorOptions#rest()} says: by
 *       default like the exchange (cached books that lag the stream, rate limits);</li>
 *   <li>{@code GET /sim/stats}, {@code /sim/sent?channel=C}, {@code /sim/skipped?channel=C}, {@code /sim/book?pair=P},
 *       {@code POST /sim/pause}, {@code /sim/resume}, {@code /sim/emit?pair=P&count=N}
 *       ({@link dev.orderflow.simulator.rest.ControlApi}) and {@code POST /sim/faults/{drop|silence|stale|
 *       request-reconnect|unknown-event|book-behind|malformed|skip|refuse}}
 *       ({@link dev.orderflow.simulator.faults.Faults}).</li>
 * </ul>
 * "Sent" means generated and broadcast to the channel, counted once however many connections are subscribed (see
 * {@link dev.orderflow.simulator.protocol.ChannelLog}).
 */
public final class Simulator implements AutoCloseable {
    private final Vertx vertx;
    private final int port;
    private boolean closed;

    private Simulator(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    /** Starts and returns once listening. */
    public static Simulator start(SimulatorOptions options) {
        Recording recording;
        try {
            recording = options.replayFile() == null ? null : Recording.load(options.replayFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read replay file " + options.replayFile(), e);
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1)
                .setMaxEventLoopExecuteTime(10).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
        Server server = new Server(options, recording);
        try {
            vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            vertx.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("simulator did not start on port " + options.port() + ": " + cause, cause);
        }
        return new Simulator(vertx, server.port());
    }

    /** The port it listens on (the free one chosen when asked for port 0). */
    public int port() {
        return port;
    }

    /** Stops serving and closes every connection. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing anyway; nothing left to release
        }
    }
}
