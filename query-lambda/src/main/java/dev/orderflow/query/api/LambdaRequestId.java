package dev.orderflow.query.api;

import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.amazonaws.services.lambda.runtime.Context;

import io.quarkus.vertx.http.runtime.QuarkusHttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sends the Lambda request id back as {@code X-Request-Id}, so that a client's report can be found in the logs.
 * It exists only when the request came through the Lambda event path (API Gateway, or the local Lambda front
 * door and Quarkus' mock event server), which is also how the tests know they went that way.
 */
public class LambdaRequestId {
    public static final String HEADER = "X-Request-Id";

    @ServerResponseFilter
    public void addHeader(ContainerResponseContext response, HttpServerRequest request) {
        String id = of(request);
        if (id != null) {
            response.getHeaders().putSingle(HEADER, id);
        }
    }

    /** The AWS request id of the Lambda invocation serving this request, or {@code null} outside Lambda. */
    static String of(HttpServerRequest request) {
        if (request != null && request.headers() instanceof QuarkusHttpHeaders headers) {
            Object context = headers.getContextObjects().get(Context.class);
            if (context instanceof Context lambda) {
                return lambda.getAwsRequestId();
            }
        }
        return null;
    }
}
