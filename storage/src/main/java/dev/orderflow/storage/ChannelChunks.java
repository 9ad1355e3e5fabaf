package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The chunk items of one pair and channel in a key range, as every reader sees them: the channel's own items
 * ({@link TableLayout#chunkPk}) and its sections of the shared items of its group ({@link QuietItems}), in key order.
 * A section reads as a chunk item keyed by its slot's first chunk key. Where one slot has both (two hosts, or a
 * restart, cut the slot differently: one wrote it as a section, the other as parts of its own), they are read as one
 * chunk item of that key holding their union, each event once (the earliest receive time kept), in
 * {@link ExchangeOrder}. Both key ranges are read lazily, with {@code Query} only.
 */
public final class ChannelChunks implements Iterator<Map<String, AttributeValue>> {
    /** Items of one partition with {@code fromSk <= sk <= toSk}, in key order, fetched lazily. */
    @FunctionalInterface
    public interface Source {
        Iterator<Map<String, AttributeValue>> query(String pk, String fromSk, String toSk);
    }

    private final String pair;
    private final Channel channel;
    private final Peeking own;
    private final Sections quiet;
    /** Items of a slot stored both ways whose union could not be built, handed on one by one. */
    private final java.util.ArrayDeque<Map<String, AttributeValue>> pending = new java.util.ArrayDeque<>();

    private ChannelChunks(Source source, String pair, Channel channel, String fromSk, String toSk) {
        this.pair = pair;
        this.channel = channel;
        this.own = new Peeking(source.query(TableLayout.chunkPk(pair, channel), fromSk, toSk));
        this.quiet = new Sections(source.query(QuietItems.pk(pair, channel), fromSk, toSk), pair, channel);
    }

    /** The channel's chunk items with {@code fromSk <= sk <= toSk}, in key order. */
    public static Iterator<Map<String, AttributeValue>> read(Source source, String pair, Channel channel,
            String fromSk, String toSk) {
        return new ChannelChunks(source, pair, channel, fromSk, toSk);
    }

    /** A source reading {@code table} through {@code db}, {@code pageSize} items a request (0: DynamoDB's default). */
    public static Source of(software.amazon.awssdk.services.dynamodb.DynamoDbClient db, String table, int pageSize) {
        return of(db, table, pageSize, pageSize, false);
    }

    /** The same, read consistently when {@code consistent}. */
    public static Source of(software.amazon.awssdk.services.dynamodb.DynamoDbClient db, String table, int pageSize,
            boolean consistent) {
        return of(db, table, pageSize, pageSize, consistent);
    }

    /**
     * A source whose first request asks for {@code firstPage} items and each next one for twice as many, up to
     * {@code maxPage} (so a small read reads little and a long one few requests).
     */
    public static Source of(software.amazon.awssdk.services.dynamodb.DynamoDbClient db, String table, int firstPage,
            int maxPage, boolean consistent) {
        return (pk, fromSk, toSk) -> new Iterator<>() {
            private final java.util.ArrayDeque<Map<String, AttributeValue>> ready = new java.util.ArrayDeque<>();
            private Map<String, AttributeValue> next;
            private boolean done = fromSk.compareTo(toSk) > 0;
            private int pageSize = firstPage;

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && !done) {
                    QueryRequest.Builder request = QueryRequest.builder().tableName(table)
                            .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                                    ":from", AttributeValue.fromS(fromSk), ":to", AttributeValue.fromS(toSk)))
                            .consistentRead(consistent).exclusiveStartKey(next);
                    if (pageSize > 0) {
                        request.limit(pageSize);
                    }
                    QueryResponse response = db.query(request.build());
                    ready.addAll(response.items());
                    next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                            ? response.lastEvaluatedKey() : null;
                    done = next == null;
                    pageSize = Math.min(pageSize * 2, maxPage);
                }
                return !ready.isEmpty();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    @Override
    public boolean hasNext() {
        // the shared partition is read only as far as the own items reached (to the end once they are exhausted)
        return !pending.isEmpty() || own.peek() != null || quiet.peek(null) != null;
    }

    @Override
    public Map<String, AttributeValue> next() {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        Map<String, AttributeValue> o = own.peek();
        Map<String, AttributeValue> q = quiet.peek(o == null ? null : sk(o));
        if (o == null && q == null) {
            throw new NoSuchElementException();
        }
        if (q == null) {
            return own.take();
        }
        if (o == null) {
            return quiet.take();
        }
        if (window(o) != window(q)) {
            return sk(o).compareTo(sk(q)) < 0 ? own.take() : quiet.take();
        }
        // one slot written both ways: its own parts (consecutive in key order) and the section, as one union
        long slot = window(q);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        items.add(quiet.take());
        while (own.peek() != null && window(own.peek()) == slot) {
            items.add(own.take());
        }
        try {
            return union(slot, items);
        } catch (RuntimeException damaged) {
            // an item that cannot be decoded: each is handed on as stored, for the reader to tell which
            pending.addAll(items.subList(1, items.size()));
            return items.get(0);
        }
    }

    private Map<String, AttributeValue> union(long slot, List<Map<String, AttributeValue>> items) {
        Map<JsonNode, CapturedEvent> once = new HashMap<>();
        Set<String> hosts = new TreeSet<>();
        long version = 0;
        for (Map<String, AttributeValue> item : items) {
            hosts.addAll(Hosts.chunkHosts(item));
            AttributeValue w = item.get(TableLayout.WRITE_VERSION);
            version = Math.max(version, w == null ? 0 : Long.parseLong(w.n()));
            for (CapturedEvent e : TableLayout.fromItem(item).orElseThrow().events()) {
                once.merge(e.frame(), e, (a, b) -> a.receivedMicros() <= b.receivedMicros() ? a : b);
            }
        }
        List<CapturedEvent> events = new ArrayList<>(once.values());
        ExchangeOrder.sort(events, channel);
        Map<String, AttributeValue> item = TableLayout.toItem(pair, channel, slot, 0, events, version);
        if (!hosts.isEmpty()) {
            item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(hosts));
        }
        return item;
    }

    private static String sk(Map<String, AttributeValue> item) {
        return item.get(TableLayout.SK).s();
    }

    private static long window(Map<String, AttributeValue> item) {
        return TableLayout.windowOfSk(sk(item));
    }

    /** One lookahead over the channel's own items. */
    private static final class Peeking {
        private final Iterator<Map<String, AttributeValue>> items;
        private Map<String, AttributeValue> head;

        Peeking(Iterator<Map<String, AttributeValue>> items) {
            this.items = items;
        }

        Map<String, AttributeValue> peek() {
            if (head == null && items.hasNext()) {
                head = items.next();
            }
            return head;
        }

        Map<String, AttributeValue> take() {
            Map<String, AttributeValue> taken = peek();
            head = null;
            return taken;
        }
    }

    /** The channel's sections of its group's shared items, as chunk items, read no further than asked. */
    private static final class Sections {
        private final Iterator<Map<String, AttributeValue>> items;
        private final String pair;
        private final Channel channel;
        private Map<String, AttributeValue> raw;
        private Map<String, AttributeValue> head;

        Sections(Iterator<Map<String, AttributeValue>> items, String pair, Channel channel) {
            this.items = items;
            this.pair = pair;
            this.channel = channel;
        }

        /** The next section whose shared item's key is at most {@code bound} ({@code null}: any), or null. */
        Map<String, AttributeValue> peek(String bound) {
            while (head == null) {
                if (raw == null) {
                    if (!items.hasNext()) {
                        return null;
                    }
                    raw = items.next();
                }
                if (bound != null && sk(raw).compareTo(bound) > 0) {
                    return null; // not needed yet
                }
                head = QuietItems.asChunkItem(raw, pair, channel).orElse(null);
                raw = null;
            }
            return head;
        }

        Map<String, AttributeValue> take() {
            Map<String, AttributeValue> taken = head;
            head = null;
            return taken;
        }
    }
}
