package dev.orderflow.capture.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.Clock;
import dev.orderflow.capture.WatermarkClock;
import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.journal.Records;
import dev.orderflow.capture.store.Intake;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Bitstamp's WebSocket API v2 as the capture uses it: the subscribe frames, and the protocol step of the capture's
 * one way through (transport, protocol, journal, windows, writer). Each received frame is classified once, by a
 * switch on its {@code event}: an event (checked for continuity, which may add a gap record), a control frame
 * (subscription state), or a bad frame (counted, logged at a limited rate). Events, gap records and bad frames
 * all leave through {@link Intake}, which journals them before anything else sees them.
 */
@ApplicationScoped
public class BitstampProtocol {
    /** What the transport should do after a frame. */
    public enum Reaction {
        NONE,
        /** The exchange asked for a reconnect ({@code bts:request_reconnect}). */
        RECONNECT,
        /** A channel's subscription was acknowledged. */
        SUBSCRIBED,
        /** An event of a subscribed channel (kept, or dropped as a duplicate): the feed delivers data. */
        DATA
    }

    public static final String HEARTBEAT = "{\"event\":\"bts:heartbeat\"}";
    private static final Set<String> EVENTS = Set.of("order_created", "order_changed", "order_deleted", "trade");
    /** Distinct unknown event types named in the log (each once); beyond it they are only counted. */
    private static final int UNKNOWN_TYPES_LOGGED = 100;

    private final Intake intake;
    private final WatermarkClock clock;
    private final BadFrames badFrames;
    private final Continuity continuity;
    private final MeterRegistry registry;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    /** The requested channels of each kind (looked up on every frame of a switch). */
    private volatile Map<Channel, Set<Channel.WireChannel>> requestedByKind = Map.of();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Map<Channel.WireChannel, Counter> received = new ConcurrentHashMap<>();
    private final Map<Channel, Counter> unknown = new ConcurrentHashMap<>();
    private final Counter duplicates;
    private final Set<String> unknownTypesSeen = ConcurrentHashMap.newKeySet();
    private final Overlap overlap = new Overlap();
    private final TradeEvidence tradeEvidence;
    private volatile long lastHeartbeatMicros;

    public BitstampProtocol(Intake intake, BadFrames badFrames, Continuity continuity, WatermarkClock clock,
            MeterRegistry registry) {
        this.intake = intake;
        this.clock = clock;
        this.badFrames = badFrames;
        this.continuity = continuity;
        this.registry = registry;
        this.tradeEvidence = new TradeEvidence((pair, from, to) ->
                continuity.tradesUnmet(new Channel.WireChannel(Channel.TRADES, pair), from, to));
        this.duplicates = Counter.builder("capture.events.duplicate")
                .description("Events received twice (the overlap of a make-before-break switch), kept once")
                .register(registry);
    }

    /** The subscribe frames for both channels of every pair; starts a new connection's subscription state. */
    public List<String> subscribeFrames(List<String> pairs) {
        requested.clear();
        subscribed.clear();
        List<String> frames = new ArrayList<>();
        Map<Channel, Set<Channel.WireChannel>> byKind = new java.util.EnumMap<>(Channel.class);
        for (String pair : pairs) {
            for (Channel channel : Channel.values()) {
                String wire = channel.wireName(pair);
                requested.add(wire);
                byKind.computeIfAbsent(channel, k -> new java.util.HashSet<>())
                        .add(new Channel.WireChannel(channel, pair));
                ObjectNode frame = Frames.MAPPER.createObjectNode().put("event", "bts:subscribe");
                frame.putObject("data").put("channel", wire);
                frames.add(Frames.toJson(frame));
            }
        }
        byKind.replaceAll((k, v) -> Set.copyOf(v));
        requestedByKind = Map.copyOf(byKind);
        return frames;
    }

    /**
     * The connection is gone: nothing is subscribed any more; every channel is in a disconnect window. Its last sign
     * of life came at {@code receivingUntilMicros}: events stamped before were all received.
     */
    public void disconnected(long nowMicros, long receivingUntilMicros) {
        endOverlap(); // before the channels go down: their disconnect records start at the last event taken
        tradeEvidence.checkAll();
        subscribed.clear();
        continuity.down(requested, nowMicros, receivingUntilMicros);
    }

    /** The channels subscribe frames were made for. */
    public Set<String> requestedChannels() {
        return Set.copyOf(requested);
    }

    /** True when every requested channel has been acknowledged on the current connection. */
    public boolean allSubscribed() {
        return !requested.isEmpty() && subscribed.containsAll(requested);
    }

    public Set<String> subscribedChannels() {
        return Set.copyOf(subscribed);
    }

    public long lastHeartbeatMicros() {
        return lastHeartbeatMicros;
    }

    /** Every text frame received goes through here, on the event loop, once. */
    public Reaction onFrame(String text, long receivedMicros) {
        return onFrame(text, receivedMicros, false);
    }

    /**
     * A make-before-break switch began: frames of both connections come, the new one's marked
     * {@code fromNewConnection}; {@code live_orders} events are taken in chain order until {@link #endOverlap}.
     */
    public void beginOverlap() {
        overlap.begin();
        tradeEvidence.hold();
    }

    /** Whether the old connection of a switch has nothing left to add (see {@link Overlap}). */
    public boolean overlapJoined() {
        return overlap.joined(requested(Channel.ORDERS), requested(Channel.TRADES));
    }

    private Set<Channel.WireChannel> requested(Channel channel) {
        return requestedByKind.getOrDefault(channel, Set.of());
    }

    /**
     * The switch is over (the old connection went, or the new one failed, or both): events still waiting for the
     * ones they follow are taken, in time order, and a trades channel whose connections did not meet gets a record
     * of the fills on its pair's {@code live_orders} that no trade matched, once those orders have moved on a little
     * ({@link Overlap}, {@link TradeEvidence}).
     * When the old connection stays, it may still pay what it owes, as late events; the record stays, as a
     * disconnect record stays when a server behind fills its window.
     */
    public void endOverlap() {
        if (overlap.active()) {
            overlap.end().forEach(this::take); // their fills count in the trades' evidence
            tradeEvidence.switchEnded(overlap.unmetPairs(requested(Channel.TRADES)));
        }
    }

    /** As {@link #onFrame(String, long)}, from the new connection of a make-before-break switch when so marked. */
    public Reaction onFrame(String text, long receivedMicros, boolean fromNewConnection) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8); // as journaled, and parsed as the writer parses it
        ObjectNode frame;
        try {
            frame = Frames.parse(utf8);
        } catch (IOException | RuntimeException e) {
            badFrames.keep(text, receivedMicros, "invalid_json");
            return Reaction.NONE;
        }
        String event = frame.path("event").asText("");
        switch (event) {
            case "order_created", "order_changed", "order_deleted", "trade" -> {
                return onEvent(text, utf8, frame, event, receivedMicros, fromNewConnection) ? Reaction.DATA
                        : Reaction.NONE;
            }
            case "bts:subscription_succeeded" -> {
                onSubscribed(frame.path("channel").asText(""), receivedMicros);
                intake.control(text, receivedMicros);
                return Reaction.SUBSCRIBED;
            }
            case "bts:heartbeat" -> lastHeartbeatMicros = receivedMicros;
            case "bts:error" -> Log.warnf("The exchange answered with an error: %s", text);
            case "bts:request_reconnect" -> {
                Log.info("The exchange asked for a reconnect");
                return Reaction.RECONNECT;
            }
            default -> {
                if (!event.isEmpty() && !event.startsWith("bts:") && requested.contains(frame.path("channel").asText(""))) {
                    // an event type we do not know, on a channel we follow: an event all the same
                    return onEvent(text, utf8, frame, event, receivedMicros, fromNewConnection) ? Reaction.DATA
                            : Reaction.NONE;
                }
                badFrames.keep(text, receivedMicros, "unknown_event");
            }
        }
        return Reaction.NONE;
    }

    /**
     * A record of an earlier run, seen as the journal opens: what each channel captured last, so that the time the
     * process was not running becomes a disconnect record.
     */
    public void scan(Journal.Entry entry) {
        switch (entry.type()) {
            case Journal.EVENT -> {
                Records.Event e = Records.event(entry.payload());
                Channel.parseWire(e.wireChannel()).ifPresent(c -> continuity.seen(c, e.microtimestamp()));
            }
            case Journal.CONTROL, Journal.FRAME -> {
                try {
                    ObjectNode frame = Frames.parse(entry.payload());
                    Optional<Channel.WireChannel> channel = Channel.parseWire(frame.path("channel").asText(""));
                    if (frame.path("event").asText("").equals("bts:subscription_succeeded")) {
                        channel.ifPresent(c -> continuity.subscribedAt(c, entry.receivedMicros()));
                    } else if (EVENTS.contains(frame.path("event").asText("")) && channel.isPresent()) {
                        long micros = Frames.microtimestamp(frame);
                        if (micros > 0) {
                            continuity.seen(channel.get(), micros);
                        }
                    }
                } catch (IOException | RuntimeException unreadable) {
                    // the window step keeps it aside as a bad frame
                }
            }
            case Journal.UNREADABLE -> continuity.unreadable(entry.receivedMicros());
            default -> {
                // gap records and bad frames say nothing about where a channel stopped
            }
        }
    }

    /**
     * After the journal was scanned: the time the process was not running is a disconnect window of every channel an
     * earlier run captured; for the {@code configured} channels it starts where the catalog says the table ends
     * ({@link #storedUpTo}, once it answers).
     */
    public void restarted(Collection<Channel.WireChannel> configured) {
        continuity.restarted(Clock.nowMicros(), configured);
    }

    /** The time windows and watermarks go by ({@link WatermarkClock}): what a disconnection's times are read from. */
    public long clockMicros() {
        return clock.nowMicros();
    }

    /** The catalog's end of a channel's stored range (empty: none), read after a restart. */
    public void storedUpTo(Channel.WireChannel channel, java.util.OptionalLong lastMicros, Long confirmedUntilMicros) {
        continuity.storedUpTo(channel, lastMicros, confirmedUntilMicros);
    }

    /** Per channel, the time from which it is not known complete (see {@link Continuity#openGaps}). */
    public Map<dev.orderflow.capture.store.Windows.Stream, Long> openGaps() {
        return continuity.openGaps();
    }

    /** A binary message: the exchange sends none, so it is kept aside (base64). */
    public void onBinary(byte[] bytes, long receivedMicros) {
        badFrames.keep(Base64.getEncoder().encodeToString(bytes), receivedMicros, "binary");
    }

    /**
     * False for a bad frame. An event type the capture does not know ({@code order_replaced}, a new feature) is an
     * event like the others on its channel: stored with its type, its chain kept, counted and named in the log.
     */
    private boolean onEvent(String text, byte[] utf8, ObjectNode frame, String event, long receivedMicros,
            boolean fromNew) {
        String wire = frame.path("channel").asText("");
        boolean known = EVENTS.contains(event);
        Optional<Channel.WireChannel> channel = Channel.parseWire(wire)
                .filter(c -> requested.contains(wire))
                .filter(c -> !known || (c.channel() == Channel.TRADES) == event.equals("trade"));
        if (channel.isEmpty()) {
            badFrames.keep(text, receivedMicros, "unknown_channel");
            return false;
        }
        CapturedEvent captured;
        try {
            captured = EventAdapter.toEvent(frame, receivedMicros);
        } catch (EventAdapter.BadFrame bad) {
            badFrames.keep(text, receivedMicros, bad.reason);
            return false;
        }
        Channel.WireChannel c = channel.get();
        if (!known) {
            countUnknown(c, event);
        }
        Overlap.Parked arrived = new Overlap.Parked(c, utf8, frame, event, captured.microtimestamp(), receivedMicros,
                eventId(frame));
        if (overlap.active() && c.channel() == Channel.ORDERS) {
            if (fromNew) {
                overlap.sawOnNew(c);
            }
            String id = arrived.eventId();
            String pre = text(frame.get("pre_event_id"));
            String last = continuity.lastId(c);
            if (id != null && overlap.isParked(c, id)) {
                duplicates.increment();
                return true;
            }
            if (id != null && pre != null && last != null && !pre.equals(last) && !continuity.recentlySeen(c, id)
                    && !continuity.down(c) && !continuity.late(c, frame, arrived.microtimestamp())) {
                overlap.park(arrived, pre).forEach(this::take);
                return true;
            }
        }
        if (overlap.active() && c.channel() == Channel.TRADES && continuity.recentlySeen(c, arrived.eventId())) {
            overlap.tradeRepeated(c);
        }
        take(arrived);
        return true;
    }

    /** Takes an event (unless a duplicate), then, during an overlap, every parked one that follows it. */
    private void take(Overlap.Parked event) {
        Overlap.Parked next = event;
        while (next != null) {
            if (!accept(next) || !overlap.active() || next.eventId() == null) {
                return;
            }
            next = overlap.following(next.channel(), next.eventId());
        }
    }

    /** Checks continuity, counts and journals one event; false for a duplicate. */
    private boolean accept(Overlap.Parked e) {
        Channel.WireChannel c = e.channel();
        if (!continuity.accept(c, e.frame(), e.microtimestamp())) {
            duplicates.increment();
            return false;
        }
        clock.observed(e.microtimestamp());
        if (c.channel() == Channel.TRADES) {
            tradeEvidence.trade(c.pair(), e.frame(), e.microtimestamp());
        } else {
            tradeEvidence.orderEvent(c.pair(), e.frame(), e.microtimestamp());
        }
        received.computeIfAbsent(c, k -> Counter.builder("capture.events.received")
                .tag("pair", k.pair()).tag("channel", k.channel().apiName())
                .description("Events received from the exchange").register(registry)).increment();
        if (intake.event(c, e.microtimestamp(), e.utf8(), e.receivedMicros())) {
            continuity.kept(c, e.frame(), e.microtimestamp());
        } else {
            continuity.lost(c, e.microtimestamp());
        }
        return true;
    }

    private void countUnknown(Channel.WireChannel c, String event) {
        unknown.computeIfAbsent(c.channel(), k -> Counter.builder("capture.events.unknown.type")
                .tag("channel", k.apiName())
                .description("Events of a type the capture does not know, stored like the others")
                .register(registry)).increment();
        if (unknownTypesSeen.size() < UNKNOWN_TYPES_LOGGED && unknownTypesSeen.add(event)) {
            Log.warnf("Event type %s on %s is unknown to the capture: stored with its type, chain kept", event,
                    c.channel().wireName(c.pair()));
        }
    }

    private static String eventId(ObjectNode frame) {
        return frame.path("channel").asText("").startsWith("live_orders_") ? text(frame.get("event_id"))
                : text(frame.path("data").get("id"));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.isContainerNode() || node.isBoolean()
                ? null : node.asText();
    }

    private void onSubscribed(String channel, long receivedMicros) {
        if (!requested.contains(channel)) {
            Log.warnf("Subscription acknowledged for %s, which was not requested", channel);
            return;
        }
        subscribed.add(channel);
        Channel.parseWire(channel).ifPresent(c -> continuity.subscribed(c, receivedMicros));
        Log.debugf("Subscribed to %s", channel);
        if (allSubscribed()) {
            Log.infof("Subscribed to all %d channels", requested.size());
        }
    }
}
