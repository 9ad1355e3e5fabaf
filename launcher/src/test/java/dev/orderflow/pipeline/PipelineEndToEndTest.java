package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.bench.Prometheus;
import dev.orderflow.pipeline.bench.QueryClient;
import dev.orderflow.pipeline.bench.SimulatorControl;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.Channel;

/**
 * The whole path on real parts, each as it runs for a user: the simulator emits events of two pairs, the packaged
 * capture service stores them in DynamoDB Local, and the packaged query function, invoked through API Gateway v2
 * events by AWS's Lambda runtime client, returns exactly those events in JSON and NDJSON.
 */
@org.junit.jupiter.api.Timeout(600)
class PipelineEndToEndTest {
    /** Order events emitted per pair: more than one 1,000-event page, so the cursor is followed. */
    private static final int ORDER_EVENTS = 1_200;
    private static final List<String> PAIRS = List.of("btcusd", "ethusd");
    /** Fields of an exchange frame that the API renames or turns into its own fields. */
    private static final Set<String> RENDERED = Set.of("id", "id_str", "price", "price_str", "amount", "amount_str",
            "microtimestamp");

    private static Components parts;
    private static SimulatorControl simulator;
    private static CaptureProcess capture;
    private static QueryClient api;
    private static Instant started;

    @BeforeAll
    static void startPipeline() throws Exception {
        Home home = Home.locate();
        assumeTrue(Files.isRegularFile(home.root().resolve("capture-service/target/quarkus-app/quarkus-run.jar"))
                        && Files.isRegularFile(home.root().resolve("query-lambda/target/function.zip")),
                "the packaged capture service and query function are missing: run ./mvnw verify from the"
                        + " repository root (this module is built after them)");
        started = Instant.now();
        parts = new Components();
        DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
        Simulator sim = parts.add(Simulator.start(
                SimulatorOptions.defaults().withPort(0).withRate(0).withPairs(PAIRS)));
        simulator = new SimulatorControl(sim.port());

        // as deployed: the template's table, each application limited to its role's grants
        LocalAws.createTable(db.endpoint(), LocalAws.DEFAULT_TABLE);
        IamFront captureFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE,
                LocalAws.DEFAULT_TABLE));
        IamFront queryFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION,
                LocalAws.DEFAULT_TABLE));
        Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                URI.create("ws://127.0.0.1:" + sim.port()), String.join(",", PAIRS)));
        env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), LocalAws.DEFAULT_TABLE));
        env.putAll(CaptureProcess.journalEnvironment(parts.add(Scratch.create("orderflow-e2e-journal-")).path()));
        capture = parts.add(CaptureProcess.start(home.captureJar(), env, Ports.free(), System.out));
        LocalLambda lambda = parts.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                Home.QUARKUS_HANDLER, 0, 2, LocalAws.queryFunction(queryFront.endpoint(), LocalAws.DEFAULT_TABLE),
                System.out));
        api = new QueryClient(URI.create("http://127.0.0.1:" + lambda.port()));
        capture.awaitReady(Duration.ofSeconds(90));
        lambda.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopPipeline() {
        if (parts != null) {
            parts.close();
        }
    }

    @Test
    void shouldReturnExactlyTheEmittedEventsOfEveryPairAndChannelWithTheExchangesDecimalsAndIds() throws Exception {
        for (String pair : PAIRS) {
            simulator.emit(pair, ORDER_EVENTS);
        }
        Map<String, List<ObjectNode>> sent = new LinkedHashMap<>();
        for (String pair : PAIRS) {
            for (Channel channel : Channel.values()) {
                sent.put(pair + "#" + channel.apiName(), simulator.sent(channel.wireName(pair)));
            }
        }
        for (String pair : PAIRS) {
            assertEquals(ORDER_EVENTS, sent.get(pair + "#orders").size(), "order events the simulator sent on " + pair);
        }
        awaitStored(sent, Duration.ofSeconds(60));
        // the API knows a pair once the capture has written its catalog item (every catalog interval, 5 s)
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String pairs = api.get("/v1/pairs").body();
                    return PAIRS.stream().allMatch(pair -> pairs.contains("\"" + pair + "\""));
                });

        String from = started.minusSeconds(60).toString();
        String to = Instant.now().plusSeconds(60).toString();
        for (String pair : PAIRS) {
            for (Channel channel : Channel.values()) {
                List<ObjectNode> expected = sent.get(pair + "#" + channel.apiName());
                List<ObjectNode> json = api.all(pair, channel.apiName(), from, to, 1000, "json");
                List<ObjectNode> ndjson = api.all(pair, channel.apiName(), from, to, 1000, "ndjson");
                assertEquals(expected.size(), json.size(), pair + " " + channel.apiName() + " events in JSON");
                for (int i = 0; i < expected.size(); i++) {
                    assertSameEvent(pair, channel, expected.get(i), json.get(i));
                }
                assertEquals(json, ndjson, pair + " " + channel.apiName() + ": NDJSON differs from JSON");
            }
        }
    }

    @Test
    void shouldAnswerConcurrentRequestsThroughTheLambdaFrontDoor() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> api.get("/v1/pairs")));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the capture service reports every sent event of every pair and channel as stored. */
    private static void awaitStored(Map<String, List<ObjectNode>> sent, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Double> stored = new LinkedHashMap<>();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = capture.metrics();
            Prometheus metrics = new Prometheus(text);
            boolean all = true;
            for (Map.Entry<String, List<ObjectNode>> entry : sent.entrySet()) {
                String[] key = entry.getKey().split("#");
                double count = metrics.sum(CaptureProcess.EVENTS_STORED_BY_CHANNEL,
                        Map.of("pair", key[0], "channel", key[1]));
                stored.put(entry.getKey(), count);
                all &= count >= entry.getValue().size();
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        String events = String.join("\n", text.lines().filter(l -> l.startsWith("capture_events")).toList());
        throw new AssertionError("not every sent event was stored within " + timeout + ": stored " + stored
                + "; the capture service's event metrics:\n" + events);
    }

    /**
     * The API event carries the frame's exact strings: {@code id} (from {@code id_str}, or the integer {@code id}),
     * {@code price}/{@code amount} (from {@code price_str}/{@code amount_str}), the integer microtimestamp, the side
     * from {@code order_type}/{@code type}, and every other field the exchange sent, with the same value.
     */
    private static void assertSameEvent(String pair, Channel channel, ObjectNode frame, ObjectNode event) {
        JsonNode data = frame.get("data");
        String where = pair + " " + channel.apiName() + " event " + data.get("id") + ": ";
        assertEquals(pair, text(event, "pair"), where + "pair");
        assertEquals(channel.apiName(), text(event, "channel"), where + "channel");
        assertEquals(frame.get("event").asText(), text(event, "type"), where + "type");
        assertEquals(Long.parseLong(data.get("microtimestamp").asText()), event.get("microtimestamp").longValue(),
                where + "microtimestamp");
        assertEquals(data.has("id_str") ? data.get("id_str").asText() : data.get("id").bigIntegerValue().toString(),
                text(event, "id"), where + "id");
        assertEquals(data.get("price_str").asText(), text(event, "price"), where + "price");
        assertEquals(data.get("amount_str").asText(), text(event, "amount"), where + "amount");
        String sideField = channel == Channel.ORDERS ? "order_type" : "type";
        assertEquals(data.get(sideField).asInt() == 0 ? "buy" : "sell", text(event, "side"), where + "side");
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!RENDERED.contains(field.getKey()) && !field.getKey().equals(sideField)) {
                assertSameValue(where + field.getKey(), field.getValue(), event.get(field.getKey()));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = frame.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!Set.of("data", "channel", "event").contains(field.getKey())) {
                assertSameValue(where + field.getKey(), field.getValue(), event.get(field.getKey()));
            }
        }
    }

    /** Equal JSON values (decimals compared with their scale); an integer id may come back as its digit string. */
    private static void assertSameValue(String what, JsonNode sent, JsonNode returned) {
        assertNotNull(returned, what + " is missing");
        if (sent.isIntegralNumber() && returned.isTextual()) {
            assertEquals(sent.bigIntegerValue().toString(), returned.textValue(), what);
        } else {
            assertEquals(sent, returned, what);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        assertNotNull(value, "event has no " + field + ": " + node);
        assertTrue(value.isTextual(), field + " is not a string: " + node);
        return value.textValue();
    }
}
