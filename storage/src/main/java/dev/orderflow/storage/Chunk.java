package dev.orderflow.storage;

import java.util.List;

/**
 * Events of one pair and channel whose {@code microtimestamp} falls in one storage window (a slot of
 * {@link TableLayout#SLOT_MICROS}; one second in tables of layout 1), in the order the exchange sent them: one
 * numbered part of the window. Its key depends only on (pair, channel, window, part).
 */
public record Chunk(String pair, Channel channel, long windowStartMicros, int part, List<CapturedEvent> events) {
    public Chunk {
        events = List.copyOf(events);
    }
}
