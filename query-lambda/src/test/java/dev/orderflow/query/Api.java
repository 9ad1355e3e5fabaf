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
     * Once per running application, waits until the function answers a request and no poll loop of a stopped
     * application is left. When Quarkus restarts the application between test classes, the stopped application's Lambda
     * poll loop can miss its shutdown (it opens its next long poll just as the shutdown disconnects the one before) and
     * keep waiting on the mock event server beside the new loop; the server hands each request to either, and the old
     * loop takes one and never answers it (quarkusio/quarkus#15195), so a later request hangs for the client's 30 s.
     * Requests with a short timeout, repeated (bounded), until one is answered and only one poll thread is alive, let
     * the old loop take its one request and end.
     */
    public static void awaitFunction() {
        Object app = io.quarkus.runtime.Application.currentApplication();
        if (app == null || app == answering) {
            return;
        }
        RestAssuredConfig quick = RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.connection.timeout", 5_000).setParam("http.socket.timeout", 5_000));
        long deadline = System.nanoTime() + 60_000_000_000L;
        boolean answered = false;
        while (!answered || pollThreads() > 1) {
            try {
                given().config(quick).get("/v1/pairs");
                answered = true;
            } catch (Exception e) { // a read timeout comes through RestAssured unwrapped, though checked
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the function did not answer within 60 s", e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(pollThreads() + " Lambda poll threads still alive after 60 s");
            }
        }
        answering = app;
    }

    /** Lambda poll loops alive in this JVM (Quarkus names each one's thread "Lambda Thread (TEST)"). */
    private static long pollThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("Lambda Thread")).count();
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
