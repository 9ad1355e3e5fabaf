package dev.orderflow.capture.feed;

import java.net.URI;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The one WebSocket connection to the exchange: connects, subscribes, sends heartbeats and reconnects with
 * exponential backoff and jitter, then subscribes again. Every text frame is handed, with the time it was read,
 * to {@link BitstampProtocol#onFrame}. All state lives on one Vert.x event-loop context.
 */
@ApplicationScoped
public class FeedConnection {
    private final Vertx vertx;
    private final CaptureConfig.Feed config;
    private final BitstampProtocol protocol;
    private final TradingPairs tradingPairs;
    private final Backoff backoff;
    private final Counter reconnects;

    private Context context;
    private WebSocketClient client;
    private List<String> pairs;
    private WebSocket socket;
    private int failedAttempts;
    private boolean reconnectAtOnce;
    private long heartbeatTimer = -1;
    private long reconnectTimer = -1;
    private volatile boolean connected;
    private volatile boolean stopping;

    public FeedConnection(Vertx vertx, CaptureConfig config, BitstampProtocol protocol, TradingPairs tradingPairs,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config.feed();
        this.protocol = protocol;
        this.tradingPairs = tradingPairs;
        this.backoff = new Backoff(this.config.reconnectMinBackoff(), this.config.reconnectMaxBackoff());
        this.reconnects = Counter.builder("capture.reconnects")
                .description("Connection attempts after the first (lost connection, failed attempt, exchange request)")
                .register(registry);
    }

    public void start() {
        client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setConnectTimeout(10_000)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20));
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> connect());
    }

    /** Closes the connection and stops reconnecting; returns once closed (or after a few seconds). */
    public void stop() {
        stopping = true;
        if (context == null) {
            return;
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        context.runOnContext(v -> {
            vertx.cancelTimer(reconnectTimer);
            vertx.cancelTimer(heartbeatTimer);
            if (socket == null) {
                closed.complete(null);
            } else {
                socket.close().onComplete(done -> closed.complete(null));
            }
        });
        try {
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
                    return client.connect(connectOptions(config.url()));
                })
                .onComplete(attempt -> {
                    if (attempt.failed()) {
                        Log.warnf("Connecting to %s failed: %s", config.url(), attempt.cause().toString());
                        scheduleReconnect();
                    } else if (stopping) {
                        attempt.result().close();
                    } else {
                        opened(attempt.result());
                    }
                });
    }

    private void opened(WebSocket ws) {
        socket = ws;
        connected = true;
        ws.textMessageHandler(text -> onText(ws, text));
        ws.binaryMessageHandler(bytes -> protocol.onBinary(bytes.getBytes(), Clock.nowMicros()));
        ws.exceptionHandler(e -> Log.warnf("Feed connection error: %s", e.toString()));
        ws.closeHandler(v -> closed(ws));
        List<String> subscribe = protocol.subscribeFrames(pairs);
        subscribe.forEach(ws::writeTextMessage);
        heartbeatTimer = vertx.setPeriodic(config.heartbeatInterval().toMillis(),
                id -> ws.writeTextMessage(BitstampProtocol.HEARTBEAT));
        Log.infof("Connected to %s; subscribing to %d channels", config.url(), subscribe.size());
    }

    private void onText(WebSocket ws, String text) {
        if (protocol.onFrame(text, Clock.nowMicros()) == BitstampProtocol.Reaction.RECONNECT && ws == socket) {
            reconnectAtOnce = true;
            ws.close();
        } else if (failedAttempts > 0 && protocol.allSubscribed()) {
            failedAttempts = 0;
        }
    }

    private void closed(WebSocket ws) {
        if (ws != socket) {
            return;
        }
        socket = null;
        connected = false;
        protocol.disconnected();
        vertx.cancelTimer(heartbeatTimer);
        if (!stopping) {
            Log.warnf("Feed connection closed (%s %s); reconnecting", ws.closeStatusCode(), ws.closeReason());
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (stopping) {
            return;
        }
        long delay = reconnectAtOnce ? 1 : backoff.delayMillis(failedAttempts++);
        reconnectAtOnce = false;
        reconnects.increment();
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    static WebSocketConnectOptions connectOptions(String url) {
        URI uri = URI.create(url);
        boolean ssl = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
                .setSsl(ssl)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
    }
}
