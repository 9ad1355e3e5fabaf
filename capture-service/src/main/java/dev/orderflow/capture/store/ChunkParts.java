package dev.orderflow.capture.store;

import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
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
 * A window's parts as chunk items no larger than {@link TableLayout#MAX_ITEM_BYTES}. A first write stores one part
 * as the window step closed it; a merge cuts the events it rewrites by {@link TableLayout#partTargetBytes}, in
 * time order. Both depend only on the events, so any writer builds the same items from the same events.
 */
final class ChunkParts {
    /** DynamoDB's limit on the items of one transaction. */
    static final int MAX_TRANSACTION_ITEMS = 100;

    private ChunkParts() {
    }

    /**
     * The item of a part as the window step closed it (events in time order, arrival order within a µs). Its frames
     * are parsed only while it is encoded, one at a time.
     */
    static Map<String, AttributeValue> item(String pair, Channel channel, long windowStart, int part, List<Held> held,
            Set<String> hosts) {
        List<Held> ordered = new ArrayList<>(held);
        ordered.sort(Comparator.comparingLong(Held::microtimestamp));
        Map<String, AttributeValue> item = withHosts(TableLayout.toItem(pair, channel, windowStart, part,
                parsedOnDemand(ordered), 1), hosts);
        if (ItemSize.of(item) > TableLayout.MAX_ITEM_BYTES) {
            throw new IllegalArgumentException("an event of " + TableLayout.chunkPk(pair, channel) + " "
                    + TableLayout.chunkSk(windowStart, part) + " does not fit in an item of "
                    + TableLayout.MAX_ITEM_BYTES + " bytes");
        }
        return item;
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
     * frame at a time (a parsed frame takes several times its bytes).
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

    /**
     * A merge's items, numbered from {@code firstPart}: the events (in time order) cut by the part target, then cut
     * further until there are at least {@code minParts} (a merge never leaves a stored part behind) and each fits,
     * each of version {@code version}.
     */
    static List<Map<String, AttributeValue>> items(String pair, Channel channel, long windowStart, int firstPart,
            List<CapturedEvent> events, int minParts, long version, Set<String> hosts) {
        List<List<CapturedEvent>> parts = new ArrayList<>();
        List<CapturedEvent> current = new ArrayList<>();
        long bytes = 0;
        for (CapturedEvent e : events) {
            current.add(e);
            bytes += Frames.toJson(e.frame()).length();
            if (bytes >= TableLayout.partTargetBytes(firstPart + parts.size())) {
                parts.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        while (true) {
            if (firstPart + parts.size() - 1 > TableLayout.MAX_PART) {
                throw new IllegalArgumentException("the window " + TableLayout.chunkPk(pair, channel) + " "
                        + TableLayout.chunkSk(windowStart, 0) + " needs more than " + (TableLayout.MAX_PART + 1)
                        + " parts");
            }
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            int tooLarge = -1;
            for (int p = 0; p < parts.size(); p++) {
                Map<String, AttributeValue> item = withHosts(TableLayout.toItem(
                        new Chunk(pair, channel, windowStart, firstPart + p, parts.get(p)), version), hosts);
                if (ItemSize.of(item) > TableLayout.MAX_ITEM_BYTES && tooLarge < 0) {
                    tooLarge = p;
                }
                items.add(item);
            }
            int split = tooLarge >= 0 ? tooLarge : parts.size() < minParts ? largest(parts) : -1;
            if (split < 0 || tooLarge < 0 && parts.get(split).size() < 2) {
                return items; // (fewer events than stored parts only when stored parts repeated events)
            }
            List<CapturedEvent> whole = parts.get(split);
            if (whole.size() < 2) {
                throw new IllegalArgumentException("an event of " + TableLayout.chunkPk(pair, channel) + " "
                        + TableLayout.chunkSk(windowStart, firstPart + split) + " does not fit in an item of "
                        + TableLayout.MAX_ITEM_BYTES + " bytes");
            }
            parts.set(split, new ArrayList<>(whole.subList(0, whole.size() / 2)));
            parts.add(split + 1, new ArrayList<>(whole.subList(whole.size() / 2, whole.size())));
        }
    }

    private static int largest(List<List<CapturedEvent>> parts) {
        int largest = 0;
        for (int p = 1; p < parts.size(); p++) {
            if (parts.get(p).size() > parts.get(largest).size()) {
                largest = p;
            }
        }
        return largest;
    }
}
