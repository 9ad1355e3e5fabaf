package dev.orderflow.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;
import io.restassured.RestAssured;

/**
 * Invokes the function with a hand-made API Gateway HTTP API (payload v2) event, the way API Gateway does, through
 * the mock event server's {@code POST /_lambda_}; the answer is the function's raw response event. This reaches the
 * function with request lines no HTTP client would send and shows the response exactly as Lambda returns it.
 */
public final class LambdaEvents {
    private LambdaEvents() {
    }

    public static JsonNode invoke(String rawPath, String rawQueryString) {
        return invoke(rawPath, rawQueryString, Map.of());
    }

    public static JsonNode invoke(String rawPath, String rawQueryString, Map<String, String> headers) {
        ObjectNode event = Frames.MAPPER.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", rawPath);
        event.put("rawQueryString", rawQueryString);
        ObjectNode h = event.putObject("headers");
        h.put("host", "localhost");
        headers.forEach(h::put);
        ObjectNode http = event.putObject("requestContext").putObject("http");
        http.put("method", "GET");
        http.put("path", rawPath);
        http.put("sourceIp", "127.0.0.1");
        event.put("isBase64Encoded", false);
        Api.awaitFunction();
        byte[] response = RestAssured.given().contentType("application/json").body(Frames.toJson(event))
                .post("/_lambda_")
                .then().statusCode(200)
                .extract().asByteArray();
        try {
            return Frames.MAPPER.readTree(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
