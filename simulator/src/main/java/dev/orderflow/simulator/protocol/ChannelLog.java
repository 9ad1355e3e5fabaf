package dev.orderflow.simulator.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Json;

/**
 * The bookkeeping of one channel.
 * <ul>
 *   <li>{@code generated}: frames the source produced for the channel;</li>
 *   <li>{@code sent}: frames broadcast to the channel, once each however many subscribers there are (= generated
 *       minus skipped); {@code GET /sim/sent} lists exactly these, as put on the wire;</li>
 *   <li>{@code delivered}: sent frames written to at least one connection;</li>
 *   <li>{@code withheld}: sent frames that at least one subscribed connection did not get because it was
 *       silenced or stale ({@code silence} and {@code stale} faults);</li>
 *   <li>{@code skipped}: generated frames sent to nobody ({@code skip} fault, an exchange-side loss), listed by
 *       {@code GET /sim/skipped}.</li>
 * </ul>
 */
public final class ChannelLog {
    private static final int SKIPPED_KEPT = 100_000;

    private final String channel;
    private final int capacity;
    private final ArrayDeque<String> sentFrames = new ArrayDeque<>();
    private final ArrayDeque<JsonNode> skippedFrames = new ArrayDeque<>();
    private long generated;
    private long sent;
    private long delivered;
    private long withheld;
    private long skipped;
    private int skipPending;
    private String lastEventId;

    ChannelLog(String channel, int capacity) {
        this.channel = channel;
        this.capacity = capacity;
    }

    /** Counts a generated frame; false when it must be skipped instead of sent. */
    boolean generated(JsonNode frame) {
        generated++;
        if (skipPending == 0) {
            return true;
        }
        skipPending--;
        skipped++;
        skippedFrames.addLast(frame == null ? Json.object() : frame);
        if (skippedFrames.size() > SKIPPED_KEPT) {
            skippedFrames.removeFirst();
        }
        return false;
    }

    void sent(String text, JsonNode frame, boolean anyDelivered, boolean anyWithheld) {
        sent++;
        sentFrames.addLast(text);
        if (sentFrames.size() > capacity) {
            sentFrames.removeFirst();
        }
        if (frame != null && frame.hasNonNull("event_id")) {
            lastEventId = frame.get("event_id").asText();
        }
        if (anyDelivered) {
            delivered++;
        }
        if (anyWithheld) {
            withheld++;
        }
    }

    void skipNext(int count) {
        skipPending += count;
    }

    public long sent() {
        return sent;
    }

    /** Sequence number (1-based, in sent order) of the oldest frame still kept. */
    public long firstKept() {
        return sent - sentFrames.size() + 1;
    }

    /** The kept sent frames with sequence number {@code >= from}, in order. */
    public List<String> sentFrom(long from) {
        long skip = Math.max(0, from - firstKept());
        List<String> out = new ArrayList<>();
        long i = 0;
        for (String text : sentFrames) {
            if (i++ >= skip) {
                out.add(text);
            }
        }
        return out;
    }

    ObjectNode stats() {
        ObjectNode s = Json.object();
        s.put("sent", sent);
        s.put("last_event_id", lastEventId);
        s.put("generated", generated);
        s.put("delivered", delivered);
        s.put("withheld", withheld);
        s.put("skipped", skipped);
        s.put("skip_pending", skipPending);
        return s;
    }

    /** {@code {"channel","skipped","skip_pending","event_ids":[…],"ids":[…]}} of the kept skipped frames. */
    public ObjectNode skippedReport() {
        ObjectNode r = Json.object();
        r.put("channel", channel);
        r.put("skipped", skipped);
        r.put("skip_pending", skipPending);
        var eventIds = r.putArray("event_ids");
        var ids = r.putArray("ids");
        for (JsonNode f : skippedFrames) {
            if (f.hasNonNull("event_id")) {
                eventIds.add(f.get("event_id").asText());
            }
            JsonNode data = f.path("data");
            JsonNode id = data.hasNonNull("id_str") ? data.get("id_str") : data.get("id");
            if (id != null && !id.isNull()) {
                ids.add(id.asText());
            }
        }
        return r;
    }
}
