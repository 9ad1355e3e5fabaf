package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.capture.Await;
import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.Frames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The transport's watchdogs against a real local WebSocket server that this test steers frame by frame: a stale
 * connection (pings and heartbeats answered, no data) is replaced, quiet channels beside a busy one are not, and a
 * connection declared dead hands nothing on to the protocol afterwards.
 */
@Timeout(60)
class FeedConnectionTest {
    private static final String LATE = "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id\":\"late\"}}";
    private static final String MARKER =
            "{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id\":\"marker\"}}";

    private static Vertx vertx;
    private HttpServer server;
    private final List<ServerConn> conns = new CopyOnWriteArrayList<>();
    /** The first connection stops reading once it acknowledged both subscriptions (goes half-open). */
    private volatile boolean firstGoesHalfOpen;
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private RecordingProtocol protocol;
    private RecordingSnapshots snapshots;
    private FeedConnection feed;

    /** One accepted connection, seen from the server. */
    private record ServerConn(ServerWebSocket ws, HttpConnection connection, long openedNanos) {
        void send(String text) {
            ws.writeTextMessage(text);
        }

        /** Stops reading: no pong, no heartbeat reply, and the client's close frame is not seen. */
        void stopReading() {
            ((ConnectionBase) connection).channel().config().setAutoRead(false);
        }

        void resumeReading() {
            ((ConnectionBase) connection).channel().config().setAutoRead(true);
            ((ConnectionBase) connection).channel().read();
        }
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(req -> req.toWebSocket().onSuccess(ws -> {
            ServerConn conn = new ServerConn(ws, req.connection(), System.nanoTime());
            AtomicInteger acks = new AtomicInteger();
            ws.exceptionHandler(e -> { });
            ws.textMessageHandler(text -> {
                if (text.contains("bts:subscribe")) {
                    String channel = text.replaceAll(".*\"channel\":\"([^\"]+)\".*", "$1");
                    ws.writeTextMessage("{\"event\":\"bts:subscription_succeeded\",\"channel\":\"" + channel
                            + "\",\"data\":{}}");
                    if (acks.incrementAndGet() == 2 && firstGoesHalfOpen && conns.indexOf(conn) == 0) {
                        conn.stopReading();
                    }
                } else if (text.contains("bts:heartbeat")) {
                    ws.writeTextMessage("{\"event\":\"bts:heartbeat\",\"channel\":\"\",\"data\":{\"status\":\"success\"}}");
                }
            });
            conns.add(conn);
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (feed != null) {
            feed.stop();
        }
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldReplaceAConnectionThatAnswersPingsAndHeartbeatsButDeliversNoData() {
        start(Map.of("capture.feed.data-timeout", "800ms", "capture.feed.heartbeat-interval", "100ms"));
        Await.until(Duration.ofSeconds(10), () -> conns.size() >= 2);

        long replacedAfterMs = (conns.get(1).openedNanos() - conns.get(0).openedNanos()) / 1_000_000;
        assertTrue(replacedAfterMs >= 800, "not before the data timeout: " + replacedAfterMs + " ms");
        assertTrue(replacedAfterMs < 800 + 3_000, "replaced after " + replacedAfterMs + " ms");
        assertEquals(1.0, registry.counter("capture.feed.stale").count(), 0.0);
        assertEquals(0.0, registry.counter("capture.feed.half.open").count(), 0.0);
        assertTrue(protocol.disconnects.get() >= 1, "the disconnect is recorded");
        assertTrue(protocol.frames.stream().anyMatch(f -> f.contains("\"bts:heartbeat\"")), "heartbeats answered");
    }

    @Test
    void shouldKeepAConnectionWhoseQuietChannelsSitBesideABusyOne() {
        // data every 100 ms against a timeout of 1.5 s (a stall of the test thread on a loaded machine is not a
        // stale feed), for three times the timeout
        start(Map.of("capture.feed.data-timeout", "1500ms"));
        Await.until(Duration.ofSeconds(10), () -> conns.size() == 1 && feed.capturing());
        long until = System.nanoTime() + Duration.ofMillis(4_500).toNanos();
        int sent = 0;
        while (System.nanoTime() < until) {
            // Only live_trades_btcusd carries data; live_orders_btcusd stays quiet all along.
            conns.get(0).send("{\"event\":\"trade\",\"channel\":\"live_trades_btcusd\",\"data\":{\"id\":\"" + sent++
                    + "\"}}");
            Await.sleep(100);
        }
        assertEquals(1, conns.size(), "no second connection");
        assertEquals(0.0, registry.counter("capture.feed.stale").count(), 0.0);
        assertEquals(0, protocol.disconnects.get());
    }

    @Test
    void shouldDoubleTheDataTimeoutWhileNoConnectionDeliversDataAndResetItOnData() {
        start(Map.of("capture.feed.data-timeout", "300ms", "capture.feed.data-timeout-max", "4800ms"));
        Await.until(Duration.ofSeconds(20), () -> conns.size() >= 4);
        // Each replacement waits at least the doubled timeout: 300, 600, then 1200 ms (then 2400 and 4800 ms).
        long[] minimum = {300, 600, 1200};
        for (int i = 0; i < 3; i++) {
            long gapMs = (conns.get(i + 1).openedNanos() - conns.get(i).openedNanos()) / 1_000_000;
            assertTrue(gapMs >= minimum[i], "connection " + (i + 2) + " after " + gapMs + " ms");
        }
        // A data frame brings the timeout back to 300 ms.
        int before = conns.size();
        ServerConn current = conns.get(before - 1);
        current.send(MARKER);
        Await.until(Duration.ofSeconds(5), () -> protocol.frames.contains(MARKER));
        long dataAt = System.nanoTime();
        Await.until(Duration.ofSeconds(10), () -> conns.size() > before);
        long replacedAfterMs = (conns.get(before).openedNanos() - dataAt) / 1_000_000;
        // without the reset it would wait 2400 ms at least
        assertTrue(replacedAfterMs < 2_400, "back to the base timeout after data: " + replacedAfterMs + " ms");
    }

    @Test
    void shouldHandNothingOnFromAConnectionDeclaredHalfOpen() {
        firstGoesHalfOpen = true;
        start(Map.of("capture.feed.silence-timeout", "600ms"));
        Await.until(Duration.ofSeconds(10), () -> protocol.disconnects.get() == 1);
        ServerConn old = conns.get(0);

        // The half-open connection wakes up: a frame arrives before the client's close frame is read.
        old.send(LATE);
        old.resumeReading();
        Await.until(Duration.ofSeconds(10), () -> old.ws().isClosed() && conns.size() >= 2);
        conns.get(conns.size() - 1).send(MARKER);
        Await.until(Duration.ofSeconds(10), () -> protocol.frames.contains(MARKER));

        assertFalse(protocol.frames.contains(LATE), "a frame of the dead connection reached the protocol");
        assertEquals(1.0, registry.counter("capture.feed.half.open").count(), 0.0);
    }

    @Test
    void shouldHandNothingOnFromTheOldConnectionAfterAMakeBeforeBreakSwitch() {
        start(Map.of("capture.feed.silence-timeout", "10s", "capture.feed.overlap-timeout", "300ms"));
        Await.until(Duration.ofSeconds(10), () -> snapshots.reasons.size() == 1);
        ServerConn old = conns.get(0);
        old.send("{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":\"\"}");
        old.stopReading();
        Await.until(Duration.ofSeconds(10), () -> snapshots.reasons.size() == 2); // the new connection took over
        // no event joins the chains here: the old connection is read until the overlap times out
        Await.until(Duration.ofSeconds(10), () -> protocol.overlapsEnded.get() == 1);

        old.send(LATE);
        old.resumeReading();
        Await.until(Duration.ofSeconds(10), old.ws()::isClosed);
        conns.get(1).send(MARKER);
        Await.until(Duration.ofSeconds(10), () -> protocol.frames.contains(MARKER));

        assertFalse(protocol.frames.contains(LATE), "a frame of the replaced connection reached the protocol");
        assertEquals(2, conns.size());
        assertEquals(0, protocol.disconnects.get(), "a switch is no disconnect");
    }

    @Test
    void shouldHandNothingOnOnceStoppedAndRecordTheDisconnectItself() {
        start(Map.of());
        Await.until(Duration.ofSeconds(10), () -> snapshots.reasons.size() == 1);
        ServerConn conn = conns.get(0);
        conn.stopReading(); // the client's close frame is not read yet: the server goes on sending

        feed.stop();
        feed = null;
        conn.send(LATE);
        conn.resumeReading();
        Await.until(Duration.ofSeconds(10), conn.ws()::isClosed);

        assertFalse(protocol.frames.contains(LATE), "a frame sent after the stop began reached the protocol");
        assertEquals(1, protocol.disconnects.get());
    }

    private void start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(
                "capture.feed.url", "ws://127.0.0.1:" + server.actualPort(),
                "capture.feed.pairs", "btcusd",
                "capture.feed.ping-interval", "100ms",
                "capture.feed.silence-timeout", "5s",
                "capture.feed.reconnect-min-backoff", "50ms",
                "capture.feed.reconnect-max-backoff", "200ms",
                "capture.snapshot.interval", "0s"));
        all.putAll(settings);
        CaptureConfig config = new SmallRyeConfigBuilder()
                .withMapping(CaptureConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .build()
                .getConfigMapping(CaptureConfig.class);
        protocol = new RecordingProtocol(registry);
        snapshots = new RecordingSnapshots(config, registry);
        feed = new FeedConnection(vertx, config, protocol, new TradingPairs(vertx, config), snapshots, registry);
        feed.start();
    }

    /** Records what reaches the protocol; events are data, acks subscribe, as the real protocol answers. */
    private static final class RecordingProtocol extends BitstampProtocol {
        final List<String> frames = new CopyOnWriteArrayList<>();
        final AtomicInteger disconnects = new AtomicInteger();
        final AtomicInteger overlapsEnded = new AtomicInteger();

        RecordingProtocol(MeterRegistry registry) {
            super(null, null, null, new dev.orderflow.capture.WatermarkClock(), registry);
        }

        @Override
        public Reaction onFrame(String text, long receivedMicros, boolean fromNewConnection) {
            frames.add(text);
            try {
                return switch (Frames.parse(text).path("event").asText("")) {
                    case "order_created", "order_changed", "order_deleted", "trade" -> Reaction.DATA;
                    case "bts:subscription_succeeded" -> Reaction.SUBSCRIBED;
                    case "bts:request_reconnect" -> Reaction.RECONNECT;
                    default -> Reaction.NONE;
                };
            } catch (IOException e) {
                return Reaction.NONE;
            }
        }

        @Override
        public void disconnected(long nowMicros, long receivingUntilMicros) {
            disconnects.incrementAndGet();
        }

        @Override
        public void endOverlap() {
            overlapsEnded.incrementAndGet();
        }

        @Override
        public boolean allSubscribed() {
            return true;
        }
    }

    /** Records the snapshots asked for instead of fetching them. */
    private static final class RecordingSnapshots extends Snapshots {
        final List<String> reasons = new CopyOnWriteArrayList<>();

        RecordingSnapshots(CaptureConfig config, MeterRegistry registry) {
            super(config, null, null, registry);
        }

        @Override
        public void fetch(List<String> pairs, String reason) {
            reasons.add(reason);
        }
    }
}
