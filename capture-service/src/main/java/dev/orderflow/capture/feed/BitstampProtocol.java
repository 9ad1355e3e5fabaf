package dev.orderflow.capture.feed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.store.WindowAssembler;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Bitstamp's WebSocket API v2 as the capture uses it: the subscribe frames, and a switch on each received frame's
 * {@code event}. Events go to the window assembler; control frames update the subscription state; anything else
 * is a bad frame (counted, logged at a limited rate, kept aside).
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

    private final WindowAssembler assembler;
    private final BadFrames badFrames;
    private final Continuity continuity;
    private final Journal journal;
    private final MeterRegistry registry;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Map<Channel.WireChannel, Counter> received = new ConcurrentHashMap<>();
    private final Counter duplicates;
    private volatile long lastHeartbeatMicros;

    public BitstampProtocol(WindowAssembler assembler, BadFrames badFrames, Continuity continuity, Journal journal,
            MeterRegistry registry) {
        this.assembler = assembler;
        this.badFrames = badFrames;
        this.continuity = continuity;
        this.journal = journal;
        this.registry = registry;
        this.duplicates = Counter.builder("capture.events.duplicate")
                .description("Events received twice (the overlap of a make-before-break switch), kept once")
                .register(registry);
    }

    /** The subscribe frames for both channels of every pair; starts a new connection's subscription state. */
    public List<String> subscribeFrames(List<String> pairs) {
        requested.clear();
        subscribed.clear();
        List<String> frames = new ArrayList<>();
        for (String pair : pairs) {
            for (Channel channel : Channel.values()) {
                String wire = channel.wireName(pair);
                requested.add(wire);
                ObjectNode frame = Frames.MAPPER.createObjectNode().put("event", "bts:subscribe");
                frame.putObject("data").put("channel", wire);
                frames.add(Frames.toJson(frame));
            }
        }
        return frames;
    }

    /** The connection is gone: nothing is subscribed any more; every channel is in a disconnect window. */
    public void disconnected(long nowMicros) {
        subscribed.clear();
        synchronized (journal.intakeLock()) {
            continuity.down(requested, nowMicros);
        }
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

    /**
     * Every text frame received goes through here, on the event loop: journaled first, then handled. The journal's
     * intake lock is held until the event is in the assembler (see {@link Journal#release}).
     */
    public Reaction onFrame(String text, long receivedMicros) {
        synchronized (journal.intakeLock()) {
            journal.append(Journal.FRAME, receivedMicros, text);
            return handle(text, receivedMicros, false);
        }
    }

    /** A journal record replayed at start: events and bad frames are handled again, control frames ignored. */
    public void replay(Journal.Entry entry) {
        switch (entry.type()) {
            case Journal.FRAME -> handle(entry.text(), entry.receivedMicros(), true);
            case Journal.GAP -> continuity.replay(entry.text());
            default -> Log.warnf("Unknown journal record type %d ignored", entry.type());
        }
    }

    /** An event as the receive path built it from a journaled frame. */
    public record JournaledEvent(Channel.WireChannel channel, CapturedEvent event) {
    }

    /** The event a journal record holds (as at start-up replay), or empty for anything else. */
    public static Optional<JournaledEvent> journaledEvent(Journal.Entry entry) {
        if (entry.type() != Journal.FRAME) {
            return Optional.empty();
        }
        try {
            ObjectNode frame = Frames.parse(entry.text());
            String event = frame.path("event").asText("");
            return Channel.parseWire(frame.path("channel").asText(""))
                    .filter(c -> EVENTS.contains(event) && (c.channel() == Channel.TRADES) == event.equals("trade"))
                    .map(c -> {
                        try {
                            return new JournaledEvent(c, EventAdapter.toEvent(frame, entry.receivedMicros()));
                        } catch (EventAdapter.BadFrame bad) {
                            return null;
                        }
                    });
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * After the replay: the time the process was not running is a disconnect window of every channel an earlier run
     * captured ({@code storedUpTo}: the catalog's end of range per channel, where known).
     */
    public void replayed(Map<Channel.WireChannel, Long> storedUpTo) {
        synchronized (journal.intakeLock()) {
            storedUpTo.forEach(continuity::storedUpTo);
            continuity.restarted(dev.orderflow.capture.Clock.nowMicros());
        }
    }

    private Reaction handle(String text, long receivedMicros, boolean replaying) {
        ObjectNode frame;
        try {
            frame = Frames.parse(text);
        } catch (IOException | RuntimeException e) {
            badFrames.keep(text, receivedMicros, "invalid_json");
            return Reaction.NONE;
        }
        String event = frame.path("event").asText("");
        if (replaying && event.startsWith("bts:")) {
            if (event.equals("bts:subscription_succeeded")) {
                // The earlier run captured this channel from then on, even if none of its events reached the journal.
                Channel.parseWire(frame.path("channel").asText(""))
                        .ifPresent(c -> continuity.subscribedAt(c, receivedMicros));
            }
            return Reaction.NONE;
        }
        switch (event) {
            case "order_created", "order_changed", "order_deleted", "trade" -> {
                return onEvent(text, frame, event, receivedMicros, replaying) ? Reaction.DATA : Reaction.NONE;
            }
            case "bts:subscription_succeeded" -> {
                onSubscribed(frame.path("channel").asText(""));
                return Reaction.SUBSCRIBED;
            }
            case "bts:heartbeat" -> lastHeartbeatMicros = receivedMicros;
            case "bts:error" -> Log.warnf("The exchange answered with an error: %s", text);
            case "bts:request_reconnect" -> {
                Log.info("The exchange asked for a reconnect");
                return Reaction.RECONNECT;
            }
            default -> badFrames.keep(text, receivedMicros, "unknown_event");
        }
        return Reaction.NONE;
    }

    /** A binary message: the exchange sends none, so it is kept aside (base64). */
    public void onBinary(byte[] bytes, long receivedMicros) {
        badFrames.keep(Base64.getEncoder().encodeToString(bytes), receivedMicros, "binary");
    }

    /** False for a bad frame. */
    private boolean onEvent(String text, ObjectNode frame, String event, long receivedMicros, boolean replaying) {
        String wire = frame.path("channel").asText("");
        Optional<Channel.WireChannel> channel = Channel.parseWire(wire)
                .filter(c -> replaying || requested.contains(wire))
                .filter(c -> (c.channel() == Channel.TRADES) == event.equals("trade"));
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
        if (!continuity.accept(c, frame, captured.microtimestamp(), replaying)) {
            duplicates.increment();
            return true;
        }
        if (replaying) {
            assembler.add(c.pair(), c.channel(), captured);
            return true;
        }
        received.computeIfAbsent(c, k -> Counter.builder("capture.events.received")
                .tag("pair", k.pair()).tag("channel", k.channel().apiName())
                .description("Events received from the exchange").register(registry)).increment();
        assembler.add(c.pair(), c.channel(), captured);
        return true;
    }

    private void onSubscribed(String channel) {
        if (!requested.contains(channel)) {
            Log.warnf("Subscription acknowledged for %s, which was not requested", channel);
            return;
        }
        subscribed.add(channel);
        Log.debugf("Subscribed to %s", channel);
        if (allSubscribed()) {
            Log.infof("Subscribed to all %d channels", requested.size());
        }
    }
}
