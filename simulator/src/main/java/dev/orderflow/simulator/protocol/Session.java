package dev.orderflow.simulator.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;

/**
 * One client connection speaking Bitstamp's WebSocket API v2: {@code bts:subscribe}/{@code bts:unsubscribe} with
 * their acks, {@code bts:heartbeat} replies, {@code bts:error} for bad JSON, a bad subscription string or an invalid
 * channel, close 1009 for a client message over 512 bytes, at most 1,024 subscriptions, a ping every interval.
 * Any well-formed lowercase channel is acknowledged; one that carries no data then simply stays silent. A JSON object
 * with another {@code event} gets "Bad subscription string."; over-limit subscriptions get a {@code bts:error} of
 * the same shape (the exchange's wording for that case is not in our samples).
 */
public final class Session {
    static final int MAX_CLIENT_BYTES = 512;
    static final int MAX_SUBSCRIPTIONS = 1024;
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9_-]+");

    private final Vertx vertx;
    private final Feed feed;
    private final ServerWebSocket ws;
    private final HttpConnection connection;
    private final Set<String> channels = new LinkedHashSet<>();
    /** Channel events held back per channel: this connection is that many events behind the feed. */
    private final Map<String, ArrayDeque<String>> heldBack = new HashMap<>();
    private int holdBack;
    private long pingTimer = -1;
    private long silenceTimer = -1;
    private long staleTimer = -1;
    private boolean silenced;
    private boolean stale;
    private boolean closed;

    /** The client's {@code User-Agent} header ("" when it sent none): faults may pick one client's connections. */
    public String userAgent() {
        String agent = ws.headers().get("User-Agent");
        return agent == null ? "" : agent;
    }

    Session(Vertx vertx, Feed feed, ServerWebSocket ws, HttpConnection connection) {
        this.vertx = vertx;
        this.feed = feed;
        this.ws = ws;
        this.connection = connection;
    }

    void start(long pingMillis) {
        ws.textMessageHandler(text -> receive(text, text.getBytes(StandardCharsets.UTF_8).length));
        ws.binaryMessageHandler(data -> receive(data.toString(StandardCharsets.UTF_8), data.length()));
        ws.exceptionHandler(e -> { });
        ws.closeHandler(v -> closed());
        pingTimer = vertx.setPeriodic(pingMillis, id -> {
            if (!silenced && !closed) {
                ws.writePing(Buffer.buffer());
            }
        });
    }

    private void receive(String text, int bytes) {
        if (bytes > MAX_CLIENT_BYTES) {
            ws.close((short) 1009, "Message too big");
            return;
        }
        JsonNode message = Json.parseOrNull(text);
        if (message == null || !message.isObject()) {
            send(ControlFrames.error(ControlFrames.INCORRECT_JSON));
            return;
        }
        String event = message.path("event").asText("");
        switch (event) {
            case "bts:heartbeat" -> send(ControlFrames.HEARTBEAT);
            case "bts:subscribe", "bts:unsubscribe" -> {
                JsonNode channel = message.path("data").path("channel");
                if (!channel.isTextual()) {
                    send(ControlFrames.error(ControlFrames.BAD_SUBSCRIPTION));
                } else if (!CHANNEL.matcher(channel.asText()).matches()) {
                    send(ControlFrames.error(ControlFrames.INVALID_CHANNEL));
                } else if (event.equals("bts:subscribe")) {
                    subscribe(channel.asText());
                } else {
                    channels.remove(channel.asText());
                    send(ControlFrames.unsubscribed(channel.asText()));
                }
            }
            default -> send(ControlFrames.error(ControlFrames.BAD_SUBSCRIPTION));
        }
    }

    private void subscribe(String channel) {
        if (!channels.contains(channel) && channels.size() >= MAX_SUBSCRIPTIONS) {
            ws.close(); // as the exchange does: the connection closes, with no error frame before
            return;
        }
        channels.add(channel);
        send(ControlFrames.subscribed(channel));
        feed.subscribed(this, channel);
    }

    /**
     * From now on this connection gets each channel's events {@code events} later than the feed sends them, as a
     * server that far behind would (the one a reconnect leads to is then ahead of it).
     */
    void holdBack(int events) {
        holdBack = events;
    }

    /** A channel event: sent now, or after {@link #holdBack} more events of the channel. */
    void deliver(String channel, String text) {
        if (holdBack == 0) {
            send(text);
            return;
        }
        ArrayDeque<String> held = heldBack.computeIfAbsent(channel, c -> new ArrayDeque<>());
        held.addLast(text);
        while (held.size() > holdBack) {
            send(held.pollFirst());
        }
    }

    boolean subscribedTo(String channel) {
        return channels.contains(channel);
    }

    boolean silenced() {
        return silenced;
    }

    /** Channel events are not sent to this connection now (it is silenced or stale). */
    boolean withholdingData() {
        return silenced || stale;
    }

    boolean isClosed() {
        return closed;
    }

    /** Sends a text frame unless the connection is closed or silenced. */
    void send(String text) {
        if (!closed && !silenced) {
            ws.writeTextMessage(text);
        }
    }

    /** Half-open for {@code millis}: nothing sent, nothing read (so no pong, no heartbeat reply), then normal. */
    public void silence(long millis) {
        silenced = true;
        Sockets.stopReading(connection);
        if (silenceTimer >= 0) {
            vertx.cancelTimer(silenceTimer);
        }
        silenceTimer = vertx.setTimer(millis, id -> {
            silenceTimer = -1;
            silenced = false;
            if (!closed) {
                Sockets.resumeReading(connection);
            }
        });
    }

    /**
     * Stale for {@code millis}: the connection stays open and answers (pongs, heartbeat replies, subscription acks,
     * server pings go on) but gets no channel event, then normal.
     */
    public void stale(long millis) {
        stale = true;
        if (staleTimer >= 0) {
            vertx.cancelTimer(staleTimer);
        }
        staleTimer = vertx.setTimer(millis, id -> {
            staleTimer = -1;
            stale = false;
        });
    }

    /** Closes the TCP connection without a close frame. */
    public void drop() {
        Sockets.abort(connection);
    }

    /** Sends {@code bts:request_reconnect}, then closes normally after {@code millis}. */
    public void requestReconnect(long millis) {
        send(ControlFrames.REQUEST_RECONNECT);
        vertx.setTimer(millis, id -> {
            if (!closed) {
                ws.close();
            }
        });
    }

    private void closed() {
        closed = true;
        vertx.cancelTimer(pingTimer);
        if (silenceTimer >= 0) {
            vertx.cancelTimer(silenceTimer);
        }
        if (staleTimer >= 0) {
            vertx.cancelTimer(staleTimer);
        }
        feed.unregister(this);
    }
}
