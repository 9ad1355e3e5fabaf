package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.bench.QueryClient;
import dev.orderflow.pipeline.bench.SimulatorControl;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;

/**
 * Two packaged capture hosts as {@code ./pipeline run --captures 2} starts them, read through the packaged query
 * function: host a's connection is dropped while host b keeps receiving, then the exchange skips events. Walking
 * {@code /v1/events} gives every event sent, each once and in order; {@code /v1/gaps} gives one gap, the exchange's,
 * naming both hosts, and none for host a's disconnect.
 */
@org.junit.jupiter.api.Timeout(600)
class TwoHostsEndToEndTest {
    private static final String PAIR = "btcusd";

    @Test
    void shouldAnswerTheUnionOfTwoHostsWithOnlyTheGapBothMissed() throws Exception {
        Home home = Home.locate();
        assumeTrue(Files.isRegularFile(home.root().resolve("capture-service/target/quarkus-app/quarkus-run.jar"))
                        && Files.isRegularFile(home.root().resolve("query-lambda/target/function.zip")),
                "the packaged capture service and query function are missing: run ./mvnw verify from the root");
        Instant started = Instant.now();
        try (Components parts = new Components()) {
            DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
            Simulator sim = parts.add(Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                    .withPairs(List.of(PAIR))));
            SimulatorControl simulator = new SimulatorControl(sim.port());
            LocalAws.createTable(db.endpoint(), LocalAws.DEFAULT_TABLE);
            IamFront captureFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE,
                    LocalAws.DEFAULT_TABLE));
            IamFront queryFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION,
                    LocalAws.DEFAULT_TABLE));
            List<CaptureProcess> hosts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                        URI.create("ws://127.0.0.1:" + sim.port()), PAIR));
                env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), LocalAws.DEFAULT_TABLE));
                env.putAll(CaptureProcess.journalEnvironment(parts.add(Scratch.create("orderflow-hosts-")).path()));
                env.putAll(CaptureProcess.hostEnvironment(CaptureProcess.hostName(i), i));
                env.put("CAPTURE_WRITER_CATALOG_INTERVAL", "1s");
                hosts.add(parts.add(CaptureProcess.start(home.captureJar(), env, Ports.free(), System.out)));
            }
            LocalLambda lambda = parts.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                    Home.QUARKUS_HANDLER, 0, 1, LocalAws.queryFunction(queryFront.endpoint(), LocalAws.DEFAULT_TABLE),
                    System.out));
            QueryClient api = new QueryClient(URI.create("http://127.0.0.1:" + lambda.port()));
            for (CaptureProcess host : hosts) {
                host.awaitReady(Duration.ofSeconds(90));
            }
            lambda.awaitReady(Duration.ofSeconds(90));

            simulator.emit(PAIR, 300);
            double reconnects = Poll.metric(hosts.get(0), "capture_reconnects_total");
            simulator.fault("drop", "client=host%20a");
            simulator.emit(PAIR, 300); // host a is reconnecting: b alone receives some of these
            Poll.until(Duration.ofSeconds(60), "host a to reconnect",
                    () -> Poll.metric(hosts.get(0), "capture_reconnects_total") > reconnects);
            hosts.get(0).awaitReady(Duration.ofSeconds(60));
            Thread.sleep(3_000); // one host at a time: past both hosts' receiving margins and a catalog update
            simulator.fault("skip", "channel=live_orders_" + PAIR + "&count=3"); // both hosts miss these
            simulator.emit(PAIR, 300);

            String from = started.minusSeconds(60).toString();
            String to = Instant.now().plusSeconds(1).toString();
            Map<Channel, List<ObjectNode>> sent = Map.of(
                    Channel.ORDERS, simulator.sent(Channel.ORDERS.wireName(PAIR)),
                    Channel.TRADES, simulator.sent(Channel.TRADES.wireName(PAIR)));
            Poll.until(Duration.ofSeconds(90), "the API to answer every event sent and one gap per channel",
                    () -> answers(api, sent, from, to));
            JsonNode gap = gaps(api, Channel.ORDERS, from, to).get("gaps").get(0);
            assertEquals("chain_break", gap.get("kind").asText(), gap.toString());
            assertEquals("[\"a\",\"b\"]", gap.get("hosts").toString(), gap.toString());
            // trades carry no chain: each host's orders break is its trades' gap too (host a's own trades record may
            // reach further: its trades channel, closed only by its next trade after the reconnect, may still have
            // been in its disconnect window)
            JsonNode trades = gaps(api, Channel.TRADES, from, to).get("gaps").get(0);
            assertEquals("chain_break", trades.get("kind").asText(), trades.toString());
            assertTrue(trades.get("from_microtimestamp").asLong() <= gap.get("from_microtimestamp").asLong()
                    && trades.get("to_microtimestamp").asLong() >= gap.get("to_microtimestamp").asLong(),
                    "the trades' gap " + trades + " covers the orders' " + gap);
            assertEquals("[\"a\",\"b\"]", trades.get("hosts").toString(), trades.toString());
        }
    }

    /** Whether the API answers exactly the events sent, in order, and the gaps expected (one per channel). */
    private static boolean answers(QueryClient api, Map<Channel, List<ObjectNode>> sent, String from, String to)
            throws Exception {
        for (Channel channel : Channel.values()) {
            List<ObjectNode> events = api.all(PAIR, channel.apiName(), from, to, 1000, "ndjson");
            List<String> expected = sent.get(channel).stream().map(f -> f.get("data").get("microtimestamp").asText()
                    + "/" + (f.get("data").has("id_str") ? f.get("data").get("id_str").asText()
                    : f.get("data").get("id").bigIntegerValue().toString())).toList();
            List<String> answered = events.stream().map(e -> e.get("microtimestamp").asText() + "/"
                    + e.get("id").asText()).toList();
            if (!expected.equals(answered)) {
                System.out.printf("TwoHostsEndToEndTest: %s: %d events answered of %d sent%n", channel.apiName(),
                        answered.size(), expected.size());
                return false;
            }
            int gaps = gaps(api, channel, from, to).get("gaps").size();
            if (gaps != 1) {
                System.out.printf("TwoHostsEndToEndTest: %s: %d gaps%n", channel.apiName(), gaps);
                return false;
            }
        }
        return true;
    }

    private static JsonNode gaps(QueryClient api, Channel channel, String from, String to) throws Exception {
        return Frames.parse(api.get("/v1/gaps?pair=" + PAIR + "&channel=" + channel.apiName() + "&from=" + from
                + "&to=" + to).body());
    }
}
