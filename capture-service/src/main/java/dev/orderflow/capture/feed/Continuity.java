package dev.orderflow.capture.feed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.store.Intake;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Per channel: which events were seen, and where something may be missing.
 * <ul>
 *   <li>An event whose id (orders: {@code event_id}, trades: the trade {@code id}) is among the channel's last
 *       {@value #RECENT_IDS} ids is a duplicate (the overlap of a make-before-break switch) and is dropped.</li>
 *   <li>A {@code live_orders} event whose {@code pre_event_id} is not the previous event's {@code event_id} is a
 *       chain break: stored as a {@link GapRecord.Kind#CHAIN_BREAK} record. Trades carry no chain, so the pair's
 *       {@code live_trades} channel, when followed, gets a record of the same window too: whatever lost those order
 *       events (a feed gone stale for less than the data timeout, an old server closing before it paid what it
 *       owed) may have lost its trades, and nothing else would tell.</li>
 *   <li>After the connection (or the process) was down, the first event of each channel closes a
 *       {@link GapRecord.Kind#DISCONNECT} record from the last event before; its chain is not checked (the disconnect
 *       record covers that discontinuity).</li>
 *   <li>An event stamped before the channel's last one that is new (and, on {@code live_orders}, does not follow the
 *       last one) is late: a server behind the old one sends again events the capture had missed. It is kept (the
 *       writer merges it into its window) without moving the channel's chain or closing anything; the gap record
 *       of the window it fills stays, as the capture cannot know it got all of that window.</li>
 * </ul>
 * Gap records take the same path as events ({@link Intake#gap}): journaled, then stored. Called from the event loop;
 * {@link #openGaps} is read by the catalog thread, so every method holds this object's lock.
 */
@ApplicationScoped
public class Continuity {
    static final int RECENT_IDS = 4096;

    private final Intake intake;
    private final Counter gaps;
    private final Counter late;
    private final Counter unrecorded;
    private final Map<Channel.WireChannel, State> channels = new HashMap<>();
    /** Gap records found while the journal opened (its unreadable stretches), stored once it is open. */
    private final List<GapRecord> foundAtOpen = new ArrayList<>();
    /**
     * After an unreadable stretch of the journal, while it is scanned: per channel known then and not seen since,
     * where its loss may start (its last event before the first such stretch); for channels not seen at all yet, from
     * the first stretch's bound ({@code null}: none).
     */
    private final Map<Channel.WireChannel, Long> unreadableFrom = new HashMap<>();
    private Long unreadableFromUnseen;

    private static final class State {
        final LinkedHashSet<String> recent = new LinkedHashSet<>();
        String lastEventId;
        long lastMicros = -1;
        /** The first event accepted since the channel was last down (-1: none yet). */
        long firstSinceConnectMicros = -1;
        boolean down;
        long downAtMicros;
        /** At a restart, until the catalog says where the earlier run stopped: the restart's record waits for it. */
        boolean awaitingCatalog;
        /** The first event after the restart, when it came before the catalog's answer, and the last one before. */
        long firstAfterMicros = -1;
        long lastBeforeMicros = -1;
        /** While down: the host received every event before this (its last sign of the old connection); or unknown. */
        Long receivingUntil;
        /** While down: the last subscription acknowledged since; or none yet. */
        Long receivingAgain;
        String firstAfterId;
        /** The last event that was kept (journaled or held), and whether events are being dropped since. */
        long lastKeptMicros = -1;
        String lastKeptId;
        boolean losing;
        long losingFromMicros;
        String losingFromId;
    }

    public Continuity(Intake intake, MeterRegistry registry) {
        this.intake = intake;
        this.gaps = Counter.builder("capture.gaps")
                .description("Gap records stored: chain breaks and windows without connection or subscription")
                .register(registry);
        this.unrecorded = Counter.builder("capture.gaps.unrecorded")
                .description("Gap records that could be neither journaled nor held (disk failing while DynamoDB is "
                        + "behind), and refused windows whose not_stored record could not be stored")
                .register(registry);
        this.late = Counter.builder("capture.events.late")
                .description("Events stamped before their channel's last one and new to it (sent again by a server "
                        + "behind), kept in their window")
                .register(registry);
    }

    /** Checks one event of a channel; returns {@code false} for a duplicate to drop. Gap records found are stored. */
    public synchronized boolean accept(Channel.WireChannel channel, ObjectNode frame, long microtimestamp) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        String id = id(channel.channel(), frame);
        if (id != null && s.recent.contains(id)) {
            return false;
        }
        if (isLate(channel, s, frame, microtimestamp)) {
            remember(s, id);
            late.increment();
            return true;
        }
        if (s.down || s.firstSinceConnectMicros < 0) {
            s.firstSinceConnectMicros = microtimestamp;
        }
        if (s.down && s.awaitingCatalog) {
            s.down = false; // the restart's record is written once the catalog answers (storedUpTo)
            s.firstAfterMicros = microtimestamp;
            s.firstAfterId = id;
            s.lastBeforeMicros = s.lastMicros;
        } else if (s.down) {
            s.down = false;
            store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.DISCONNECT,
                    s.lastMicros >= 0 ? s.lastMicros : s.downAtMicros, microtimestamp, s.lastEventId, id, null,
                    "not connected or not subscribed").receiving(less(s.receivingUntil), more(s.receivingAgain)));
        } else if (channel.channel() == Channel.ORDERS && s.lastEventId != null && id != null) {
            String pre = text(frame.get("pre_event_id"));
            if (pre != null && !pre.equals(s.lastEventId)) {
                store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.CHAIN_BREAK, s.lastMicros,
                        microtimestamp, s.lastEventId, id, s.lastEventId,
                        "pre_event_id " + pre + " does not follow the previous event"));
                tradesOfBreak(channel.pair(), s.lastMicros, microtimestamp);
            }
        }
        if (id != null) {
            remember(s, id);
            s.lastEventId = id;
        }
        s.lastMicros = microtimestamp;
        return true;
    }

    /** The pair's trades channel, when followed, over a break of its orders chain (see the class comment). */
    private void tradesOfBreak(String pair, long fromMicros, long toMicros) {
        if (channels.containsKey(new Channel.WireChannel(Channel.TRADES, pair))) {
            store(new GapRecord(pair, Channel.TRADES, GapRecord.Kind.CHAIN_BREAK, fromMicros, toMicros, null, null,
                    null, "the pair's live_orders chain broke over this window: its trades may be missing too"));
        }
    }

    /** Whether an event is late (see the class comment): only while connected and after an event of the channel. */
    private static boolean isLate(Channel.WireChannel channel, State s, ObjectNode frame, long microtimestamp) {
        if (s.down || s.lastEventId == null || microtimestamp >= s.lastMicros) {
            return false;
        }
        return channel.channel() != Channel.ORDERS || !s.lastEventId.equals(text(frame.get("pre_event_id")));
    }

    /** Whether an event of {@code channel} stamped {@code microtimestamp} would be late (see the class comment). */
    synchronized boolean late(Channel.WireChannel channel, ObjectNode frame, long microtimestamp) {
        State s = channels.get(channel);
        return s != null && isLate(channel, s, frame, microtimestamp);
    }

    private static void remember(State s, String id) {
        if (id != null) {
            s.recent.add(id);
            if (s.recent.size() > RECENT_IDS) {
                s.recent.remove(s.recent.iterator().next());
            }
        }
    }

    /**
     * No connection or subscription from now on, for every given channel, until each one's next event; the events
     * stamped before {@code receivingUntilMicros} (the connection's last sign of life) were all received.
     */
    public synchronized void down(Collection<String> wireChannels, long nowMicros, long receivingUntilMicros) {
        for (String wire : wireChannels) {
            Channel.parseWire(wire).ifPresent(c -> {
                State s = channels.computeIfAbsent(c, k -> new State());
                s.firstSinceConnectMicros = -1;
                if (!s.down) {
                    s.down = true;
                    s.downAtMicros = nowMicros;
                    s.receivingUntil = receivingUntilMicros;
                    s.receivingAgain = null;
                }
            });
        }
    }

    /** The first event captured on a channel since it was last down; empty when none yet. */
    public synchronized java.util.OptionalLong firstSinceConnect(Channel.WireChannel channel) {
        State s = channels.get(channel);
        return s == null || s.firstSinceConnectMicros < 0 ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(s.firstSinceConnectMicros);
    }

    /**
     * A switch of connections ended with trades neither connection sent ({@link Overlap}): fills on the pair's
     * {@code live_orders} stamped from {@code fromMicros} to {@code toMicros} that no trade matched.
     */
    synchronized void tradesUnmet(Channel.WireChannel channel, long fromMicros, long toMicros) {
        store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.DISCONNECT, fromMicros, toMicros, null,
                null, null, "a switch of connections ended owing trades: fills that no trade matched"));
    }

    /** The {@code event_id} (orders) or trade id of the channel's last accepted event; null when not known. */
    synchronized String lastId(Channel.WireChannel channel) {
        State s = channels.get(channel);
        return s == null ? null : s.lastEventId;
    }

    /** Whether the channel's last events include this id (a duplicate, if it came again). */
    synchronized boolean recentlySeen(Channel.WireChannel channel, String id) {
        State s = channels.get(channel);
        return s != null && id != null && s.recent.contains(id);
    }

    /** Whether the channel is in a disconnect window (its next event closes it; its chain is not checked). */
    synchronized boolean down(Channel.WireChannel channel) {
        State s = channels.get(channel);
        return s == null || s.down;
    }

    /**
     * What an earlier run stored last on a channel (the catalog's end of range; empty when it has none), so that the
     * time this process was not running becomes a disconnect record even when the journal held nothing of it. When
     * the channel's first event came already, the record is written now.
     */
    public synchronized void storedUpTo(Channel.WireChannel channel, java.util.OptionalLong lastMicros,
            Long receivingUntilMicros) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        s.awaitingCatalog = false;
        if (s.receivingUntil == null) {
            s.receivingUntil = receivingUntilMicros; // the earlier run said it was receiving until then
        }
        if (s.firstAfterMicros < 0 && lastMicros.isPresent() && lastMicros.getAsLong() > s.lastMicros) {
            s.lastMicros = lastMicros.getAsLong();
            s.lastEventId = null;
        }
        if (s.firstAfterMicros < 0 && s.lastMicros < 0) {
            s.down = false; // never captured before: nothing was missed
        }
        if (s.firstAfterMicros >= 0) {
            long from = Math.max(s.lastBeforeMicros, lastMicros.orElse(-1));
            if (from >= 0) {
                store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.DISCONNECT, from,
                        s.firstAfterMicros, null, s.firstAfterId, null, "capture process not running")
                        .receiving(less(s.receivingUntil), more(s.receivingAgain)));
            }
            s.firstAfterMicros = -1;
            s.firstAfterId = null;
        }
    }

    /** A channel's subscription was acknowledged (received at {@code receivedMicros}). */
    public synchronized void subscribed(Channel.WireChannel channel, long receivedMicros) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (s.down || s.awaitingCatalog) {
            s.receivingAgain = receivedMicros;
        }
    }

    private static Long less(Long micros) {
        return micros == null ? null : micros - Hosts.RECEIVING_MARGIN_MICROS;
    }

    private static Long more(Long micros) {
        return micros == null ? null : micros + Hosts.RECEIVING_MARGIN_MICROS;
    }

    /** A replayed subscription acknowledgement: the channel was captured from then on (when nothing later is known). */
    public synchronized void subscribedAt(Channel.WireChannel channel, long receivedMicros) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (s.lastMicros < 0) {
            s.lastMicros = receivedMicros;
        }
    }

    /**
     * The process (re)started: every channel known from the journal, and every channel in {@code awaitingCatalog},
     * is down since the earlier run; the latter's records wait for {@link #storedUpTo}.
     */
    public synchronized void restarted(long nowMicros, Collection<Channel.WireChannel> awaitingCatalog) {
        foundAtOpen.forEach(this::store);
        foundAtOpen.clear();
        unreadableFrom.clear(); // a channel not seen after a stretch: the restart's record starts at its last event
        unreadableFromUnseen = null;
        awaitingCatalog.forEach(c -> channels.computeIfAbsent(c, k -> new State()).awaitingCatalog = true);
        channels.values().forEach(s -> {
            s.firstSinceConnectMicros = -1;
            s.receivingUntil = null; // the earlier run's end: from the catalog (storedUpTo)
            s.receivingAgain = null;
            if (!s.down) {
                s.down = true;
                s.downAtMicros = nowMicros;
            }
        });
    }

    /**
     * The journal, as it opened, could not read some of its records: none was received before
     * {@code receivedAfterMicros}. Each channel may have lost events from its last one before the stretch (or, when
     * none, from that time less the receiving margin) to its first one after; a channel not seen after it is covered
     * by the restart's disconnect record, which starts at its last event before.
     */
    public synchronized void unreadable(long receivedAfterMicros) {
        long from = receivedAfterMicros - Hosts.RECEIVING_MARGIN_MICROS;
        if (unreadableFromUnseen == null) {
            unreadableFromUnseen = from; // the first stretch: channels not seen before any stretch start there
        }
        // a channel still not seen since an earlier stretch keeps that stretch's start
        channels.forEach((c, s) -> {
            if (s.lastMicros >= 0) {
                unreadableFrom.putIfAbsent(c, s.lastMicros);
            }
        });
    }

    /**
     * An event of an earlier run found in the journal at start: the channel was captured up to its time (the chain is
     * not checked across a restart: the restart's disconnect record covers it).
     */
    public synchronized void seen(Channel.WireChannel channel, long microtimestamp) {
        Long from = unreadableFrom.remove(channel); // up to its first event after the stretch
        State known = channels.get(channel);
        if (from == null && unreadableFromUnseen != null && (known == null || known.lastMicros < 0)) {
            from = unreadableFromUnseen; // nothing of it before any stretch
        }
        if (from != null) {
            foundAtOpen.add(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.NOT_KEPT, from,
                    Math.max(from, microtimestamp), null, null, null,
                    "journal records unreadable at start (a damaged disk): events may be missing"));
        }
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (microtimestamp > s.lastMicros) {
            s.lastMicros = microtimestamp;
            s.lastEventId = null;
        }
    }

    /**
     * An event accepted by {@link #accept} could not be kept (the journal full and memory at its bound): from the
     * last event kept, the channel has a {@code not_kept} gap, closed by the next event kept ({@link #kept}).
     */
    public synchronized void lost(Channel.WireChannel channel, long microtimestamp) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (!s.losing) {
            s.losing = true;
            s.losingFromMicros = s.lastKeptMicros >= 0 ? s.lastKeptMicros : microtimestamp;
            s.losingFromId = s.lastKeptMicros >= 0 ? s.lastKeptId : null;
        }
    }

    /** An event accepted by {@link #accept} was kept: it closes a {@code not_kept} gap, if one is open. */
    public synchronized void kept(Channel.WireChannel channel, ObjectNode frame, long microtimestamp) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        String id = id(channel.channel(), frame);
        if (s.losing) {
            s.losing = false;
            store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.NOT_KEPT, s.losingFromMicros,
                    microtimestamp, s.losingFromId, id, null,
                    "events dropped: the journal was full and memory at its bound"));
        }
        if (microtimestamp >= s.lastKeptMicros) { // a late event does not move it back
            s.lastKeptMicros = microtimestamp;
            s.lastKeptId = id;
        }
    }

    /**
     * Per channel followed, the time from which it is not known complete: where it is down, from its last event
     * (or the moment it went down); {@code Long.MAX_VALUE} where it is receiving; {@code Long.MIN_VALUE} while a
     * restart waits for the catalog.
     */
    public synchronized Map<Windows.Stream, Long> openGaps() {
        Map<Windows.Stream, Long> open = new HashMap<>();
        channels.forEach((c, s) -> open.put(new Windows.Stream(c.pair(), c.channel()),
                s.awaitingCatalog ? Long.MIN_VALUE // where the earlier run stopped is not known yet
                        : s.losing ? s.losingFromMicros
                        : !s.down ? Long.MAX_VALUE
                        : s.lastMicros >= 0 ? Math.min(s.lastMicros, s.downAtMicros) : s.downAtMicros));
        return open;
    }

    /** Stores a gap record: journaled, then written like everything else. */
    void store(GapRecord gap) {
        Log.warnf("Gap in %s %s: %s from %d to %d (last %s, first after %s)", gap.pair(), gap.channel().apiName(),
                gap.kind().apiName(), gap.fromMicros(), gap.toMicros(), gap.lastEventId(), gap.firstEventIdAfter());
        gaps.increment();
        if (!intake.gap(gap)) {
            unrecorded.increment();
            Log.errorf("The gap record of %s %s from %d to %d could be neither journaled nor held: it is not stored",
                    gap.pair(), gap.channel().apiName(), gap.fromMicros(), gap.toMicros());
        }
    }

    private static String id(Channel channel, ObjectNode frame) {
        return channel == Channel.ORDERS ? text(frame.get("event_id")) : text(frame.path("data").get("id"));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.isBoolean() ? null : node.asText();
    }
}
