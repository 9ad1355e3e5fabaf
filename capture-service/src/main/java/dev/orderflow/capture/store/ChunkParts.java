package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A window's events as chunk items no larger than {@link TableLayout#MAX_ITEM_BYTES}: as few parts as fit, split
 * evenly by count, in order. The split depends only on the events, so any writer builds the same items.
 */
final class ChunkParts {
    private ChunkParts() {
    }

    /** At least {@code minParts} items (a merge never leaves a stored part behind), each of version {@code version}. */
    static List<Map<String, AttributeValue>> items(String pair, Channel channel, long windowStart,
            List<CapturedEvent> events, int minParts, long version) {
        for (int parts = Math.max(1, Math.min(minParts, events.size())); ; parts++) {
            if (parts > events.size() || parts > TableLayout.MAX_PART + 1) {
                throw new IllegalArgumentException("an event of " + TableLayout.chunkPk(pair, channel) + " "
                        + TableLayout.chunkSk(windowStart, 0) + " does not fit in an item of "
                        + TableLayout.MAX_ITEM_BYTES + " bytes");
            }
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            boolean fits = true;
            for (int p = 0; p < parts && fits; p++) {
                int from = (int) ((long) events.size() * p / parts);
                int to = (int) ((long) events.size() * (p + 1) / parts);
                Map<String, AttributeValue> item = TableLayout.toItem(
                        new Chunk(pair, channel, windowStart, p, events.subList(from, to)), version);
                fits = ItemSize.of(item) <= TableLayout.MAX_ITEM_BYTES;
                items.add(item);
            }
            if (fits) {
                return items;
            }
            if (parts == Math.max(1, Math.min(minParts, events.size()))) {
                // jump close to the size needed instead of one part at a time
                long total = 0;
                for (Map<String, AttributeValue> item : items) {
                    total += ItemSize.of(item);
                }
                parts = (int) Math.max(parts, Math.min(events.size(), total * 10 / 9 / TableLayout.MAX_ITEM_BYTES)) ;
            }
        }
    }
}
