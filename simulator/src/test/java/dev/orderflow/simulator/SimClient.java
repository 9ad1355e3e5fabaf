package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/** A real Vert.x WebSocket client for tests: collects every text message and how the connection ended. */
final class SimClient implements AutoCloseable {
    final WebSocket ws;
    final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    private SimClient(WebSocket ws) {
        this.ws = ws;
        ws.textMessageHandler(messages::add);
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
        ws.exceptionHandler(e -> { });
    }

    static SimClient connect(Vertx vertx, int port) throws Exception {
        return new SimClient(connectRaw(vertx, port).get(10, TimeUnit.SECONDS));
    }

    /** A client that says who it is in its {@code User-Agent} (faults may pick one client). */
    static SimClient connect(Vertx vertx, int port, String userAgent) throws Exception {
        return new SimClient(connectRaw(vertx, port, userAgent).get(10, TimeUnit.SECONDS));
    }

    static CompletableFuture<WebSocket> connectRaw(Vertx vertx, int port) {
        return connectRaw(vertx, port, null);
    }

    static CompletableFuture<WebSocket> connectRaw(Vertx vertx, int port, String userAgent) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/");
        if (userAgent != null) {
            options.addHeader("User-Agent", userAgent);
        }
        return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20))
                .connect(options).toCompletionStage().toCompletableFuture();
    }

    void send(String text) {
        ws.writeTextMessage(text);
    }

    /** Subscribes and waits for the ack. */
    void subscribe(String channel) throws InterruptedException {
        send("{\"event\":\"bts:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
        String ack = next(5000);
        assertEquals("{\"event\":\"bts:subscription_succeeded\",\"channel\":\"" + channel + "\",\"data\":{}}", ack);
    }

    /** The next message, failing the test after {@code millis}. */
    String next(long millis) throws InterruptedException {
        String m = messages.poll(millis, TimeUnit.MILLISECONDS);
        assertNotNull(m, "no message within " + millis + " ms");
        return m;
    }

    /** The next message, or null when none comes within {@code millis}. */
    String poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Collects messages until {@code done} holds for the list, failing after {@code millis}. */
    List<String> collect(Predicate<List<String>> done, long millis) throws InterruptedException {
        List<String> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        while (!done.test(out)) {
            long left = deadline - System.currentTimeMillis();
            String m = left > 0 ? messages.poll(left, TimeUnit.MILLISECONDS) : null;
            if (m == null) {
                fail("gave up after " + millis + " ms with " + out.size() + " messages");
            }
            out.add(m);
        }
        return out;
    }

    /** Collects exactly {@code count} messages of {@code channel} (ignoring others). */
    List<String> collectChannel(String channel, int count, long millis) throws InterruptedException {
        List<String> out = new ArrayList<>();
        collect(all -> {
            if (!all.isEmpty()) {
                String last = all.get(all.size() - 1);
                JsonNode n = Json.parseOrNull(last);
                if (n != null && channel.equals(n.path("channel").asText())) {
                    out.add(last);
                }
            }
            return out.size() >= count;
        }, millis);
        return out;
    }

    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close();
        }
    }
}
