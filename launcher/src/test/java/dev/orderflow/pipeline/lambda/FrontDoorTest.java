package dev.orderflow.pipeline.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.pipeline.LaunchException;

/**
 * The front door seen from both sides: an HTTP client, and a function process speaking the Lambda Runtime API
 * (played here by the test, as AWS's runtime client would).
 */
@org.junit.jupiter.api.Timeout(600)
class FrontDoorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FrontDoor door;
    private URI base;
    private URI runtime;

    @BeforeEach
    void open() {
        door = FrontDoor.listen(0);
        base = URI.create("http://127.0.0.1:" + door.getPort());
        runtime = URI.create("http://" + door.runtimeApi() + "/2018-06-01/runtime/invocation/");
    }

    @AfterEach
    void close() {
        door.close();
    }

    @Test
    void shouldTurnAnHttpRequestIntoAnApiGatewayV2EventAndTheFunctionsAnswerIntoTheHttpResponse() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(HttpRequest.newBuilder(
                        base.resolve("/v1/events?pair=btcusd&from=2026-01-01T00%3A00%3A00Z&format=ndjson"))
                .header("Accept", "application/x-ndjson").build(), HttpResponse.BodyHandlers.ofString());

        Invocation invocation = next();
        assertEquals("GET", invocation.event.at("/requestContext/http/method").asText());
        assertEquals("/v1/events", invocation.event.get("rawPath").asText());
        assertEquals("pair=btcusd&from=2026-01-01T00%3A00%3A00Z&format=ndjson",
                invocation.event.get("rawQueryString").asText());
        assertEquals("application/x-ndjson", header(invocation.event, "Accept"));

        ObjectNode response = JSON.createObjectNode().put("statusCode", 200).put("body", "{\"a\":\"0.10000000\"}\n");
        response.putObject("headers").put("Content-Type", "application/x-ndjson")
                .put("Link", "</v1/events?cursor=AQAB>; rel=\"next\"");
        respond(invocation.requestId, response);

        HttpResponse<String> received = answer.get(10, TimeUnit.SECONDS);
        assertEquals(200, received.statusCode());
        assertEquals("{\"a\":\"0.10000000\"}\n", received.body());
        assertEquals("application/x-ndjson", received.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("</v1/events?cursor=AQAB>; rel=\"next\"", received.headers().firstValue("Link").orElseThrow());
    }

    @Test
    void shouldSendBinaryBodiesCookiesSplitHeadersAndTextBeyondAsciiAsApiGatewayDoes() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> binary = http.sendAsync(HttpRequest.newBuilder(base.resolve("/b"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        Invocation first = next();
        byte[] bytes = {0, (byte) 0xff, 10, 34, 92};
        ObjectNode response = JSON.createObjectNode().put("statusCode", 201).put("isBase64Encoded", true)
                .put("body", Base64.getEncoder().encodeToString(bytes)).put("unknown", 1);
        response.putObject("headers").put("Content-Type", "application/octet-stream").put("X-Two", "a,b")
                .put("Last-Modified", "Mon, 23 Nov 2026 10:00:00 GMT");
        response.putArray("cookies").add("c=1").add("d=2");
        respond(first.requestId, response);
        HttpResponse<byte[]> received = binary.get(10, TimeUnit.SECONDS);
        assertEquals(201, received.statusCode());
        assertArrayEquals(bytes, received.body());
        assertEquals(List.of("a", "b"), received.headers().allValues("X-Two"));
        assertEquals(List.of("Mon, 23 Nov 2026 10:00:00 GMT"), received.headers().allValues("Last-Modified"));
        assertEquals(List.of("c=1", "d=2"), received.headers().allValues("Set-Cookie"));

        CompletableFuture<HttpResponse<String>> text = http.sendAsync(HttpRequest.newBuilder(base.resolve("/t"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Invocation second = next();
        String body = "{\"note\":\"\\\"é€😀\\n\"}\n".repeat(1000);
        respond(second.requestId, JSON.createObjectNode().put("statusCode", 200).put("body", body));
        assertEquals(body, text.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    void shouldAnswer500WhenTheFunctionsResponseIsNotAnApiGatewayResponse() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(HttpRequest.newBuilder(base.resolve("/x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Invocation invocation = next();
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(runtime.resolve(invocation.requestId
                        + "/response")).POST(HttpRequest.BodyPublishers.ofString("[1, 2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, posted.statusCode());
        assertEquals(500, answer.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void shouldQueueConcurrentRequestsForAFunctionThatTakesOneAtATime() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/pairs?n=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Invocation invocation = next();
            String query = invocation.event.get("rawQueryString").asText();
            served.add(query);
            respond(invocation.requestId, JSON.createObjectNode().put("statusCode", 200).put("body", query));
        }
        assertEquals(Set.of("n=0", "n=1", "n=2", "n=3", "n=4"), served);
        for (int i = 0; i < 5; i++) {
            assertEquals("n=" + i, answers.get(i).get(10, TimeUnit.SECONDS).body());
        }
    }

    @Test
    void shouldFailAResponseOverLambdasPayloadLimitAsAwsDoes() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                HttpRequest.newBuilder(base.resolve("/v1/export")).build(), HttpResponse.BodyHandlers.ofString());
        Invocation invocation = next();
        respond(invocation.requestId, JSON.createObjectNode().put("statusCode", 200)
                .put("body", "x".repeat(FrontDoor.MAX_RESPONSE_BYTES)));

        HttpResponse<String> received = answer.get(10, TimeUnit.SECONDS);
        assertEquals(500, received.statusCode());
        assertEquals(1, door.oversizedResponses());
    }

    @Test
    void shouldAnswer500WhenTheFunctionReportsAnError() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                HttpRequest.newBuilder(base.resolve("/v1/pairs")).build(), HttpResponse.BodyHandlers.ofString());
        Invocation invocation = next();
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(runtime.resolve(invocation.requestId + "/error"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"errorMessage\":\"boom\",\"errorType\":\"X\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, posted.statusCode());
        assertEquals(500, answer.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void shouldSignalReadinessOnlyOnceAFunctionPolls() throws Exception {
        assertFalse(door.awaitFunctionReady(50, TimeUnit.MILLISECONDS));
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(HttpRequest.newBuilder(runtime.resolve("next"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(door.awaitFunctionReady(10, TimeUnit.SECONDS));
        poll.cancel(true);
    }

    @Test
    void shouldNameThePortWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            LaunchException e = assertThrows(LaunchException.class, () -> FrontDoor.listen(taken.getLocalPort()));
            assertTrue(e.getMessage().contains(Integer.toString(taken.getLocalPort())), e.getMessage());
        }
    }

    private record Invocation(String requestId, JsonNode event) {
    }

    private Invocation next() throws Exception {
        HttpResponse<String> next = http.send(HttpRequest.newBuilder(runtime.resolve("next"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode());
        return new Invocation(next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow(),
                JSON.readTree(next.body()));
    }

    private void respond(String requestId, ObjectNode response) throws Exception {
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(runtime.resolve(requestId + "/response"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(response))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, posted.statusCode());
    }

    private static String header(JsonNode event, String name) {
        for (var it = event.get("headers").fields(); it.hasNext(); ) {
            var header = it.next();
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue().asText();
            }
        }
        throw new AssertionError("no header " + name + " in " + event);
    }
}
