package dev.orderflow.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * DynamoDB Local on disk behind the capture role's {@link IamFront}, which the service talks to. Tests can stop
 * DynamoDB Local and start it again on the same port and data ({@link #outage}, {@link #restore}): the front then
 * drops each connection unanswered; or make the front answer every call with DynamoDB's throttling error
 * ({@link #throttle}); or take a permission away from the role ({@link #front}). The memory bound is made small
 * ({@link #MAX_HELD_BYTES}) so that an outage of a few seconds exceeds it.
 */
public class ProxiedDynamoDbResource implements QuarkusTestResourceLifecycleManager {
    static final String THROTTLED_BODY = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
            + "ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput "
            + "for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.\"}";

    static final long MAX_HELD_BYTES = 60_000;

    private static volatile DynamoDbLocal dynamoDb;
    private static volatile boolean throttling;
    private static final AtomicLong THROTTLED = new AtomicLong();
    private static int port;
    private static Path dataDir;
    private static IamFront front;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = TestDirs.create("dynamodb-local-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dynamoDb = DynamoDbLocal.start(0, dataDir);
        port = dynamoDb.port();
        front = DynamoDbLocalResource.captureFront(dynamoDb.endpoint());
        front.intercept(operation -> {
            if (!throttling) {
                return null;
            }
            THROTTLED.incrementAndGet();
            return new IamFront.Answer(400, THROTTLED_BODY);
        });
        Map<String, String> config = new HashMap<>(DynamoDbLocalResource.config(front));
        config.put("capture.writer.max-held-bytes", String.valueOf(MAX_HELD_BYTES));
        return config;
    }

    /** Stops DynamoDB Local (the data stays on disk). */
    static void outage() {
        dynamoDb.close();
    }

    /** Starts DynamoDB Local again on the same port and data directory. */
    static void restore() {
        dynamoDb = DynamoDbLocal.start(port, dataDir);
    }

    /** The capture role's front: a test may deny and allow actions while the service runs. */
    static IamFront front() {
        return front;
    }

    static void throttle(boolean on) {
        throttling = on;
    }

    static long throttledAnswers() {
        return THROTTLED.get();
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
