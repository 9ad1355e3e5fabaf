package dev.orderflow.query.api;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import io.vertx.core.http.HttpServerRequest;
import software.amazon.awssdk.core.exception.SdkException;

/** Every failure becomes an RFC 9457 problem: ours, the framework's (404, 405, …) and, last, anything unexpected. */
public class ProblemMapper {
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ServerExceptionMapper
    public Response problem(Problem problem, HttpServerRequest request) {
        return toResponse(problem, request);
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "No resource at " + Params.shorten(request.path()) + ". Paths: /v1/book, "
                    + "/v1/book/snapshots, /v1/events, /v1/gaps, /v1/pairs, "
                    + "/v1/trades/candles, /q/openapi.";
            case 405 -> "Method " + request.method() + " is not allowed here; the API answers GET.";
            case 406 -> "None of the accepted media types can be produced.";
            case 415 -> "The API takes no request body.";
            default -> status >= 500 ? "The request failed on our side." : title + ".";
        };
        if (status >= 500) {
            Log.errorf(e, "Request %s %s failed", request.method(), request.path());
        }
        Response response = toResponse(Problem.of(status, slug(title), title, detail), request);
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    /** DynamoDB did not answer (throttled, unreachable, table missing): not the client's fault, try again later. */
    @ServerExceptionMapper
    public Response storage(SdkException e, HttpServerRequest request) {
        Log.errorf("Request %s %s: DynamoDB failed: %s", request.method(), request.path(), e.toString());
        Response response = toResponse(Problem.of(503, "storage-unavailable", "Storage unavailable",
                "The event store did not answer; try again shortly."), request);
        return Response.fromResponse(response).header("Retry-After", "1").build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        Log.errorf(e, "Request %s %s failed", request.method(), request.path());
        return toResponse(Problem.of(500, "internal", "Internal error", "The request failed on our side."), request);
    }

    private static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    static Response toResponse(Problem problem, HttpServerRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        if (request != null) {
            body.put("instance", request.path());
        }
        if (problem.parameter() != null) {
            body.put("parameter", problem.parameter());
        }
        String requestId = LambdaRequestId.of(request);
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        try {
            return Response.status(problem.status())
                    .type(PROBLEM_JSON)
                    .entity(JSON.writeValueAsBytes(body))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
