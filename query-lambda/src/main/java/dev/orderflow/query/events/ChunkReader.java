package dev.orderflow.query.events;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads the stored chunks of one pair and channel in key order (window by window, parts in order) with
 * {@code Query} on the key range, never {@code Scan}. Items are fetched lazily in batches that grow, so a small
 * page reads little and a long walk few requests; chunks are decoded only when asked.
 */
@ApplicationScoped
public class ChunkReader {
    private static final int MAX_BATCH = 1000;

    private final DynamoDbClient db;
    private final QueryConfig config;

    public ChunkReader(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /** One stored item: its sort key, its window and, on demand, its events. */
    public record StoredChunk(String sk, Map<String, AttributeValue> item) {
        public long windowStartMicros() {
            return TableLayout.windowOfSk(sk);
        }

        /** Events in the chunk per its {@code n} attribute, or -1 when the item does not say. */
        public int declaredEvents() {
            AttributeValue n = item.get(TableLayout.EVENTS);
            try {
                return n == null || n.n() == null ? -1 : Integer.parseInt(n.n());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** The events as views, without building their frames; throws when the item holds no chunk. */
        public EventView.Events view() {
            return TableLayout.viewItem(item)
                    .orElseThrow(() -> new IllegalStateException("item " + sk + " is not an event chunk"));
        }

        /** Decodes the events; throws when the item is not a readable chunk. */
        public List<CapturedEvent> events() {
            return TableLayout.fromItem(item).map(Chunk::events)
                    .orElseThrow(() -> new IllegalStateException("item " + sk + " is not an event chunk"));
        }
    }

    /** Chunks of {@code pk} with {@code fromSk <= sk <= toSk}; the first request asks for {@code firstBatch} items. */
    public Iterator<StoredChunk> read(String pk, String fromSk, String toSk, int firstBatch) {
        return new Batches(pk, fromSk, toSk, Math.max(1, Math.min(firstBatch, MAX_BATCH)));
    }

    private final class Batches implements Iterator<StoredChunk> {
        private final String pk;
        private final String fromSk;
        private final String toSk;
        private final Deque<StoredChunk> ready = new ArrayDeque<>();
        private Map<String, AttributeValue> next;
        private boolean done;
        private int batch;

        Batches(String pk, String fromSk, String toSk, int batch) {
            this.pk = pk;
            this.fromSk = fromSk;
            this.toSk = toSk;
            this.batch = batch;
            this.done = fromSk.compareTo(toSk) > 0;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !done) {
                fetch();
            }
            return !ready.isEmpty();
        }

        @Override
        public StoredChunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void fetch() {
            QueryResponse response = db.query(QueryRequest.builder()
                    .tableName(config.table())
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(pk),
                            ":from", AttributeValue.fromS(fromSk),
                            ":to", AttributeValue.fromS(toSk)))
                    .exclusiveStartKey(next)
                    .limit(batch)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                ready.add(new StoredChunk(item.get(TableLayout.SK).s(), item));
            }
            next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
            done = next == null;
            batch = Math.min(batch * 2, MAX_BATCH);
        }
    }
}
