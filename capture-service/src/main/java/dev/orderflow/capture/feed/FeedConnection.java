package dev.orderflow.capture.feed;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.capture.Backoff;
import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The WebSocket connection to the exchange (transport layer): connects, subscribes, and keeps the connection honest.
 * <ul>
 *   <li>Watchdog: a WebSocket ping every {@code ping-interval} plus {@code bts:heartbeat} every
 *       {@code heartbeat-interval}; a connection that is half-open or stale ({@link Watchdog}) is replaced. Data
 *       (an event of a subscribed channel, see {@link BitstampProtocol.Reaction#DATA}) of any channel of the
 *       connection counts, so quiet pairs alone do not trip it while one busy pair flows.</li>
 *   <li>A connection declared dead (half-open, stale, closed, dropped or replaced by a switch) is retired: its
 *       handlers are detached first, so that nothing it still delivers reaches the protocol (a late frame would end the
 *       channels' disconnect windows early), then it is closed.</li>
 *   <li>Reconnect with exponential backoff and jitter, capped at {@code reconnect-max-backoff}; the backoff starts
 *       again from the minimum once a connection stayed up for {@code healthy-after}. Every channel is subscribed
 *       again.</li>
 *   <li>{@code bts:request_reconnect}: make-before-break. A second connection is opened and subscribed while the old
 *       one keeps delivering; the new server may be ahead of or behind the old one, so both are read until the new
 *       one's {@code live_orders} events join the chain of what was taken (or {@code overlap-timeout}), then the old
 *       one is closed. Meanwhile events are taken in chain order, each once ({@link Overlap}, {@link Continuity}).</li>
 *   <li>After every connection's subscriptions are complete, and every {@code capture.snapshot.interval}, an L3
 *       snapshot per pair is stored ({@link Snapshots}).</li>
 * </ul>
 * Every text frame is handed, with the time it was read, to {@link BitstampProtocol#onFrame}. All state lives on
 * one Vert.x event-loop context.
 */
@ApplicationScoped
public class FeedConnection {
    /** How long the shutdown waits for the event loop to retire the connections (it is not blocked for long). */
    private static final long RETIRE_WAIT_SECONDS = 30;
    private final Vertx vertx;
    private final CaptureConfig.Feed config;
    /** Names this host to the server (the simulator can then fault one host's connections alone). */
    private final String userAgent;
    private final BitstampProtocol protocol;
    private final TradingPairs tradingPairs;
    private final Snapshots snapshots;
    private final Backoff backoff;
    private final java.time.Duration snapshotInterval;
    private final Counter reconnects;
    private final Watchdog watchdog;

    private Context context;
    private WebSocketClient client;
    private List<String> pairs;
    private List<String> subscribeFrames;
    /** The connection events are taken from. */
    private Conn active;
    /** During a make-before-break switch: the new connection, until all its subscriptions are acknowledged. */
    private Conn next;
    /** After the new connection of a switch took over: the old one, read until the chains join. */
    private Conn leaving;
    private long overlapTimer = -1;
    private int failedAttempts;
    private long reconnectTimer = -1;
    private long snapshotTimer = -1;
    private volatile boolean connected;
    private volatile boolean stopping;

    /** One WebSocket with its watchdog state. */
    private static final class Conn {
        final WebSocket ws;
        final long openedNanos = System.nanoTime();
        long lastActivityNanos = openedNanos;
        long lastDataNanos = openedNanos;
        /** Declared dead: its handlers are detached, nothing it delivers is handled any more. */
        boolean retired;
        int acks;
        boolean snapshotTaken;
        /** The server asked this connection to reconnect ({@code bts:request_reconnect}). */
        boolean reconnectAsked;
        long watchdogTimer = -1;
        long heartbeatTimer = -1;
        long switchTimer = -1;

        Conn(WebSocket ws) {
            this.ws = ws;
        }
    }

    public FeedConnection(Vertx vertx, CaptureConfig config, BitstampProtocol protocol, TradingPairs tradingPairs,
            Snapshots snapshots, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config.feed();
        this.userAgent = "orderflow-capture (host " + config.host().id() + ")";
        this.protocol = protocol;
        this.tradingPairs = tradingPairs;
        this.snapshots = snapshots;
        this.backoff = new Backoff(this.config.reconnectMinBackoff(), this.config.reconnectMaxBackoff());
        this.snapshotInterval = config.snapshot().interval();
        this.reconnects = Counter.builder("capture.reconnects")
                .description("Connection attempts after the first (lost connection, failed attempt, exchange request)")
                .register(registry);
        this.watchdog = new Watchdog(this.config, registry);
        Gauge.builder("capture.feed.connected", this, f -> f.connected ? 1 : 0)
                .description("1 while connected to the exchange, else 0").register(registry);
    }

    public void start() {
        client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setConnectTimeout(10_000)
                .setClosingTimeout(2)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20));
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> connect());
        if (!snapshotInterval.isZero()) {
            snapshotTimer = vertx.setPeriodic(snapshotInterval.toMillis(), id -> context.runOnContext(v -> {
                if (capturing()) {
                    snapshots.fetch(pairs, "periodic");
                }
            }));
        }
    }

    /**
     * Closes the connections and stops reconnecting. Returns once nothing they deliver is handed on any more (the
     * shutdown seals the windows next), and once closed or after a few seconds.
     */
    public void stop() {
        stopping = true;
        if (context == null) {
            return;
        }
        CompletableFuture<Void> retired = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        context.runOnContext(v -> {
            vertx.cancelTimer(reconnectTimer);
            vertx.cancelTimer(snapshotTimer);
            List<Future<Void>> closing = new ArrayList<>();
            vertx.cancelTimer(overlapTimer);
            // retired before the close is sent: a frame the server sends after this point is not handed on, so
            // nothing reaches the journal once the windows are sealed; the active one records the disconnect
            for (Conn c : new Conn[] {leaving, next, active}) {
                if (c != null) {
                    closing.add(retire(c, "stopping"));
                }
            }
            retired.complete(null);
            Future.join(closing).onComplete(done -> closed.complete(null));
        });
        try {
            retired.get(RETIRE_WAIT_SECONDS, TimeUnit.SECONDS);
            closed.get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            Log.warnf("The feed connection did not close cleanly: %s", e.toString());
        }
        connected = false;
        client.close();
    }

    /** Connected and every channel acknowledged. */
    public boolean capturing() {
        return connected && protocol.allSubscribed();
    }

    public boolean connected() {
        return connected;
    }

    private void connect() {
        if (stopping) {
            return;
        }
        (pairs != null ? Future.succeededFuture(pairs) : tradingPairs.resolve())
                .compose(resolved -> {
                    pairs = resolved;
                    return client.connect(connectOptions(config.url(), userAgent));
                })
                .onComplete(attempt -> {
                    if (attempt.failed()) {
                        Log.warnf("Connecting to %s failed: %s", config.url(), attempt.cause().toString());
                        scheduleReconnect(false);
                    } else if (stopping) {
                        attempt.result().close();
                    } else {
                        opened(new Conn(attempt.result()));
                    }
                });
    }

    /** Opens the second connection of a make-before-break switch. */
    private void connectNext() {
        reconnects.increment();
        client.connect(connectOptions(config.url(), userAgent)).onComplete(attempt -> {
            if (attempt.failed() || stopping || active == null) {
                if (attempt.succeeded()) {
                    attempt.result().close();
                }
                Log.warnf("Make-before-break: the new connection failed (%s); the old one stays until it closes",
                        attempt.failed() ? attempt.cause().toString() : "stopping or old connection gone");
                return;
            }
            Conn c = new Conn(attempt.result());
            next = c;
            protocol.beginOverlap();
            start(c);
            subscribeFrames.forEach(c.ws::writeTextMessage);
            c.switchTimer = vertx.setTimer(config.switchTimeout().toMillis(), id -> {
                if (next == c) {
                    Log.warnf("Make-before-break: the new connection did not subscribe within %s; dropping it",
                            config.switchTimeout());
                    retire(c, "not subscribed in time");
                }
            });
            Log.infof("Make-before-break: new connection open; subscribing to %d channels", subscribeFrames.size());
        });
    }

    private void opened(Conn c) {
        active = c;
        connected = true;
        start(c);
        subscribeFrames = protocol.subscribeFrames(pairs);
        subscribeFrames.forEach(c.ws::writeTextMessage);
        Log.infof("Connected to %s; subscribing to %d channels", config.url(), subscribeFrames.size());
    }

    /** Handlers, heartbeat and watchdog of a new connection. */
    private void start(Conn c) {
        WebSocket ws = c.ws;
        ws.textMessageHandler(text -> {
            if (!c.retired) {
                onText(c, text);
            }
        });
        ws.binaryMessageHandler(bytes -> {
            if (!c.retired) {
                c.lastActivityNanos = System.nanoTime();
                protocol.onBinary(bytes.getBytes(), Clock.nowMicros());
            }
        });
        ws.pongHandler(data -> c.lastActivityNanos = System.nanoTime());
        ws.exceptionHandler(e -> Log.warnf("Feed connection error: %s", e.toString()));
        ws.closeHandler(v -> retire(c, "closed (" + ws.closeStatusCode() + " " + ws.closeReason() + ")"));
        c.heartbeatTimer = vertx.setPeriodic(config.heartbeatInterval().toMillis(),
                id -> ws.writeTextMessage(BitstampProtocol.HEARTBEAT));
        c.watchdogTimer = vertx.setPeriodic(Math.max(1, config.pingInterval().toMillis()), id -> watch(c));
    }

    private void watch(Conn c) {
        switch (watchdog.check(System.nanoTime(), c.lastActivityNanos, c.lastDataNanos)) {
            case HALF_OPEN -> retire(c, "half-open");
            case STALE -> retire(c, "stale");
            case FINE -> c.ws.writePing(Buffer.buffer("ping"));
        }
    }

    private void onText(Conn c, String text) {
        c.lastActivityNanos = System.nanoTime();
        boolean fromNew = c == next || (leaving != null && c == active);
        BitstampProtocol.Reaction reaction = protocol.onFrame(text, Clock.nowMicros(), fromNew);
        if (reaction == BitstampProtocol.Reaction.DATA) {
            c.lastDataNanos = c.lastActivityNanos;
            watchdog.data();
            if (leaving != null && protocol.overlapJoined()) {
                retire(leaving, "replaced; the new connection's events join the chain");
            }
        } else if (reaction == BitstampProtocol.Reaction.RECONNECT) {
            c.reconnectAsked = true;
            switchIfAsked();
        } else if (reaction == BitstampProtocol.Reaction.SUBSCRIBED) {
            c.acks++;
            if (c.acks == subscribeFrames.size()) {
                subscribedAll(c);
            }
        }
    }

    /**
     * Starts a make-before-break switch when the active connection was asked to reconnect and no switch is under way;
     * a request that arrives during a switch (on the new connection) is acted on once that switch is over.
     */
    private void switchIfAsked() {
        if (active != null && active.reconnectAsked && next == null && leaving == null && !stopping) {
            connectNext();
        }
    }

    private void subscribedAll(Conn c) {
        if (c == next) {
            leaving = active;
            active = c;
            next = null;
            vertx.cancelTimer(c.switchTimer);
            Log.info("Make-before-break: new connection subscribed; reading both until their chains join");
            overlapTimer = vertx.setTimer(config.overlapTimeout().toMillis(), id -> {
                if (leaving != null) {
                    retire(leaving, "overlap timeout");
                }
            });
        }
        if (c == active && !c.snapshotTaken) {
            c.snapshotTaken = true;
            snapshots.fetch(pairs, "connect");
        }
    }

    /**
     * Declares a connection dead, once: detaches its handlers (nothing it delivers from now on reaches the protocol),
     * closes it and, for the active connection, records the disconnect and schedules a reconnect (unless stopping).
     * Returns the close.
     */
    private Future<Void> retire(Conn c, String why) {
        if (c.retired) {
            return Future.succeededFuture();
        }
        c.retired = true;
        cancelTimers(c);
        detach(c.ws);
        Future<Void> closed = c.ws.close();
        if (c == leaving) {
            leaving = null;
            vertx.cancelTimer(overlapTimer);
            protocol.endOverlap();
            Log.infof("Make-before-break: old connection closed (%s)", why);
            switchIfAsked(); // the new server may have asked for a reconnect during the switch
            return closed;
        }
        if (c == next) {
            next = null;
            protocol.endOverlap();
            return closed;
        }
        if (c != active) {
            return closed;
        }
        active = null;
        connected = false;
        // its last sign of life: any frame or pong; for a stale one (pongs but no data), its last data frame
        long lastSign = "stale".equals(why) ? c.lastDataNanos : c.lastActivityNanos;
        long now = protocol.clockMicros(); // not past the exchange's time after a forward step of the host's clock
        protocol.disconnected(now, now - (System.nanoTime() - lastSign) / 1_000);
        if (next != null) {
            // The old connection went before the new one was subscribed: start over cleanly.
            retire(next, "dropped with the old connection");
        }
        if (leaving != null) {
            retire(leaving, "dropped with the new connection");
        }
        if (!stopping) {
            Log.warnf("Feed connection %s; reconnecting", why);
            scheduleReconnect(System.nanoTime() - c.openedNanos >= config.healthyAfter().toNanos());
        }
        return closed;
    }

    /** Vert.x still hands on data frames after a close was sent, until the close completes: so they are cut off here. */
    private static void detach(WebSocket ws) {
        ws.exceptionHandler(e -> Log.debugf("Error on a retired feed connection: %s", e.toString()));
        if (ws.isClosed()) {
            return; // closing already: Vert.x refuses new handlers; the retired flag stops ours (see start)
        }
        ws.textMessageHandler(null);
        ws.binaryMessageHandler(null);
        ws.pongHandler(null);
        ws.closeHandler(null);
    }

    private void cancelTimers(Conn c) {
        vertx.cancelTimer(c.heartbeatTimer);
        vertx.cancelTimer(c.watchdogTimer);
        vertx.cancelTimer(c.switchTimer);
    }

    private void scheduleReconnect(boolean afterHealthyConnection) {
        if (stopping) {
            return;
        }
        if (afterHealthyConnection) {
            failedAttempts = 0;
        }
        long delay = backoff.delayMillis(failedAttempts++);
        reconnects.increment();
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    static WebSocketConnectOptions connectOptions(String url, String userAgent) {
        URI uri = URI.create(url);
        boolean ssl = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
                .setSsl(ssl)
                .addHeader("User-Agent", userAgent)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
    }
}
