package dev.orderflow.query;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Small helpers for calling the API in tests; every call goes through the Lambda event path (see EventsResourceTest). */
public final class Api {
    private Api() {
    }

    /** ISO-8601 with µs, as a query parameter. */
    public static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }

    public static RequestSpecification request() {
        awaitFunction();
        return given().urlEncodingEnabled(true);
    }

    /** The application the function was last seen answering in (Quarkus restarts it when a class's resources differ). */
    private static volatile Object answering;

    /**
     * Once per running application, waits until the function answers a request. After Quarkus restarts the application
     * between test classes, the stopped application's Lambda poll loop may still take the first request from the
     * mock event server and never answer it (quarkusio/quarkus#15195): a test's first request then hangs for the
     * client's 30 s. A request with a short timeout, repeated (bounded), absorbs that lost one.
     */
    public static void awaitFunction() {
        Object app = io.quarkus.runtime.Application.currentApplication();
        if (app == null || app == answering) {
            return;
        }
        RestAssuredConfig quick = RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.connection.timeout", 5_000).setParam("http.socket.timeout", 5_000));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                given().config(quick).get("/v1/pairs");
                answering = app;
                return;
            } catch (Exception e) { // a read timeout comes through RestAssured unwrapped, though checked
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the function did not answer within 60 s", e);
                }
            }
        }
    }

    /** GET path with the parameters, expecting 200. */
    public static Response ok(String path, Map<String, ?> params) {
        return request().queryParams(params).get(path).then().statusCode(200).extract().response();
    }

    /** The body parsed exactly (decimals as BigDecimal, ids as they are). */
    public static JsonNode json(Response response) {
        try {
            return Frames.MAPPER.readTree(response.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NDJSON body: one parsed object per line. */
    public static List<JsonNode> ndjson(Response response) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.asString().split("\n")) {
            if (!line.isEmpty()) {
                try {
                    lines.add(Frames.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return lines;
    }

    /** The URL of the Link header value with this rel, or null. */
    public static String link(Response response, String rel) {
        for (String header : response.headers().getValues("Link")) {
            for (String value : header.split(",")) {
                String v = value.strip();
                if (v.endsWith("rel=\"" + rel + "\"")) {
                    return v.substring(v.indexOf('<') + 1, v.indexOf('>'));
                }
            }
        }
        return null;
    }

    /** JSON array elements as a list. */
    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
