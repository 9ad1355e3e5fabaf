package dev.orderflow.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** DynamoDB Local (in memory, free port) for the tests, with the client settings that reach it. */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    private DynamoDbLocal dynamoDb;

    @Override
    public Map<String, String> start() {
        dynamoDb = DynamoDbLocal.start(0, null);
        Path journal;
        try {
            journal = Files.createTempDirectory("capture-journal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "capture.journal.dir", journal.toString(),
                "quarkus.dynamodb.endpoint-override", dynamoDb.endpoint().toString(),
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "capture.table.create", "true");
    }

    @Override
    public void stop() {
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }
}
