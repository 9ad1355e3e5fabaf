package dev.orderflow.pipeline.lambda;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.orderflow.pipeline.LaunchException;
import io.quarkus.amazon.lambda.runtime.AmazonLambdaApi;
import io.quarkus.amazon.lambda.runtime.MockHttpEventServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * API Gateway (HTTP API, payload format 2.0) and the Lambda Runtime API on one port, as Quarkus runs them in dev and
 * test mode ({@link MockHttpEventServer}): an HTTP request becomes an {@code APIGatewayV2HTTPEvent} queued for
 * the next function process that polls {@code /_lambda_/2018-06-01/runtime/invocation/next}; its response
 * becomes the HTTP response. Each function process handles one invocation at a time, as in Lambda.
 *
 * <p>Added here: Lambda's 6 MB response payload limit (a larger response fails as it would in AWS), and a
 * signal when the first function process is ready.
 */
public final class FrontDoor extends MockHttpEventServer {
    /** Lambda's limit on a synchronous invocation's response payload, in bytes. */
    public static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
    /** What a function process uses as {@code AWS_LAMBDA_RUNTIME_API} behind {@code 127.0.0.1:<port>}. */
    public static final String RUNTIME_API_PATH = BASE_PATH;

    private final CountDownLatch firstPoll = new CountDownLatch(1);
    private final AtomicLong oversized = new AtomicLong();
    private volatile String initError;

    static {
        // The server logs every start and stop at INFO through java.util.logging; the launcher says it itself.
        Logger.getLogger("io.quarkus.amazon.lambda.runtime").setLevel(Level.WARNING);
    }

    /** Listens on {@code port} (0 = a free one). */
    public static FrontDoor listen(int port) {
        FrontDoor door = new FrontDoor();
        try {
            door.start(port);
        } catch (RuntimeException e) {
            door.close();
            Throwable cause = e.getCause() != null && e.getCause().getCause() != null ? e.getCause().getCause() : e;
            throw new LaunchException("the API cannot listen on port " + port + ": " + cause.getMessage(), e);
        }
        return door;
    }

    /** {@code 127.0.0.1:<port>/_lambda_}: the value of {@code AWS_LAMBDA_RUNTIME_API} for function processes. */
    public String runtimeApi() {
        return "127.0.0.1:" + getPort() + RUNTIME_API_PATH;
    }

    /** Waits until a function process has asked for its first invocation. */
    public boolean awaitFunctionReady(long timeout, TimeUnit unit) throws InterruptedException {
        return firstPoll.await(timeout, unit);
    }

    /** Responses refused for exceeding {@link #MAX_RESPONSE_BYTES}. */
    public long oversizedResponses() {
        return oversized.get();
    }

    /** What a function process reported to {@code /runtime/init/error} when it could not start, if one did. */
    public Optional<String> initError() {
        return Optional.ofNullable(initError);
    }

    @Override
    public void setupRoutes() {
        // Quarkus' server has no route for init errors: its catch-all would queue the report as an HTTP request
        // and the runtime client would wait forever for an answer.
        router.post(RUNTIME_API_PATH + AmazonLambdaApi.API_PATH_INIT_ERROR).handler(BodyHandler.create())
                .handler(ctx -> {
                    initError = ctx.body().asString();
                    ctx.response().setStatusCode(202).end();
                });
        super.setupRoutes();
    }

    @Override
    public void nextEvent(RoutingContext ctx) {
        firstPoll.countDown();
        super.nextEvent(ctx);
    }

    @Override
    public void processResponse(RoutingContext ctx, RoutingContext pending, Buffer buffer) {
        if (buffer != null && buffer.length() > MAX_RESPONSE_BYTES) {
            oversized.incrementAndGet();
            System.err.printf("[api] %s %s: the function's response is %,d bytes, over Lambda's limit of %,d;"
                            + " AWS fails this request the same way%n", pending.request().method(),
                    pending.request().uri(), buffer.length(), MAX_RESPONSE_BYTES);
            pending.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end("{\"message\":\"Internal Server Error\"}");
            return;
        }
        super.processResponse(ctx, pending, buffer);
    }

    @Override
    public void close() {
        try {
            super.close();
        } catch (IOException | RuntimeException e) {
            // stopping anyway
        }
    }
}
