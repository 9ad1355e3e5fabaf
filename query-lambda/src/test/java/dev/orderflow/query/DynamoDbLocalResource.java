package dev.orderflow.query;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
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

/**
 * DynamoDB Local on a free port, with the table created by {@link TableLayout#createTableRequest} and filled with
 * {@link Fixtures} through the real storage format. Hands the app its endpoint, static credentials and table name.
 */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "orderflow-test";

    private DynamoDbLocal db;

    @Override
    public Map<String, String> start() {
        db = DynamoDbLocal.start(0, null);
        try (DynamoDbClient client = DynamoDbClient.builder()
                .endpointOverride(db.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            client.createTable(TableLayout.createTableRequest(TABLE));
            Fixtures fixtures = Fixtures.get();
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            for (Chunk chunk : fixtures.chunks()) {
                items.add(TableLayout.toItem(chunk));
            }
            for (GapRecord gap : fixtures.gaps()) {
                items.add(TableLayout.toItem(gap));
            }
            items.addAll(fixtures.catalogItems());
            write(client, items);
        }
        return Map.of(
                "quarkus.dynamodb.endpoint-override", endpoint(db.endpoint()),
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "query.table", TABLE);
    }

    private static String endpoint(URI uri) {
        return uri.toString();
    }

    private static void write(DynamoDbClient client, List<Map<String, AttributeValue>> items) {
        for (int i = 0; i < items.size(); i += TableLayout.MAX_BATCH_WRITE) {
            List<WriteRequest> batch = items.subList(i, Math.min(items.size(), i + TableLayout.MAX_BATCH_WRITE))
                    .stream()
                    .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                    .toList();
            Map<String, List<WriteRequest>> pending = Map.of(TABLE, batch);
            while (!pending.isEmpty()) {
                BatchWriteItemResponse response = client.batchWriteItem(
                        BatchWriteItemRequest.builder().requestItems(pending).build());
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    @Override
    public void stop() {
        if (db != null) {
            db.close();
        }
    }
}
