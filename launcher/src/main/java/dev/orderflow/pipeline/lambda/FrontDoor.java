package dev.orderflow.pipeline.lambda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.orderflow.pipeline.LaunchException;
import io.quarkus.amazon.lambda.runtime.AmazonLambdaApi;
import io.quarkus.amazon.lambda.runtime.MockHttpEventServer;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
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

    private static final JsonFactory JSON = new JsonFactory();

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
        if (buffer == null || pending.get(APIGatewayV2HTTPEvent.class.getName()) == null) {
            super.processResponse(ctx, pending, buffer);
            return;
        }
        try {
            answer(pending.response(), buffer);
        } catch (IOException | RuntimeException e) {
            System.err.printf("[api] %s %s: the function's response is not an API Gateway response: %s%n",
                    pending.request().method(), pending.request().uri(), e.getMessage());
            pending.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end("{\"message\":\"Internal Server Error\"}");
        }
    }

    /**
     * Sends the function's {@code APIGatewayV2HTTPResponse} as the HTTP response, as API Gateway does (and as
     * Quarkus' server does, which reads it into objects first). The body goes from the parser's characters straight
     * into bytes: a page of 10,000 events is about 5 MB, and the generic reading copied it four times.
     */
    private static void answer(HttpServerResponse response, Buffer buffer) throws IOException {
        ByteBuf in = buffer.getByteBuf();
        byte[] array = in.hasArray() ? in.array() : buffer.getBytes();
        int offset = in.hasArray() ? in.arrayOffset() + in.readerIndex() : 0;
        try (JsonParser json = JSON.createParser(array, offset, buffer.length())) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            int status = 200;
            Buffer body = null;
            boolean base64 = false;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName().toLowerCase(Locale.ROOT);
                JsonToken value = json.nextToken();
                switch (field) {
                    case "statuscode" -> status = json.getValueAsInt(200);
                    case "headers" -> {
                        while (value == JsonToken.START_OBJECT && json.nextToken() == JsonToken.FIELD_NAME) {
                            String name = json.currentName();
                            json.nextToken();
                            String text = json.getValueAsString();
                            if (text == null) {
                                json.skipChildren();
                                continue;
                            }
                            if (canHaveCommaValue(name)) {
                                response.headers().add(name, text);
                            } else {
                                for (String part : text.split(",")) {
                                    response.headers().add(name, part);
                                }
                            }
                        }
                    }
                    case "cookies" -> {
                        while (value == JsonToken.START_ARRAY && json.nextToken() != JsonToken.END_ARRAY) {
                            if (json.currentToken() == JsonToken.VALUE_STRING) {
                                response.headers().add("set-cookie", json.getText());
                            } else {
                                json.skipChildren();
                            }
                        }
                    }
                    case "body" -> {
                        body = value == JsonToken.VALUE_STRING ? utf8(json) : null;
                        json.skipChildren();
                    }
                    case "isbase64encoded" -> base64 = value == JsonToken.VALUE_TRUE;
                    default -> json.skipChildren();
                }
            }
            response.setStatusCode(status);
            if (body == null) {
                response.end();
            } else if (base64) {
                response.end(Buffer.buffer(Base64.getDecoder().decode(body.getBytes())));
            } else {
                response.end(body);
            }
        }
    }

    /** The current string value in UTF-8, without making a {@code String} of it (all ASCII, as pages are). */
    private static Buffer utf8(JsonParser json) throws IOException {
        char[] chars = json.getTextCharacters();
        int from = json.getTextOffset();
        int length = json.getTextLength();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            char c = chars[from + i];
            if (c >= 0x80) {
                return Buffer.buffer(new String(chars, from, length).getBytes(StandardCharsets.UTF_8));
            }
            bytes[i] = (byte) c;
        }
        return Buffer.buffer(bytes);
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
