package dev.orderflow.pipeline.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A client that asks the table each distinct {@code Query} once and then answers it from memory: the archive bench
 * times the archiver's own work (decoding, mapping, writing Parquet) apart from DynamoDB Local's reads. Every other
 * call is refused.
 */
final class HeldQueries implements DynamoDbClient {
    private final DynamoDbClient table;
    private final Map<QueryRequest, QueryResponse> held = new ConcurrentHashMap<>();

    HeldQueries(DynamoDbClient table) {
        this.table = table;
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        return held.computeIfAbsent(request, table::query);
    }

    @Override
    public String serviceName() {
        return table.serviceName();
    }

    @Override
    public void close() {
        held.clear();
    }
}
