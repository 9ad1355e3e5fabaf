package dev.orderflow.query.gaps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The gap and disconnect records of a pair and channel. Events may be missing anywhere in a record's closed
 * interval {@code [from, to]} (lost events can share the millisecond of their neighbours), so a record concerns a
 * range {@code [a, b)} when {@code from < b} and {@code to >= a}.
 */
@ApplicationScoped
public class GapStore {
    private final DynamoDbClient db;
    private final QueryConfig config;

    public GapStore(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /** Records concerning {@code [from, to)}, oldest first; at most {@code max + 1} so a caller sees there are more. */
    public List<GapRecord> intersecting(String pair, Channel channel, long from, long to, int max) {
        List<GapRecord> gaps = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = db.query(QueryRequest.builder()
                    .tableName(config.table())
                    .keyConditionExpression("pk = :pk AND sk < :below")
                    .filterExpression("#to >= :from")
                    .expressionAttributeNames(Map.of("#to", TableLayout.GAP_TO))
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(TableLayout.gapsPk(pair, channel)),
                            ":below", AttributeValue.fromS(String.format("%016d", to)),
                            ":from", AttributeValue.fromN(Long.toString(from))))
                    .exclusiveStartKey(start)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                gaps.add(read(item, pair, channel, from, to));
                if (gaps.size() > max) {
                    return gaps;
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (start != null);
        return gaps;
    }

    /** A record as stored; one we cannot read still counts, as a gap over the whole range asked for. */
    private static GapRecord read(Map<String, AttributeValue> item, String pair, Channel channel, long from, long to) {
        try {
            return TableLayout.gapFromItem(item);
        } catch (RuntimeException e) {
            Log.warnf("Unreadable gap record %s counted as a gap over the range asked for: %s",
                    item.get(TableLayout.SK), e.toString());
            return new GapRecord(pair, channel, GapRecord.Kind.DISCONNECT, from, to, null, null, null,
                    "unreadable gap record");
        }
    }

    /** Whether any record exists for the pair and channel, at any time. */
    public boolean any(String pair, Channel channel) {
        return db.query(QueryRequest.builder()
                .tableName(config.table())
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.gapsPk(pair, channel))))
                .limit(1)
                .build()).count() > 0;
    }
}
