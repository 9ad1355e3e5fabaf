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
    private final Peeking quiet;

    private ChannelChunks(Source source, String pair, Channel channel, String fromSk, String toSk) {
        this.pair = pair;
        this.channel = channel;
        this.own = new Peeking(source.query(TableLayout.chunkPk(pair, channel), fromSk, toSk), null);
        this.quiet = new Peeking(source.query(QuietItems.pk(pair, channel), fromSk, toSk), this);
    }

    /** The channel's chunk items with {@code fromSk <= sk <= toSk}, in key order. */
    public static Iterator<Map<String, AttributeValue>> read(Source source, String pair, Channel channel,
            String fromSk, String toSk) {
        return new ChannelChunks(source, pair, channel, fromSk, toSk);
    }

    /** A source reading {@code table} through {@code db}, {@code pageSize} items a request (0: DynamoDB's default). */
    public static Source of(software.amazon.awssdk.services.dynamodb.DynamoDbClient db, String table, int pageSize) {
        return of(db, table, pageSize, false);
    }

    /** The same, read consistently when {@code consistent}. */
    public static Source of(software.amazon.awssdk.services.dynamodb.DynamoDbClient db, String table, int pageSize,
            boolean consistent) {
        return (pk, fromSk, toSk) -> new Iterator<>() {
            private final java.util.ArrayDeque<Map<String, AttributeValue>> ready = new java.util.ArrayDeque<>();
            private Map<String, AttributeValue> next;
            private boolean done = fromSk.compareTo(toSk) > 0;

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
        return own.peek() != null || quiet.peek() != null;
    }

    @Override
    public Map<String, AttributeValue> next() {
        Map<String, AttributeValue> o = own.peek();
        Map<String, AttributeValue> q = quiet.peek();
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
        return union(slot, items);
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

    /** One lookahead over a partition's items; for the shared partition, only the channel's sections, as chunk items. */
    private static final class Peeking {
        private final Iterator<Map<String, AttributeValue>> items;
        private final ChannelChunks sections;
        private Map<String, AttributeValue> head;

        Peeking(Iterator<Map<String, AttributeValue>> items, ChannelChunks sections) {
            this.items = items;
            this.sections = sections;
        }

        Map<String, AttributeValue> peek() {
            while (head == null && items.hasNext()) {
                Map<String, AttributeValue> item = items.next();
                head = sections == null ? item
                        : QuietItems.asChunkItem(item, sections.pair, sections.channel).orElse(null);
            }
            return head;
        }

        Map<String, AttributeValue> take() {
            Map<String, AttributeValue> taken = peek();
            head = null;
            return taken;
        }
    }
}
