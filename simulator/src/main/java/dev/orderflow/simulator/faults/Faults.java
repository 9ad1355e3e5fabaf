package dev.orderflow.simulator.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.protocol.Feed;
import dev.orderflow.simulator.protocol.Session;
import dev.orderflow.simulator.world.Json;
import dev.orderflow.simulator.world.MarketState;

/**
 * The faults of {@code POST /sim/faults/{fault}}. Each returns what it did, as JSON; times are wall-clock
 * µs. They act on the connections open at the moment (new connections are normal) except {@code refuse}, which acts
 * on new ones, and {@code skip}, which acts on a channel. {@code client} (may be {@code null}: every client) limits
 * {@code drop}, {@code silence}, {@code stale}, {@code request-reconnect} and {@code refuse} to the connections
 * whose {@code User-Agent} contains it: one capture host of several.
 */
public final class Faults {
    /** Size of the {@code huge} malformed frame: over the usual 64 KiB frame limit, under a 256 KiB message limit. */
    static final int HUGE_FRAME_CHARS = 200_000;
    private static final List<String> KINDS = List.of("broken_json", "unknown_event", "wrong_types", "huge",
            "missing_fields");

    private final Feed feed;
    private final MarketState market;
    private long refuseUntilMillis;
    private String refuseClient;

    public Faults(Feed feed, MarketState market) {
        this.feed = feed;
        this.market = market;
    }

    /** Whether new WebSocket connections are refused now (of any client). */
    public boolean refusing() {
        return System.currentTimeMillis() < refuseUntilMillis;
    }

    /** Whether a new WebSocket connection of the client with this {@code User-Agent} is refused now. */
    public boolean refusing(String userAgent) {
        return refusing() && matches(userAgent == null ? "" : userAgent, refuseClient);
    }

    private static boolean matches(String userAgent, String client) {
        return client == null || client.isEmpty() || userAgent.contains(client);
    }

    private static List<Session> of(List<Session> sessions, String client) {
        return sessions.stream().filter(s -> matches(s.userAgent(), client)).toList();
    }

    /** Closes every connection's TCP socket at once, without a WebSocket close frame. */
    public ObjectNode drop(String client) {
        List<Session> sessions = of(feed.sessions(), client);
        sessions.forEach(Session::drop);
        ObjectNode r = answer("drop");
        r.put("connections", sessions.size());
        r.put("at_micros", nowMicros());
        return r;
    }

    /**
     * Every open connection goes half-open for {@code seconds}: the server sends nothing (no frames, pings or
     * replies) and reads nothing (so client pings get no pong). Generation goes on; those frames count as sent and
     * withheld.
     */
    public ObjectNode silence(double seconds, String client) {
        List<Session> sessions = of(feed.liveSessions(), client);
        long millis = Math.round(seconds * 1000);
        sessions.forEach(s -> s.silence(millis));
        ObjectNode r = answer("silence");
        r.put("seconds", seconds);
        r.put("connections", sessions.size());
        long from = nowMicros();
        r.put("from_micros", from);
        r.put("until_micros", from + millis * 1000);
        return r;
    }

    /**
     * Every open connection goes stale for {@code seconds}: it stays open and keeps answering (pongs to client pings,
     * {@code bts:heartbeat} replies, subscription acks; the server's own pings go on) but gets no channel event.
     * Generation goes on; those frames count as sent and withheld. Unlike {@code silence}, a client's ping or heartbeat
     * watchdog sees nothing wrong: only a client that watches for data notices.
     */
    public ObjectNode stale(double seconds, String client) {
        List<Session> sessions = of(feed.liveSessions(), client);
        long millis = Math.round(seconds * 1000);
        sessions.forEach(s -> s.stale(millis));
        ObjectNode r = answer("stale");
        r.put("seconds", seconds);
        r.put("connections", sessions.size());
        long from = nowMicros();
        r.put("from_micros", from);
        r.put("until_micros", from + millis * 1000);
        return r;
    }

    /**
     * Sends {@code bts:request_reconnect} on every open connection, closes them {@code seconds} later. The server a
     * client reconnects to may not be in step with the old one: {@code offset > 0} makes it that many events ahead
     * (the open connections get every channel event that much later from now on, so events they still owe are
     * lost when they close), {@code offset < 0} that many behind (a connection subscribing before the old ones
     * close gets each channel's last events again first, and stays that far behind).
     */
    public ObjectNode requestReconnect(double seconds, int offset, String client) {
        List<Session> sessions = of(feed.liveSessions(), client);
        long millis = Math.round(seconds * 1000);
        if (offset > 0) {
            feed.holdBackOpen(offset);
        } else if (offset < 0) {
            feed.nextServerBehind(-offset, millis);
        }
        sessions.forEach(s -> s.requestReconnect(millis));
        ObjectNode r = answer("request-reconnect");
        r.put("connections", sessions.size());
        r.put("close_after_seconds", seconds);
        r.put("next_server_ahead_by", offset);
        return r;
    }

    /**
     * The next {@code count} events of {@code channel} go out with the event type {@code type}, one the client does
     * not know: in the chain, with the data of the event they stand for (the exchange's book changes as that says).
     */
    public ObjectNode unknownEvent(String channel, int count, String type) {
        feed.renameNext(channel, count, type);
        ObjectNode r = answer("unknown-event");
        r.put("channel", channel);
        r.put("count", count);
        r.put("type", type);
        return r;
    }

    /**
     * For {@code seconds}, REST books take no event: every {@code order_book} answer, whatever its URL, is older than
     * the stream by up to that long (and stamped so).
     */
    public ObjectNode bookBehind(double seconds) {
        long millis = Math.round(seconds * 1000);
        market.holdRestBooks(millis);
        ObjectNode r = answer("book-behind");
        r.put("seconds", seconds);
        r.put("from_micros", nowMicros());
        r.put("until_micros", nowMicros() + millis * 1000);
        return r;
    }

    /**
     * Sends {@code count} bad frames to every live connection, cycling through: broken JSON, an unknown event, wrong
     * field types, a huge frame ({@value #HUGE_FRAME_CHARS} characters) and missing fields. They are not channel
     * events: not counted as sent, not in {@code /sim/sent}.
     */
    public ObjectNode malformed(int count, String channel) {
        List<String> frames = new ArrayList<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String kind = KINDS.get(i % KINDS.size());
            frames.add(badFrame(kind, channel, i));
            kinds.merge(kind, 1, Integer::sum);
        }
        int connections = feed.sendMalformed(frames);
        ObjectNode r = answer("malformed");
        r.put("count", count);
        r.put("channel", channel);
        r.put("connections", connections);
        ObjectNode byKind = r.putObject("kinds");
        kinds.forEach(byKind::put);
        return r;
    }

    /** The next {@code count} frames of {@code channel} are generated but sent to nobody. */
    public ObjectNode skip(String channel, int count) {
        feed.skipNext(channel, count);
        ObjectNode r = answer("skip");
        r.put("channel", channel);
        r.put("count", count);
        return r;
    }

    /** New WebSocket connections are refused (HTTP 503 to the upgrade) for {@code seconds}. */
    public ObjectNode refuse(double seconds, String client) {
        long now = System.currentTimeMillis();
        refuseUntilMillis = now + Math.round(seconds * 1000);
        refuseClient = client;
        ObjectNode r = answer("refuse");
        r.put("seconds", seconds);
        r.put("until_micros", refuseUntilMillis * 1000);
        return r;
    }

    private static String badFrame(String kind, String channel, int i) {
        String id = Long.toString(2_000_000_000_000_000L + i);
        return switch (kind) {
            case "broken_json" -> "{\"data\":{\"id\":" + id + ",\"id_str\":\"" + id + "\",\"order_type\":0,\"price\":";
            case "unknown_event" -> "{\"data\":{\"id\":" + id + ",\"id_str\":\"" + id + "\"},\"channel\":\""
                    + channel + "\",\"event\":\"order_teleported\"}";
            case "wrong_types" -> "{\"data\":{\"id\":\"abc\",\"id_str\":" + id + ",\"order_type\":\"buy\","
                    + "\"datetime\":[],\"microtimestamp\":{\"us\":1},\"amount\":\"lots\",\"amount_str\":0.5,"
                    + "\"price\":true,\"price_str\":null},\"channel\":\"" + channel
                    + "\",\"event\":\"order_created\",\"event_id\":42,\"pre_event_id\":false}";
            case "huge" -> "{\"data\":{\"id_str\":\"" + id + "\",\"padding\":\"" + "x".repeat(HUGE_FRAME_CHARS)
                    + "\"},\"channel\":\"" + channel + "\",\"event\":\"order_created\"}";
            default -> "{\"data\":{\"id_str\":\"" + id + "\"},\"channel\":\"" + channel
                    + "\",\"event\":\"order_deleted\"}";
        };
    }

    private static ObjectNode answer(String fault) {
        ObjectNode r = Json.object();
        r.put("fault", fault);
        return r;
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }
}
