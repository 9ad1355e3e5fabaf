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
 * ({@link #throttle}); or lose the answers of puts that were stored ({@link #loseAnswers}); or take a permission
 * away from the role ({@link #front}). The memory bound is made small
 * ({@link #MAX_HELD_BYTES}) so that an outage of a few seconds exceeds it.
 */
public class ProxiedDynamoDbResource implements QuarkusTestResourceLifecycleManager {
    static final String THROTTLED_BODY = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
            + "ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput "
            + "for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.\"}";

    /** What DynamoDB answers when it fails internally (HTTP 500): whether the call took effect is unknown. */
    static final String LOST_BODY = "{\"__type\":\"com.amazon.coral.service#InternalFailure\","
            + "\"message\":\"The server encountered an internal error trying to fulfill the request.\"}";

    static final long MAX_HELD_BYTES = 60_000;
    private static final AtomicLong TO_LOSE = new AtomicLong();
    private static final AtomicLong LOST = new AtomicLong();

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
            if (throttling) {
                THROTTLED.incrementAndGet();
                return new IamFront.Answer(400, THROTTLED_BODY);
            }
            if ("PutItem".equals(operation) && TO_LOSE.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                LOST.incrementAndGet();
                return new IamFront.Answer(500, LOST_BODY, true);
            }
            return null;
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

    /**
     * The next {@code count} PutItem calls reach DynamoDB and are stored, but their answers are lost: the service is
     * answered with an internal error instead, as when a response does not make it back.
     */
    static void loseAnswers(int count) {
        TO_LOSE.set(count);
    }

    static long lostAnswers() {
        return LOST.get();
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
