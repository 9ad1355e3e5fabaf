package dev.orderflow.storage.book;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads stored snapshots and what is stored beside them with {@code Query} by key: the same reads for the capture's
 * certification and the query function's books, so that both skip the same incomplete snapshots.
 */
public final class SnapshotReads {
    private static final int KEYS_PER_PAGE = 50;

    private final DynamoDbClient db;
    private final String table;

    public SnapshotReads(DynamoDbClient db, String table) {
        this.db = db;
        this.table = table;
    }

    /** A snapshot passed over because not every part of it is stored. */
    public record Skipped(long microtimestamp, int parts, int found) {
    }

    /** The snapshot found, and the later ones passed over on the way to it (latest first). */
    public record Found(SnapshotRecord snapshot, List<Skipped> skipped) {
    }

    /**
     * The latest snapshot stamped in {@code [notBeforeMicros, atMicros]} with every part stored; a later one with
     * a part missing is passed over and listed. Empty when there is none; then {@code skipped} collects those
     * passed over.
     */
    public Optional<Found> latestComplete(String pair, long atMicros, long notBeforeMicros, List<Skipped> skipped) {
        Map<String, AttributeValue> start = null;
        long stamp = -1;
        int parts = 0;
        int found = 0;
        do {
            QueryResponse response = db.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)),
                            ":from", AttributeValue.fromS(SnapshotItems.snapshotSk(Math.max(0, notBeforeMicros), 0)),
                            ":to", AttributeValue.fromS(SnapshotItems.snapshotSk(atMicros, TableLayout.MAX_PART))))
                    .projectionExpression("sk, #parts").expressionAttributeNames(Map.of("#parts", "parts"))
                    .scanIndexForward(false).limit(KEYS_PER_PAGE).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                String sk = item.get(TableLayout.SK).s();
                long micros = microsOfSk(sk);
                if (micros != stamp) {
                    if (stamp >= 0 && found == parts) {
                        return load(pair, stamp).map(s -> new Found(s, List.copyOf(skipped)));
                    }
                    if (stamp >= 0) {
                        skipped.add(new Skipped(stamp, parts, found));
                    }
                    stamp = micros;
                    parts = 0;
                    found = 0;
                }
                AttributeValue n = item.get(SnapshotItems.SNAPSHOT_PARTS);
                parts = Math.max(parts, n == null ? 1 : Integer.parseInt(n.n()));
                found++;
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        if (stamp >= 0 && found == parts) {
            return load(pair, stamp).map(s -> new Found(s, List.copyOf(skipped)));
        }
        if (stamp >= 0) {
            skipped.add(new Skipped(stamp, parts, found));
        }
        return Optional.empty();
    }

    /** The snapshot stamped {@code micros} with all its parts, or empty when a part (or all) is missing. */
    public Optional<SnapshotRecord> load(String pair, long micros) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = db.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(SnapshotItems.snapshotsPk(pair)),
                            ":from", AttributeValue.fromS(SnapshotItems.snapshotSk(micros, 0)),
                            ":to", AttributeValue.fromS(SnapshotItems.snapshotSk(micros, TableLayout.MAX_PART))))
                    .exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        if (items.isEmpty() || items.size() != Integer.parseInt(items.get(0).get(SnapshotItems.SNAPSHOT_PARTS).n())) {
            return Optional.empty();
        }
        return Optional.of(SnapshotItems.snapshotFromItems(items));
    }

    /**
     * What is stored beside the snapshots stamped in {@code [fromMicros, toMicros)}, oldest first ({@code forward})
     * or latest first, at most {@code max}.
     */
    public List<SnapshotMeta> metas(String pair, long fromMicros, long toMicros, int max, boolean forward) {
        List<SnapshotMeta> out = new ArrayList<>();
        if (toMicros <= fromMicros) {
            return out;
        }
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = db.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(SnapshotItems.snapshotMetaPk(pair)),
                            ":from", AttributeValue.fromS(SnapshotItems.snapshotMetaSk(Math.max(0, fromMicros))),
                            ":to", AttributeValue.fromS(SnapshotItems.snapshotMetaSk(toMicros - 1))))
                    .scanIndexForward(forward).limit(Math.min(max, 500)).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                out.add(SnapshotItems.metaFromItem(item));
                if (out.size() >= max) {
                    return out;
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    static long microsOfSk(String sk) {
        return Long.parseLong(sk.substring(0, sk.indexOf('#')));
    }
}
