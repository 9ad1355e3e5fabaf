package dev.orderflow.capture.store;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The writer's calls to the table, each with its fault-tolerance policy. */
@ApplicationScoped
public class TableClient {
    private final DynamoDbClient dynamoDb;
    private final CaptureConfig.Table table;

    public TableClient(DynamoDbClient dynamoDb, CaptureConfig config) {
        this.dynamoDb = dynamoDb;
        this.table = config.table();
    }

    public String tableName() {
        return table.name();
    }

    /** One {@code BatchWriteItem} call; the caller resends what comes back unprocessed. */
    @Retry(maxRetries = 4, delay = 100, jitter = 50, retryOn = SdkException.class,
            abortOn = CircuitBreakerOpenException.class)
    @ExponentialBackoff(maxDelay = 2, maxDelayUnit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public BatchWriteItemResponse batchWrite(List<WriteRequest> requests) {
        return dynamoDb.batchWriteItem(BatchWriteItemRequest.builder()
                .requestItems(Map.of(table.name(), requests))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                .build());
    }

    /** Every stored item (all parts) of one window, read consistently. */
    @Retry(maxRetries = 4, delay = 100, jitter = 50, retryOn = SdkException.class)
    @ExponentialBackoff(maxDelay = 2, maxDelayUnit = ChronoUnit.SECONDS)
    public List<Map<String, AttributeValue>> windowItems(String pair, Channel channel, long windowStartMicros) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse page = dynamoDb.query(QueryRequest.builder()
                    .tableName(table.name())
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                    .expressionAttributeNames(Map.of("#pk", TableLayout.PK, "#sk", TableLayout.SK))
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS(TableLayout.chunkPk(pair, channel)),
                            ":lo", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, 0)),
                            ":hi", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, TableLayout.MAX_PART))))
                    .exclusiveStartKey(startKey)
                    .build());
            items.addAll(page.items());
            startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
        return items;
    }

    /** Records a channel's stored range in its catalog item ({@code first} only where none is recorded yet). */
    @Retry(maxRetries = 4, delay = 100, jitter = 50, retryOn = SdkException.class)
    @ExponentialBackoff(maxDelay = 2, maxDelayUnit = ChronoUnit.SECONDS)
    public void updateCatalog(String pair, Channel channel, long firstMicros, long lastMicros, long updatedMicros) {
        dynamoDb.updateItem(UpdateItemRequest.builder()
                .tableName(table.name())
                .key(Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                        TableLayout.SK, AttributeValue.fromS(TableLayout.chunkPk(pair, channel))))
                .updateExpression("SET #first = if_not_exists(#first, :first), #last = :last, #updated = :updated")
                .expressionAttributeNames(Map.of("#first", TableLayout.CATALOG_FIRST,
                        "#last", TableLayout.CATALOG_LAST, "#updated", TableLayout.CATALOG_UPDATED))
                .expressionAttributeValues(Map.of(
                        ":first", AttributeValue.fromN(Long.toString(firstMicros)),
                        ":last", AttributeValue.fromN(Long.toString(lastMicros)),
                        ":updated", AttributeValue.fromN(Long.toString(updatedMicros))))
                .build());
    }

    /**
     * The end of a channel's stored range from its catalog item (µs), if recorded; one consistent read, no retries
     * (used once at start, where an unreachable table must not delay receiving).
     */
    public java.util.OptionalLong catalogLast(String pair, Channel channel) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table.name()).consistentRead(true)
                .key(Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                        TableLayout.SK, AttributeValue.fromS(TableLayout.chunkPk(pair, channel))))).item();
        AttributeValue last = item == null ? null : item.get(TableLayout.CATALOG_LAST);
        return last == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Long.parseLong(last.n()));
    }

    /** Creates the table when it is missing and creation is enabled, and waits until it is active. */
    public void ensureTable() {
        try {
            dynamoDb.describeTable(b -> b.tableName(table.name()));
            return;
        } catch (ResourceNotFoundException missing) {
            if (!table.create()) {
                Log.errorf("Table %s does not exist and capture.table.create is false: writes will wait for it",
                        table.name());
                return;
            }
        }
        Log.infof("Creating table %s", table.name());
        try {
            dynamoDb.createTable(TableLayout.createTableRequest(table.name()));
        } catch (ResourceInUseException beingCreated) {
            Log.infof("Table %s is being created by someone else", table.name());
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table.name()));
        Log.infof("Table %s is active", table.name());
    }
}
