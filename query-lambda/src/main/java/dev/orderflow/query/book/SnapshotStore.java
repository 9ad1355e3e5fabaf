package dev.orderflow.query.book;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.book.SnapshotReads;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The stored L3 snapshots of a pair ({@code <pair>#snapshots}, one item per part) and what is stored beside them
 * ({@code <pair>#snapshots#meta}), read with {@code Query}; the reads shared with the capture are
 * {@link SnapshotReads}'.
 */
@ApplicationScoped
public class SnapshotStore {
    private final DynamoDbClient db;
    private final QueryConfig config;
    private final SnapshotReads reads;

    public SnapshotStore(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
        this.reads = new SnapshotReads(db, config.table());
    }

    /** See {@link SnapshotReads#latestComplete}. */
    public Optional<SnapshotReads.Found> latestComplete(String pair, long atMicros, long notBeforeMicros,
            List<SnapshotReads.Skipped> skipped) {
        return reads.latestComplete(pair, atMicros, notBeforeMicros, skipped);
    }

    /** Microtimestamp of the latest snapshot with {@code microtimestamp <= atMicros}, complete or not (keys only). */
    public Optional<Long> latestAtOrBefore(String pair, long atMicros) {
        QueryResponse last = db.query(QueryRequest.builder()
                .tableName(config.table())
                .keyConditionExpression("pk = :pk AND sk <= :at")
                .expressionAttributeValues(Map.of(
                        ":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)),
                        ":at", AttributeValue.fromS(SnapshotItems.snapshotSk(atMicros, TableLayout.MAX_PART))))
                .projectionExpression("sk")
                .scanIndexForward(false)
                .limit(1)
                .build());
        return last.items().isEmpty() ? Optional.empty()
                : Optional.of(microsOfSk(last.items().get(0).get(TableLayout.SK).s()));
    }

    /** Microtimestamp of the earliest stored snapshot of the pair, if any. */
    public Optional<Long> first(String pair) {
        return next(pair, Long.MIN_VALUE);
    }

    /** Microtimestamp of the first snapshot at or after {@code fromMicros}, if any (keys only). */
    public Optional<Long> next(String pair, long fromMicros) {
        QueryResponse response = db.query(QueryRequest.builder()
                .tableName(config.table())
                .keyConditionExpression("pk = :pk AND sk >= :from")
                .expressionAttributeValues(Map.of(
                        ":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)),
                        ":from", AttributeValue.fromS(fromMicros < 0 ? "0" : SnapshotItems.snapshotSk(fromMicros, 0))))
                .projectionExpression("sk")
                .limit(1)
                .build());
        return response.items().isEmpty() ? Optional.empty()
                : Optional.of(microsOfSk(response.items().get(0).get(TableLayout.SK).s()));
    }

    /** What is stored beside the snapshots in {@code [fromMicros, toMicros)}, oldest first, at most {@code max}. */
    public List<SnapshotMeta> metas(String pair, long fromMicros, long toMicros, int max) {
        return reads.metas(pair, fromMicros, toMicros, max, true);
    }

    /**
     * The snapshots with {@code fromMicros <= microtimestamp < toMicros}, oldest first, at most {@code max + 1} (so
     * a caller sees there are more), read whole: for tables stored before the items beside them existed.
     */
    public List<SnapshotRecord> between(String pair, long fromMicros, long toMicros, int max) {
        List<Map<String, AttributeValue>> items = range(pair, fromMicros, toMicros, max + 1);
        List<SnapshotRecord> snapshots = new ArrayList<>();
        List<Map<String, AttributeValue>> parts = new ArrayList<>();
        long stamp = -1;
        for (Map<String, AttributeValue> item : items) {
            long micros = microsOfSk(item.get(TableLayout.SK).s());
            if (micros != stamp) {
                parts = new ArrayList<>();
                stamp = micros;
            }
            parts.add(item);
            if (parts.size() == Integer.parseInt(parts.get(0).get(SnapshotItems.SNAPSHOT_PARTS).n())) {
                snapshots.add(SnapshotItems.snapshotFromItems(parts));
            }
        }
        return snapshots;
    }

    /** Items of at most {@code max} snapshots in {@code [from, to)}. */
    private List<Map<String, AttributeValue>> range(String pair, long fromMicros, long toMicros, int max) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int snapshots = 0;
        do {
            QueryResponse response = db.query(QueryRequest.builder()
                    .tableName(config.table())
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)),
                            ":from", AttributeValue.fromS(SnapshotItems.snapshotSk(Math.max(0, fromMicros), 0)),
                            ":to", AttributeValue.fromS(SnapshotItems.snapshotSk(toMicros - 1, TableLayout.MAX_PART))))
                    .exclusiveStartKey(start)
                    .build());
            long stamp = items.isEmpty() ? -1 : microsOfSk(items.get(items.size() - 1).get(TableLayout.SK).s());
            for (Map<String, AttributeValue> item : response.items()) {
                long micros = microsOfSk(item.get(TableLayout.SK).s());
                if (micros != stamp) {
                    stamp = micros;
                    if (++snapshots > max) {
                        return items;
                    }
                }
                items.add(item);
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (start != null);
        return items;
    }

    static long microsOfSk(String sk) {
        return Long.parseLong(sk.substring(0, sk.indexOf('#')));
    }
}
