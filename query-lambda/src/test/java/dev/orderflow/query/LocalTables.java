package dev.orderflow.query;

import java.net.URI;
import java.util.List;
import java.util.Map;

import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** What the tests' DynamoDB Local resources share: a client, batch writes, and the app's configuration. */
public final class LocalTables {
    private LocalTables() {
    }

    public static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Writes items with BatchWriteItem, 25 at a time, until DynamoDB has processed them all. */
    public static void write(DynamoDbClient client, String table, List<Map<String, AttributeValue>> items) {
        for (int i = 0; i < items.size(); i += TableLayout.MAX_BATCH_WRITE) {
            List<WriteRequest> batch = items.subList(i, Math.min(items.size(), i + TableLayout.MAX_BATCH_WRITE))
                    .stream()
                    .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                    .toList();
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            while (!pending.isEmpty()) {
                BatchWriteItemResponse response = client.batchWriteItem(
                        BatchWriteItemRequest.builder().requestItems(pending).build());
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    /** The query app's configuration for a table in DynamoDB Local. */
    public static Map<String, String> config(URI endpoint, String table) {
        return Map.of(
                "quarkus.dynamodb.endpoint-override", endpoint.toString(),
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "query.table", table);
    }
}
