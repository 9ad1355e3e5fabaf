package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;

/** The simulator's {@code /sim/...} endpoints: emit events on demand, read back what it sent, its stats. */
public final class SimulatorControl {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @param port the simulator's port on 127.0.0.1 */
    public SimulatorControl(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** {@code POST /sim/emit?pair=P&count=N}: N order events (and the trades they cause) right now. */
    public JsonNode emit(String pair, int count) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri("/sim/emit?pair=" + enc(pair) + "&count=" + count))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code GET /sim/sent?channel=C}: every frame sent on a wire channel, in order, numbers parsed exactly. */
    public List<ObjectNode> sent(String wireChannel) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri("/sim/sent?channel=" + enc(wireChannel)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("/sim/sent answered " + answer.statusCode() + ": " + answer.body());
        }
        List<ObjectNode> frames = new ArrayList<>();
        for (String line : answer.body().split("\n")) {
            if (!line.isBlank()) {
                frames.add(Frames.parse(line));
            }
        }
        return frames;
    }

    /** {@code POST /sim/pause}: the source stops generating (or replaying). */
    public void pause() throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/sim/pause")).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code POST /sim/faults/<fault>?<query>}: injects a fault (see the simulator's fault table). */
    public JsonNode fault(String fault, String query) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri("/sim/faults/" + fault + (query.isEmpty() ? "" : "?" + query)))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code GET /sim/stats}. */
    public JsonNode stats() throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri("/sim/stats")));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException(answer.request().uri() + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return Frames.MAPPER.readTree(answer.body());
    }

    private URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
