package dev.orderflow.capture.feed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;

/**
 * The overlap of a make-before-break switch ({@code bts:request_reconnect}): both connections deliver, and the new
 * server may be ahead of or behind the old one, so their {@code live_orders} frames interleave out of exchange order.
 * While it lasts, an event whose {@code pre_event_id} does not follow the channel's last event is parked (keyed by
 * that {@code pre_event_id}) instead of being taken as a chain break; it is taken as soon as the event it follows
 * arrives on either connection. What is still parked when the overlap ends is taken in time order, so a chain break
 * is recorded only where the union of both connections has one.
 * <p>
 * The overlap has joined when nothing is parked, every {@code live_orders} channel has had an event from the new
 * connection, and on every {@code live_trades} channel a trade came on both: the old one has nothing left to add
 * (a quiet channel keeps both open until the overlap times out).
 * <p>
 * Trades carry no chain: when the switch ends before a trade came on both, the trades the old connection still owed are
 * unknown from the trades alone. The pair's {@code live_orders} tell: a fill taken that no trade taken matched
 * ({@link TradeEvidence}) is a trade neither connection sent; {@link #unmetPairs} names the pairs to check. With every
 * fill matched nothing is recorded, so a quiet channel gets no window at a switch. Used on the event loop only.
 */
final class Overlap {
    /** Parked events per channel at most; past it the channel's parked events are taken at once. */
    static final int MAX_PARKED = 10_000;

    /** A parked event, as the protocol received it. */
    record Parked(Channel.WireChannel channel, byte[] utf8, ObjectNode frame, String event, long microtimestamp,
                  long receivedMicros, String eventId) {
    }

    private final Map<Channel.WireChannel, Map<String, Parked>> parked = new HashMap<>();
    private final Set<Channel.WireChannel> fromNew = new HashSet<>();
    private final Set<Channel.WireChannel> tradesJoined = new HashSet<>();
    private boolean active;

    void begin() {
        active = true;
        fromNew.clear();
        tradesJoined.clear();
    }

    boolean active() {
        return active;
    }

    /** An event of {@code channel} came on the new connection. */
    void sawOnNew(Channel.WireChannel channel) {
        fromNew.add(channel);
    }

    /**
     * A trade came that was taken already, from the other connection: on this trades channel the two connections
     * have met (trades carry no chain to tell otherwise).
     */
    void tradeRepeated(Channel.WireChannel channel) {
        tradesJoined.add(channel);
    }

    /** The pairs of {@code tradesChannels} on which no trade came on both connections (see the class comment). */
    Set<String> unmetPairs(Set<Channel.WireChannel> tradesChannels) {
        Set<String> pairs = new HashSet<>();
        tradesChannels.stream().filter(c -> !tradesJoined.contains(c)).forEach(c -> pairs.add(c.pair()));
        return pairs;
    }

    /** Whether this event id is parked already (so a second copy is a duplicate). */
    boolean isParked(Channel.WireChannel channel, String eventId) {
        Map<String, Parked> byPre = parked.get(channel);
        return byPre != null && byPre.values().stream().anyMatch(p -> p.eventId().equals(eventId));
    }

    /**
     * Parks an event until the one it follows ({@code preEventId}) is taken; returns the channel's parked events, in
     * time order, when there are too many to keep waiting.
     */
    List<Parked> park(Parked event, String preEventId) {
        Map<String, Parked> byPre = parked.computeIfAbsent(event.channel(), c -> new LinkedHashMap<>());
        byPre.put(preEventId, event);
        if (byPre.size() <= MAX_PARKED) {
            return List.of();
        }
        parked.remove(event.channel());
        return inTimeOrder(byPre.values());
    }

    /** The parked event that follows {@code eventId} on {@code channel}, taken out; null when none. */
    Parked following(Channel.WireChannel channel, String eventId) {
        Map<String, Parked> byPre = parked.get(channel);
        return byPre == null ? null : byPre.remove(eventId);
    }

    /** Whether the old connection has nothing left to add (see the class comment). */
    boolean joined(Set<Channel.WireChannel> ordersChannels, Set<Channel.WireChannel> tradesChannels) {
        return parked.values().stream().allMatch(Map::isEmpty) && fromNew.containsAll(ordersChannels)
                && tradesJoined.containsAll(tradesChannels);
    }

    /** Ends the overlap: every parked event, per channel in time order (then by event id). */
    List<Parked> end() {
        active = false;
        List<Parked> rest = new ArrayList<>();
        parked.values().forEach(byPre -> rest.addAll(inTimeOrder(byPre.values())));
        parked.clear();
        fromNew.clear();
        return rest;
    }

    private static List<Parked> inTimeOrder(java.util.Collection<Parked> events) {
        List<Parked> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Parked::microtimestamp).thenComparing(Parked::eventId));
        return sorted;
    }
}
