package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The packaged capture against the simulator's exchange-like default (REST books cached and behind the stream),
 * read through the packaged query function: the exchange asks for a reconnect twice in a row (the second request
 * reaches the new connection while the first switch is under way), then to a server ahead of the old one, later to
 * one behind it. At the last event before the first request, and after each switch, {@code /v1/book} (level 3) must say
 * {@code complete: true} and equal the simulator's true book, order by order in queue order; and no gap is recorded. (Right after
 * the switch to the server behind, the capture has not received the exchange's last 40 events yet, and the book at
 * the last event sent is rightly not complete until trading goes on.)
 */
@org.junit.jupiter.api.Timeout(600)
class ReconnectBookEndToEndTest {
    private static final String PAIR = "btcusd";
    private static final String ORDERS = Channel.ORDERS.wireName(PAIR);

    /** An instant (the last event sent) and the simulator's true L3 book at it. */
    private record Truth(String what, long micros, JsonNode book) {
    }

    @Test
    void shouldServeTheTrueBookAfterReconnectsToServersAheadAndBehind() throws Exception {
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
            QueryClient exchange = new QueryClient(URI.create("http://127.0.0.1:" + sim.port()));
            LocalAws.createTable(db.endpoint(), LocalAws.DEFAULT_TABLE);
            IamFront captureFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE,
                    LocalAws.DEFAULT_TABLE));
            IamFront queryFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION,
                    LocalAws.DEFAULT_TABLE));
            Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                    URI.create("ws://127.0.0.1:" + sim.port()), PAIR));
            env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), LocalAws.DEFAULT_TABLE));
            env.putAll(CaptureProcess.journalEnvironment(parts.add(Scratch.create("orderflow-reconnect-")).path()));
            env.put("CAPTURE_WRITER_CATALOG_INTERVAL", "1s");
            env.put("CAPTURE_SNAPSHOT_CONNECT_DELAY", "1s");
            env.put("CAPTURE_FEED_OVERLAP_TIMEOUT", "60s"); // see the switches to servers ahead and behind
            CaptureProcess capture = parts.add(CaptureProcess.start(home.captureJar(), env, Ports.free(), System.out));
            LocalLambda lambda = parts.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                    Home.QUARKUS_HANDLER, 0, 1, LocalAws.queryFunction(queryFront.endpoint(), LocalAws.DEFAULT_TABLE),
                    System.out));
            QueryClient api = new QueryClient(URI.create("http://127.0.0.1:" + lambda.port()));
            capture.awaitReady(Duration.ofSeconds(90));
            lambda.awaitReady(Duration.ofSeconds(90));

            // events flow until the connect snapshot is stored: every book below starts from it or a later one
            Poll.until(Duration.ofSeconds(60), "the connect snapshot", () -> {
                simulator.emit(PAIR, 20);
                return Poll.metric(capture, "capture_snapshots_total") >= 1;
            });
            simulator.emit(PAIR, 200);
            List<Truth> truths = new ArrayList<>();
            truths.add(truth(simulator, exchange, "before the reconnects"));
            // a second request while a switch is under way reaches the new connection too: acted on after it
            double before = Poll.metric(capture, "capture_reconnects_total");
            // The servers close late (5 s, then 20 s): the third connection opens only once the first is gone, and
            // must be subscribed before the second closes, or the capture rightly records a disconnect.
            simulator.fault("request-reconnect", "seconds=5");
            // no event meanwhile: the old connection stays until the chains join or the server closes it
            Poll.until(Duration.ofSeconds(30), "the new connection of the first switch",
                    () -> Poll.metric(capture, "capture_reconnects_total") > before
                            && simulator.stats().path("connections").asInt() == 2);
            simulator.fault("request-reconnect", "seconds=20");
            Poll.until(Duration.ofSeconds(60), "both switches", () -> {
                simulator.emit(PAIR, 20);
                return Poll.metric(capture, "capture_reconnects_total") >= before + 2
                        && simulator.stats().path("connections").asInt() == 1;
            });
            simulator.emit(PAIR, 200);
            truths.add(truth(simulator, exchange, "after a second request during a switch"));
            for (String server : List.of("ahead=40", "behind=40")) {
                double reconnects = Poll.metric(capture, "capture_reconnects_total");
                // The old server pays the 40 events per channel it owes (those sent before the new connection
                // subscribed) only as 40 more of the channel are sent (40 trades: about 800 order events); if it
                // closed first, they would be lost on both servers and the capture would rightly record the window.
                // Its close (and the capture's overlap timeout) come late enough for that on a slow machine; the
                // capture closes it itself as soon as the chains and the trades meet, so the switch takes no longer.
                simulator.fault("request-reconnect", "seconds=60&" + server);
                Poll.until(Duration.ofSeconds(120), "the switch to the server " + server, () -> {
                    // the exchange keeps trading through the switch; the old server pays its trades 40 trades late
                    simulator.emit(PAIR, 200);
                    return Poll.metric(capture, "capture_reconnects_total") > reconnects
                            && simulator.stats().path("connections").asInt() == 1; // the old one is closed
                });
                simulator.emit(PAIR, 200);
                truths.add(truth(simulator, exchange, "after the switch to a server " + server));
            }
            // trading goes on: a server 40 events behind delivers the last instant's events only after 40 more
            simulator.emit(PAIR, 100);

            for (Truth truth : truths) {
                Poll.until(Duration.ofSeconds(90), "the book " + truth.what() + " to be complete and true",
                        () -> sameBook(api, truth));
            }
            // every switch was make-before-break: no disconnect, no chain break
            String range = "from=" + started + "&to=" + Instant.now();
            for (Channel channel : Channel.values()) {
                JsonNode gaps = Frames.parse(api.get("/v1/gaps?pair=" + PAIR + "&channel=" + channel.apiName() + "&"
                        + range).body()).get("gaps");
                assertEquals(0, gaps.size(), channel.apiName() + ": " + gaps);
            }
        }
    }

    private static Truth truth(SimulatorControl simulator, QueryClient exchange, String what) throws Exception {
        List<ObjectNode> sent = simulator.sent(ORDERS);
        long micros = Frames.microtimestamp(sent.get(sent.size() - 1));
        return new Truth(what, micros, Frames.parse(exchange.get("/sim/book?pair=" + PAIR + "&group=2").body()));
    }

    /** Whether {@code /v1/book} at the instant is complete and holds the true book's orders, side by side, in order. */
    private static boolean sameBook(QueryClient api, Truth truth) throws Exception {
        String at = Instant.ofEpochSecond(truth.micros() / 1_000_000, truth.micros() % 1_000_000 * 1000).toString();
        var answer = api.get("/v1/book?pair=" + PAIR + "&level=3&at=" + at);
        if (answer.statusCode() != 200) {
            System.out.printf("ReconnectBookEndToEndTest: %s: HTTP %d %s%n", truth.what(), answer.statusCode(),
                    answer.body());
            return false;
        }
        JsonNode book = Frames.parse(answer.body());
        if (!book.path("coverage").path("complete").asBoolean()) {
            System.out.printf("ReconnectBookEndToEndTest: %s: not complete yet: %s%n", truth.what(),
                    book.path("coverage"));
            return false;
        }
        for (String side : List.of("bids", "asks")) {
            List<String> expected = new ArrayList<>();
            truth.book().get(side).forEach(r -> expected.add(r.get(2).asText() + " " + r.get(0).asText() + " "
                    + r.get(1).asText()));
            List<String> rebuilt = new ArrayList<>();
            book.get(side).forEach(r -> rebuilt.add(r.get("id").asText() + " " + r.get("price").asText() + " "
                    + r.get("amount").asText()));
            if (!expected.equals(rebuilt)) {
                int i = 0;
                while (i < expected.size() && i < rebuilt.size() && expected.get(i).equals(rebuilt.get(i))) {
                    i++;
                }
                throw new AssertionError(truth.what() + ": " + side + " differ at row " + i + " of "
                        + expected.size() + "/" + rebuilt.size() + ": true "
                        + (i < expected.size() ? expected.get(i) : "none") + ", rebuilt "
                        + (i < rebuilt.size() ? rebuilt.get(i) : "none"));
            }
        }
        return true;
    }
}
