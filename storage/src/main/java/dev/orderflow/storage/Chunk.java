package dev.orderflow.storage;

import java.util.List;

/**
 * The events of one pair and channel whose {@code microtimestamp} falls in one storage window, in the order the
 * exchange sent them. A window holding more than {@link TableLayout#MAX_EVENTS_PER_PART} events is split into
 * numbered parts. Its key depends only on (pair, channel, window, part), so writing the same events again
 * overwrites the same item.
 */
public record Chunk(String pair, Channel channel, long windowStartMicros, int part, List<CapturedEvent> events) {
    public Chunk {
        events = List.copyOf(events);
    }
}
