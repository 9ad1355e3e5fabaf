package dev.orderflow.query.book;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** The stored L3 snapshots of a pair ({@code <pair>#snapshots}, one item per part), read with {@code Query}. */
@ApplicationScoped
public class SnapshotStore {
    private final DynamoDbClient db;
    private final QueryConfig config;

    public SnapshotStore(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /** The latest snapshot with {@code microtimestamp <= atMicros}, all parts read. */
    public Optional<SnapshotRecord> latestAtOrBefore(String pair, long atMicros) {
        QueryResponse last = db.query(QueryRequest.builder()
                .tableName(config.table())
                .keyConditionExpression("pk = :pk AND sk <= :at")
                .expressionAttributeValues(Map.of(
                        ":pk", AttributeValue.fromS(TableLayout.snapshotsPk(pair)),
                        ":at", AttributeValue.fromS(TableLayout.snapshotSk(atMicros, TableLayout.MAX_PART))))
                .scanIndexForward(false)
                .limit(1)
                .build());
        if (last.items().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = last.items().get(0);
        if (Integer.parseInt(item.get(TableLayout.SNAPSHOT_PARTS).n()) == 1) {
            return Optional.of(TableLayout.snapshotFromItems(List.of(item)));
        }
        long micros = microsOfSk(item.get(TableLayout.SK).s());
        return Optional.of(TableLayout.snapshotFromItems(range(pair, micros, micros + 1, Integer.MAX_VALUE, false)));
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
                        ":pk", AttributeValue.fromS(TableLayout.snapshotsPk(pair)),
                        ":from", AttributeValue.fromS(fromMicros < 0 ? "0" : TableLayout.snapshotSk(fromMicros, 0))))
                .projectionExpression("sk")
                .limit(1)
                .build());
        return response.items().isEmpty() ? Optional.empty()
                : Optional.of(microsOfSk(response.items().get(0).get(TableLayout.SK).s()));
    }

    /**
     * The snapshots with {@code fromMicros <= microtimestamp < toMicros}, oldest first, at most {@code max + 1} (so
     * a caller sees there are more).
     */
    public List<SnapshotRecord> between(String pair, long fromMicros, long toMicros, int max) {
        List<Map<String, AttributeValue>> items = range(pair, fromMicros, toMicros, max + 1, true);
        List<SnapshotRecord> snapshots = new ArrayList<>();
        List<Map<String, AttributeValue>> parts = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            parts.add(item);
            if (parts.size() == Integer.parseInt(parts.get(0).get(TableLayout.SNAPSHOT_PARTS).n())) {
                snapshots.add(TableLayout.snapshotFromItems(parts));
                parts = new ArrayList<>();
            }
        }
        return snapshots;
    }

    /** Items of snapshots in {@code [from, to)}; with {@code bySnapshot}, {@code max} counts snapshots, else items. */
    private List<Map<String, AttributeValue>> range(String pair, long fromMicros, long toMicros, int max,
            boolean bySnapshot) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int snapshots = 0;
        do {
            QueryResponse response = db.query(QueryRequest.builder()
                    .tableName(config.table())
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(TableLayout.snapshotsPk(pair)),
                            ":from", AttributeValue.fromS(TableLayout.snapshotSk(Math.max(0, fromMicros), 0)),
                            ":to", AttributeValue.fromS(TableLayout.snapshotSk(toMicros - 1, TableLayout.MAX_PART))))
                    .exclusiveStartKey(start)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                boolean firstPart = item.get(TableLayout.SK).s().endsWith("#000");
                if (firstPart) {
                    snapshots++;
                    if (bySnapshot && snapshots > max) {
                        return items;
                    }
                }
                items.add(item);
                if (!bySnapshot && items.size() >= max) {
                    return items;
                }
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
