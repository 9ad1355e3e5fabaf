package dev.orderflow.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local (in memory, free port) for the tests, with the table created as the SAM template creates it, and
 * the service's client pointed at an {@link IamFront} that grants it exactly what template.yaml's capture role
 * grants: a call outside that policy fails here as it would in AWS.
 */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    /** The table the service writes in the tests (its default name). */
    public static final String TABLE = "orderflow";

    private DynamoDbLocal dynamoDb;
    private IamFront front;

    @Override
    public Map<String, String> start() {
        dynamoDb = DynamoDbLocal.start(0, null);
        front = captureFront(dynamoDb.endpoint());
        return config(front);
    }

    /** Creates {@link #TABLE} directly in DynamoDB Local and starts the capture role's front before it. */
    static IamFront captureFront(URI dynamoDb) {
        try (DynamoDbClient direct = DynamoDbClient.builder()
                .endpointOverride(dynamoDb)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            direct.createTable(TableLayout.createTableRequest(TABLE));
            direct.waiter().waitUntilTableExists(b -> b.tableName(TABLE));
        }
        return IamFront.forRole(dynamoDb, CfnTemplate.repositoryRoot().resolve("template.yaml"),
                IamPolicy.CAPTURE_ROLE, TABLE);
    }

    /** The service's settings for a table behind {@code front}; the service does not create the table. */
    static Map<String, String> config(IamFront front) {
        Path journal;
        try {
            journal = TestDirs.create("capture-journal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "capture.journal.dir", journal.toString(),
                "capture.table.name", TABLE,
                "capture.table.create", "false",
                "quarkus.dynamodb.endpoint-override", front.endpoint().toString(),
                "quarkus.dynamodb.aws.region", IamPolicy.LOCAL_REGION,
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local");
    }

    @Override
    public void stop() {
        if (front != null) {
            front.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }
}
