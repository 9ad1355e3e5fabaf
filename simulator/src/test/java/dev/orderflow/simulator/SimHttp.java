package dev.orderflow.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;

/** Plain JDK HTTP calls to a running simulator. */
final class SimHttp {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private final int port;

    SimHttp(int port) {
        this.port = port;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** GET expecting 200 JSON. */
    JsonNode getJson(String path) throws IOException, InterruptedException {
        return ok(get(path));
    }

    /** POST expecting 200 JSON. */
    JsonNode postJson(String path) throws IOException, InterruptedException {
        return ok(post(path));
    }

    /** The frames sent on {@code channel}, from /sim/sent. */
    List<String> sent(String channel) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/sim/sent?channel=" + channel);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? List.of() : Arrays.asList(r.body().split("\n"));
    }

    long sentCount(String channel) throws IOException, InterruptedException {
        return getJson("/sim/stats").path("channels").path(channel).path("sent").asLong(-1);
    }

    private static JsonNode ok(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return Json.parseOrNull(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
