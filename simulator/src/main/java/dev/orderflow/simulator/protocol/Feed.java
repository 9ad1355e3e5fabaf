package dev.orderflow.simulator.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Json;
import dev.orderflow.simulator.world.MarketState;
import dev.orderflow.simulator.world.Publisher;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;

/**
 * The hub between sources and connections: every frame goes through {@link #publish}, which lets the market state
 * see it, applies a pending {@code skip}, broadcasts it to the subscribed connections that are not silenced or stale and
 * keeps the per-channel bookkeeping ({@link ChannelLog}). Used on the server's event loop only.
 */
public final class Feed implements Publisher {
    private final Vertx vertx;
    private final MarketState market;
    private final int sentCapacity;
    private final long pingMillis;
    private final Map<String, ChannelLog> channels = new TreeMap<>();
    private final Set<Session> sessions = new LinkedHashSet<>();
    private final List<Runnable> onFirstSubscription = new ArrayList<>();
    private final Map<String, Rename> renames = new HashMap<>();
    private boolean anySubscription;
    private long malformedSent;
    /** Connections subscribing before this time land on a server {@link #behindBy} events behind. */
    private long behindUntilMillis;
    private int behindBy;

    /** The next {@code count} events of a channel go out with another event type. */
    private static final class Rename {
        final String type;
        int count;

        Rename(String type, int count) {
            this.type = type;
            this.count = count;
        }
    }

    public Feed(Vertx vertx, MarketState market, int sentCapacity, long pingMillis) {
        this.vertx = vertx;
        this.market = market;
        this.sentCapacity = sentCapacity;
        this.pingMillis = pingMillis;
    }

    /** Takes over an upgraded connection. */
    public void open(ServerWebSocket ws, HttpConnection connection) {
        Session session = new Session(vertx, this, ws, connection);
        sessions.add(session);
        session.start(pingMillis);
    }

    void unregister(Session session) {
        sessions.remove(session);
    }

    void subscribed(Session session, String channel) {
        if (System.currentTimeMillis() < behindUntilMillis && behindBy > 0) {
            // a server that far behind starts with the channel's last events, which the old one sent already
            ChannelLog log = channels.get(channel);
            if (log != null) {
                log.sentFrom(Math.max(1, log.sent() - behindBy + 1)).forEach(session::send);
            }
        }
        if (!anySubscription) {
            anySubscription = true;
            onFirstSubscription.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} once, when a client first subscribes to any channel. */
    public void whenFirstSubscribed(Runnable action) {
        if (anySubscription) {
            action.run();
        } else {
            onFirstSubscription.add(action);
        }
    }

    /** Makes a channel appear in the stats before its first frame. */
    public void declare(String channel) {
        log(channel);
    }

    @Override
    public void publish(String channel, JsonNode frame, String text) {
        JsonNode tree = frame != null ? frame : Json.parseOrNull(text);
        if (tree != null) {
            market.observe(channel, tree);
            Rename rename = renames.get(channel);
            if (rename != null && tree.isObject() && tree.hasNonNull("event")) {
                ObjectNode renamed = ((ObjectNode) tree).deepCopy();
                renamed.put("event", rename.type);
                tree = renamed;
                text = Json.text(renamed);
                if (--rename.count == 0) {
                    renames.remove(channel);
                }
            }
        }
        ChannelLog log = log(channel);
        if (!log.generated(tree)) {
            return;
        }
        boolean delivered = false;
        boolean withheld = false;
        for (Session s : sessions) {
            if (s.subscribedTo(channel) && !s.isClosed()) {
                if (s.withholdingData()) {
                    withheld = true;
                } else {
                    s.deliver(channel, text);
                    delivered = true;
                }
            }
        }
        log.sent(text, tree, delivered, withheld);
    }

    /** The open connections that are not silenced. */
    public List<Session> liveSessions() {
        return sessions.stream().filter(s -> !s.silenced() && !s.isClosed()).toList();
    }

    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** Sends bad frames (not channel events, not counted as sent) to every live connection. */
    public int sendMalformed(List<String> frames) {
        List<Session> live = liveSessions();
        for (Session s : live) {
            frames.forEach(s::send);
        }
        malformedSent += frames.size();
        return live.size();
    }

    /**
     * The next {@code count} events of {@code channel} go out as event type {@code type}, each keeping its place in
     * the chain and its data; the exchange's book (the simulator's truth) changes as the original event says.
     */
    public void renameNext(String channel, int count, String type) {
        renames.put(channel, new Rename(type, count));
    }

    /**
     * Connections subscribing in the next {@code millis} land on a server {@code events} events behind: after the
     * acknowledgement they get each channel's last {@code events} events again, then the live ones.
     */
    public void nextServerBehind(int events, long millis) {
        behindBy = events;
        behindUntilMillis = System.currentTimeMillis() + millis;
    }

    /** The open connections from now on get channel events {@code events} later: the next server is ahead. */
    public void holdBackOpen(int events) {
        behindUntilMillis = 0;
        liveSessions().forEach(s -> s.holdBack(events));
    }

    public void skipNext(String channel, int count) {
        log(channel).skipNext(count);
    }

    /** Every channel that has frames or was declared, sorted. */
    public Set<String> channelNames() {
        return new TreeSet<>(channels.keySet());
    }

    public ChannelLog channel(String channel) {
        return channels.get(channel);
    }

    /** {@code {"channels":{name:{"sent","last_event_id",…}},"connections":N,"malformed_sent":M}}. */
    public ObjectNode stats() {
        ObjectNode stats = Json.object();
        ObjectNode byChannel = stats.putObject("channels");
        channels.forEach((name, log) -> byChannel.set(name, log.stats()));
        stats.put("connections", sessions.size());
        stats.put("malformed_sent", malformedSent);
        return stats;
    }

    private ChannelLog log(String channel) {
        return channels.computeIfAbsent(channel, c -> new ChannelLog(c, sentCapacity));
    }
}
