package dev.orderflow.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * DynamoDB Local on disk behind a small HTTP proxy that the service talks to. Tests can stop DynamoDB Local and
 * start it again on the same port and data ({@link #outage}, {@link #restore}), or make the proxy answer every call
 * with DynamoDB's throttling error ({@link #throttle}). The memory bound is made small ({@link #MAX_HELD_BYTES}) so
 * that an outage of a few seconds exceeds it.
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
    private Vertx vertx;
    private HttpServer proxy;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("dynamodb-local-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dynamoDb = DynamoDbLocal.start(0, dataDir);
        port = dynamoDb.port();
        vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient();
        try {
            proxy = vertx.createHttpServer().requestHandler(req -> forward(client, req)).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("proxy did not start", e);
        }
        Path journal;
        try {
            journal = Files.createTempDirectory("capture-journal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "capture.writer.max-held-bytes", String.valueOf(MAX_HELD_BYTES),
                "capture.journal.dir", journal.toString(),
                "quarkus.dynamodb.endpoint-override", "http://127.0.0.1:" + proxy.actualPort(),
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "capture.table.create", "true");
    }

    private static void forward(HttpClient client, HttpServerRequest req) {
        req.body().onSuccess(body -> {
            if (throttling) {
                THROTTLED.incrementAndGet();
                req.response().setStatusCode(400).putHeader("Content-Type", "application/x-amz-json-1.0")
                        .end(THROTTLED_BODY);
                return;
            }
            client.request(req.method(), port, "127.0.0.1", req.uri())
                    .compose(out -> {
                        out.headers().setAll(req.headers());
                        return out.send(body);
                    })
                    .compose(in -> in.body().map(b -> {
                        req.response().setStatusCode(in.statusCode());
                        req.response().headers().setAll(in.headers()).remove("transfer-encoding");
                        req.response().end(b);
                        return b;
                    }))
                    .onFailure(e -> req.connection().close()); // DynamoDB unreachable: as if no one answered
        });
    }

    /** Stops DynamoDB Local (the data stays on disk). */
    static void outage() {
        dynamoDb.close();
    }

    /** Starts DynamoDB Local again on the same port and data directory. */
    static void restore() {
        dynamoDb = DynamoDbLocal.start(port, dataDir);
    }

    static void throttle(boolean on) {
        throttling = on;
    }

    static long throttledAnswers() {
        return THROTTLED.get();
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }
}
