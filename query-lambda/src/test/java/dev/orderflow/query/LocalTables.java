package dev.orderflow.query;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
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

/**
 * What the tests' DynamoDB Local resources share: a client, batch writes, the IAM front the app reaches DynamoDB
 * Local through, and the app's configuration. Tests write their fixtures directly ({@link #direct()}); the app may
 * only do what template.yaml grants the query function.
 */
public final class LocalTables {
    /** Not a Quarkus setting: where the tests themselves reach DynamoDB Local, past the app's IAM front. */
    public static final String DIRECT_ENDPOINT = "orderflow.test.dynamodb-direct-endpoint";
    /** Not a Quarkus setting: where tests write as the capture role does, when the resource gives such a front. */
    public static final String CAPTURE_ENDPOINT = "orderflow.test.dynamodb-capture-endpoint";
    private static final Map<String, DynamoDbClient> DIRECT = new HashMap<>();

    private LocalTables() {
    }

    /** The query function's front (template.yaml's policy of {@code QueryFunction} for {@code table}). */
    public static IamFront queryFront(URI dynamoDb, String table) {
        return IamFront.forRole(dynamoDb, CfnTemplate.repositoryRoot().resolve("template.yaml"),
                IamPolicy.QUERY_FUNCTION, table);
    }

    /** The capture role's front (template.yaml's policy of {@code CaptureRole} for {@code table}). */
    public static IamFront captureFront(URI dynamoDb, String table) {
        return IamFront.forRole(dynamoDb, CfnTemplate.repositoryRoot().resolve("template.yaml"),
                IamPolicy.CAPTURE_ROLE, table);
    }

    /** A client writing as the capture role, through the running test resource's capture front. */
    public static synchronized DynamoDbClient asCapture() {
        String endpoint = ConfigProvider.getConfig().getValue(CAPTURE_ENDPOINT, String.class);
        return DIRECT.computeIfAbsent(endpoint, e -> client(URI.create(e)));
    }

    /** A client of DynamoDB Local itself (no IAM front) for the running test's resource, to write fixtures. */
    public static synchronized DynamoDbClient direct() {
        String endpoint = ConfigProvider.getConfig().getValue(DIRECT_ENDPOINT, String.class);
        return DIRECT.computeIfAbsent(endpoint, e -> client(URI.create(e)));
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

    /** The query app's configuration for a table in DynamoDB Local ({@code dynamoDb}) behind {@code front}. */
    public static Map<String, String> config(IamFront front, URI dynamoDb, String table) {
        return Map.of(
                DIRECT_ENDPOINT, dynamoDb.toString(),
                "quarkus.dynamodb.endpoint-override", front.endpoint().toString(),
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "query.table", table);
    }
}
