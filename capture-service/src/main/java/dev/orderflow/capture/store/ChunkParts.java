package dev.orderflow.capture.store;

import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A window's events as chunk items no larger than {@link TableLayout#MAX_ITEM_BYTES}: split evenly by count, in
 * order. The split depends only on the events, so any writer builds the same items.
 */
final class ChunkParts {
    /** Frames' JSON shrinks about tenfold in the chunk encoding; a first guess of the parts assumes only fourfold. */
    private static final long RAW_PER_ITEM = 4L * TableLayout.MAX_ITEM_BYTES;

    private ChunkParts() {
    }

    /** One item of a first write, holding the events {@code from} (inclusive) to {@code to} of the window's list. */
    record Part(Map<String, AttributeValue> item, int from, int to) {
    }

    /**
     * A first write of a window, straight from the frames' bytes: the number of parts is guessed from their size
     * (doubled until every part fits), and each part's frames are parsed only while it is encoded, so a burst's
     * window of tens of thousands of events never lives in memory as parsed trees all at once.
     */
    static List<Part> items(String pair, Channel channel, long windowStart, List<Held> held, Set<String> hosts) {
        long raw = 0;
        for (Held h : held) {
            raw += h.frame().length;
        }
        int parts = (int) Math.max(1, Math.min(held.size(), (raw + RAW_PER_ITEM - 1) / RAW_PER_ITEM));
        while (true) {
            List<Part> items = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                int from = (int) ((long) held.size() * p / parts);
                int to = (int) ((long) held.size() * (p + 1) / parts);
                Map<String, AttributeValue> item = withHosts(TableLayout.toItem(pair, channel, windowStart, p,
                        parsedOnDemand(held.subList(from, to)), 1), hosts);
                if (ItemSize.of(item) > TableLayout.MAX_ITEM_BYTES) {
                    break;
                }
                items.add(new Part(item, from, to));
            }
            if (items.size() == parts) {
                return items;
            }
            if (parts >= held.size() || parts > TableLayout.MAX_PART) {
                throw new IllegalArgumentException("an event of " + TableLayout.chunkPk(pair, channel) + " "
                        + TableLayout.chunkSk(windowStart, 0) + " does not fit in an item of "
                        + TableLayout.MAX_ITEM_BYTES + " bytes");
            }
            parts = Math.min(held.size(), parts * 2);
        }
    }

    private static Map<String, AttributeValue> withHosts(Map<String, AttributeValue> item, Set<String> hosts) {
        item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(hosts));
        return item;
    }

    /** The events parsed from their frames, in order. */
    static List<CapturedEvent> parse(List<Held> held) {
        return new ArrayList<>(parsedOnDemand(held));
    }

    /**
     * The events, each parsed from its frame when it is asked for and not kept: encoding a part then holds one parsed
     * frame at a time (a parsed frame takes several times its bytes; a burst's parts held whole filled the heap).
     */
    private static List<CapturedEvent> parsedOnDemand(List<Held> held) {
        return new AbstractList<>() {
            @Override
            public CapturedEvent get(int index) {
                Held h = held.get(index);
                try {
                    return new CapturedEvent(h.microtimestamp(), h.receivedMicros(), Frames.parse(h.frame()));
                } catch (IOException e) {
                    throw new IllegalStateException("a journaled event frame does not parse", e);
                }
            }

            @Override
            public int size() {
                return held.size();
            }
        };
    }

    /** At least {@code minParts} items (a merge never leaves a stored part behind), each of version {@code version}. */
    static List<Map<String, AttributeValue>> items(String pair, Channel channel, long windowStart,
            List<CapturedEvent> events, int minParts, long version, Set<String> hosts) {
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
                Map<String, AttributeValue> item = withHosts(TableLayout.toItem(
                        new Chunk(pair, channel, windowStart, p, events.subList(from, to)), version), hosts);
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
