package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.List;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.TableLayout;

/**
 * A sealed window to write: all events of one (pair, channel, window) the assembler holds, in arrival order.
 *
 * @param alreadyHandedOver how many leading events an earlier job of the same window already carried
 *                          (they are rewritten, but counted as stored only once)
 * @param mergeWithStored   the table may already hold events of this window that memory does not (a window that
 *                          began before this process started, or whose events were forgotten): the writer reads
 *                          the stored parts and writes their union, each frame once
 */
public record WindowJob(String pair, Channel channel, long windowStartMicros, List<CapturedEvent> events,
        int alreadyHandedOver, boolean mergeWithStored) {

    public WindowJob {
        events = List.copyOf(events);
    }

    /** The window's events as chunk parts of at most {@link TableLayout#MAX_EVENTS_PER_PART}, in order. */
    public List<Chunk> parts() {
        return parts(pair, channel, windowStartMicros, events);
    }

    static List<Chunk> parts(String pair, Channel channel, long windowStartMicros, List<CapturedEvent> events) {
        List<Chunk> parts = new ArrayList<>();
        for (int from = 0, part = 0; from < events.size(); from += TableLayout.MAX_EVENTS_PER_PART, part++) {
            int to = Math.min(events.size(), from + TableLayout.MAX_EVENTS_PER_PART);
            parts.add(new Chunk(pair, channel, windowStartMicros, part, events.subList(from, to)));
        }
        return parts;
    }
}
