package dev.orderflow.capture.feed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.store.WriteQueue;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Per channel: which events were seen, and where something may be missing.
 * <ul>
 *   <li>An event whose id (orders: {@code event_id}, trades: the trade {@code id}) is among the channel's last
 *       {@value #RECENT_IDS} ids is a duplicate (the overlap of a make-before-break switch) and is dropped.</li>
 *   <li>A {@code live_orders} event whose {@code pre_event_id} is not the previous event's {@code event_id} is a
 *       chain break: stored as a {@link GapRecord.Kind#CHAIN_BREAK} record.</li>
 *   <li>After the connection (or the process) was down, the first event of each channel closes a
 *       {@link GapRecord.Kind#DISCONNECT} record from the last event before; its chain is not checked (the disconnect
 *       record covers that discontinuity).</li>
 * </ul>
 * Gap records are journaled before they are queued, so they are as durable as the frames. Called under the
 * journal's intake lock only.
 */
@ApplicationScoped
public class Continuity {
    static final int RECENT_IDS = 4096;

    private final Journal journal;
    private final WriteQueue queue;
    private final Counter gaps;
    private final Map<Channel.WireChannel, State> channels = new HashMap<>();

    private static final class State {
        final LinkedHashSet<String> recent = new LinkedHashSet<>();
        String lastEventId;
        long lastMicros = -1;
        boolean down;
        long downAtMicros;
    }

    public Continuity(Journal journal, WriteQueue queue, MeterRegistry registry) {
        this.journal = journal;
        this.queue = queue;
        this.gaps = Counter.builder("capture.gaps")
                .description("Gap records stored: chain breaks and windows without connection or subscription")
                .register(registry);
    }

    /**
     * Checks one event of a channel; returns {@code false} for a duplicate to drop. Gap records found are stored
     * (journaled and queued) unless {@code replaying} (then they were journaled the first time already).
     */
    public boolean accept(Channel.WireChannel channel, ObjectNode frame, long microtimestamp, boolean replaying) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        String id = id(channel.channel(), frame);
        if (id != null && s.recent.contains(id)) {
            return false;
        }
        if (s.down) {
            s.down = false;
            if (!replaying) {
                store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.DISCONNECT,
                        s.lastMicros >= 0 ? s.lastMicros : s.downAtMicros, microtimestamp, s.lastEventId, id, null,
                        "not connected or not subscribed"));
            }
        } else if (channel.channel() == Channel.ORDERS && s.lastEventId != null && id != null) {
            String pre = text(frame.get("pre_event_id"));
            if (pre != null && !pre.equals(s.lastEventId) && !replaying) {
                store(new GapRecord(channel.pair(), channel.channel(), GapRecord.Kind.CHAIN_BREAK, s.lastMicros,
                        microtimestamp, s.lastEventId, id, s.lastEventId,
                        "pre_event_id " + pre + " does not follow the previous event"));
            }
        }
        if (id != null) {
            s.recent.add(id);
            if (s.recent.size() > RECENT_IDS) {
                s.recent.remove(s.recent.iterator().next());
            }
            s.lastEventId = id;
        }
        s.lastMicros = microtimestamp;
        return true;
    }

    /** No connection or subscription from now on, for every given channel, until each one's next event. */
    public void down(Collection<String> wireChannels, long nowMicros) {
        for (String wire : wireChannels) {
            Channel.parseWire(wire).ifPresent(c -> {
                State s = channels.computeIfAbsent(c, k -> new State());
                if (!s.down) {
                    s.down = true;
                    s.downAtMicros = nowMicros;
                }
            });
        }
    }

    /**
     * What an earlier run stored last on a channel (the catalog's end of range), so that the time this process was
     * not running becomes a disconnect window even when the journal held nothing of that channel.
     */
    public void storedUpTo(Channel.WireChannel channel, long lastMicros) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (lastMicros > s.lastMicros) {
            s.lastMicros = lastMicros;
            s.lastEventId = null;
        }
    }

    /** A replayed subscription acknowledgement: the channel was captured from then on (when nothing later is known). */
    public void subscribedAt(Channel.WireChannel channel, long receivedMicros) {
        State s = channels.computeIfAbsent(channel, c -> new State());
        if (s.lastMicros < 0) {
            s.lastMicros = receivedMicros;
        }
    }

    /** Every channel known so far (from replayed frames or the catalog) is down: the process was not running. */
    public void restarted(long nowMicros) {
        channels.values().forEach(s -> {
            if (!s.down) {
                s.down = true;
                s.downAtMicros = nowMicros;
            }
        });
    }

    /** Stores a gap record durably: journal first, then the writer. */
    void store(GapRecord gap) {
        Log.warnf("Gap in %s %s: %s from %d to %d (last %s, first after %s)", gap.pair(), gap.channel().apiName(),
                gap.kind().apiName(), gap.fromMicros(), gap.toMicros(), gap.lastEventId(), gap.firstEventIdAfter());
        gaps.increment();
        journal.append(Journal.GAP, gap.toMicros(), toJson(gap));
        queue.keepAside(TableLayout.toItem(gap));
    }

    /** A journaled gap record, replayed at start: queued again (its key makes the rewrite idempotent). */
    public void replay(String json) {
        try {
            queue.keepAside(TableLayout.toItem(Frames.MAPPER.readValue(json, GapRecord.class)));
        } catch (IOException e) {
            Log.warnf("Unreadable gap record in the journal: %s", e.toString());
        }
    }

    static String toJson(GapRecord gap) {
        try {
            return Frames.MAPPER.writeValueAsString(gap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String id(Channel channel, ObjectNode frame) {
        return channel == Channel.ORDERS ? text(frame.get("event_id")) : text(frame.path("data").get("id"));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.isBoolean() ? null : node.asText();
    }
}
