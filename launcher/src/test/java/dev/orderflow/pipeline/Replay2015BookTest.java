package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

import com.fasterxml.jackson.databind.JsonNode;

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
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.book.SnapshotAlignment;

/**
 * The book rebuilt over the real 2015 btcusd log, on real parts: the simulator replays a slice of the log (its first
 * {@value #SLICE} lines) as fast as it can,
 * the packaged capture service stores it together with the snapshot it fetches from the simulator's REST
 * {@code order_book?group=2} after it connects (once events have flowed, and stamped after the first of them plus
 * the margin: the exchange's REST book lags the stream), and the packaged query function rebuilds the book at
 * instants of the log after that snapshot. The orders resting, the deletes of orders the rebuild never saw and the
 * events it applied must be what an independent pass over the log's own lines counts.
 */
@org.junit.jupiter.api.Timeout(600)
class Replay2015BookTest {
    private static final String PAIR = "btcusd";
    private static final String TABLE = "replay2015";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Set<String> ORDER_EVENTS = Set.of("order_created", "order_changed", "order_deleted");
    /**
     * Lines of the log replayed: its first 8,000 (about 38 minutes of 2015, 7,233 order events), since the capture
     * stores that sparse a stream at only about 800 events/s in DynamoDB Local (one item per 1 s window).
     */
    private static final int SLICE = 8_000;

    @Test
    void shouldCountTheDeletesOfUnknownOrdersOfTheRealLogAsTheLogDoes() throws Exception {
        Home home = Home.locate();
        Path log = home.root().resolve(BenchCommand.REPLAY).normalize();
        assumeTrue(Files.isRegularFile(log), log + " is absent: the 2015 log is read from beside the repository");
        assumeTrue(Files.isRegularFile(home.root().resolve("capture-service/target/quarkus-app/quarkus-run.jar"))
                        && Files.isRegularFile(home.root().resolve("query-lambda/target/function.zip")),
                "the packaged capture service and query function are missing: run ./mvnw verify from the"
                        + " repository root (this module is built after them)");
        List<String> lines = readLines(log).subList(0, SLICE);
        List<LogEvent> events = orderEvents(lines);
        long first = events.get(0).micros();
        long last = events.get(events.size() - 1).micros();
        List<Long> instants = List.of(events.get(events.size() / 3).micros(), last);

        try (Components parts = new Components()) {
            Path slice = parts.add(Scratch.create("orderflow-replay-log-")).path().resolve("2015-slice.log");
            Files.write(slice, lines, StandardCharsets.UTF_8);
            DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
            Simulator sim = parts.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withPairs(List.of(PAIR)).withReplay(slice).withSpeed(0)));
            SimulatorControl simulator = new SimulatorControl(sim.port());
            simulator.pause();

            LocalAws.createTable(db.endpoint(), TABLE);
            IamFront captureFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, TABLE));
            IamFront queryFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION, TABLE));
            Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                    URI.create("ws://127.0.0.1:" + sim.port()), PAIR));
            env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), TABLE));
            env.putAll(CaptureProcess.journalEnvironment(parts.add(Scratch.create("orderflow-replay-journal-"))
                    .path()));
            // the feed is quiet once the replay ends: no stale-feed replacement (and second snapshot) while it is read
            env.put("CAPTURE_FEED_DATA_TIMEOUT", "0s");
            CaptureProcess capture = parts.add(CaptureProcess.start(home.captureJar(), env, Ports.free(), System.out));
            LocalLambda lambda = parts.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                    Home.QUARKUS_HANDLER, 0, 1, LocalAws.queryFunction(queryFront.endpoint(), TABLE), System.out));
            capture.awaitReady(WAIT);
            post(sim.port(), "/sim/resume");
            awaitReplayDone(simulator);
            await(capture, CaptureProcess.EVENTS_STORED_BY_CHANNEL, Map.of("pair", PAIR, "channel", "orders"),
                    events.size());
            // the connect snapshot is usable only once stamped after the first event captured (plus the margin)
            await(capture, "capture_snapshots_total", Map.of(), 1);
            lambda.awaitReady(WAIT);
            QueryClient api = new QueryClient(URI.create("http://127.0.0.1:" + lambda.port()));

            JsonNode snapshots = body(api.get("/v1/book/snapshots?pair=" + PAIR + "&from="
                    + iso(first - 3_600_000_000L) + "&to=" + iso(last + 3_600_000_000L))).get("snapshots");
            assertEquals(1, snapshots.size(), "the connect snapshot, dated by the replay's clock: " + snapshots);
            JsonNode snapshot = snapshots.get(0);
            assertEquals("connect", snapshot.get("reason").asText());
            long stamp = snapshot.get("microtimestamp").longValue();
            assertTrue(stamp - SnapshotAlignment.DEFAULT_MARGIN.toNanos() / 1000 >= first,
                    "stamped after the first event captured plus the margin: " + snapshot);
            assertEquals(count(events, stamp).resting(), snapshot.get("bid_orders").intValue()
                    + snapshot.get("ask_orders").intValue(), "the book at its stamp: " + snapshot);

            long firstAfter = events.stream().mapToLong(LogEvent::micros).filter(m -> m > stamp).min().orElse(last);
            for (long at : List.of(firstAfter, last)) {
                // a rebuild applies the events after the stamp, or re-applies them from the stamp minus the margin
                Expected after = rebuild(events, stamp, stamp + 1, at);
                Expected withMargin = rebuild(events, stamp, stamp - SnapshotAlignment.DEFAULT_MARGIN.toNanos() / 1000,
                        at);
                // complete once the capture's catalog has confirmed the writes past `at` (it is written every few s)
                String url = "/v1/book?pair=" + PAIR + "&at=" + iso(at);
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> body(api.get(url)).get("coverage").get("complete").booleanValue());
                JsonNode book = body(api.get(url));
                JsonNode counts = book.get("counts");
                String where = "the book at " + iso(at) + " from the snapshot at " + iso(stamp) + ": " + counts;
                assertEquals(count(events, at).resting(), counts.get("bid_orders").intValue()
                        + counts.get("ask_orders").intValue(), where);
                assertBetween(after.unknownDeletes(), withMargin.unknownDeletes(),
                        counts.get("unknown_order_deletes").intValue(), where);
                assertBetween(after.applied(), withMargin.applied(), counts.get("events_applied").intValue(), where);
                assertEquals(at, book.get("last_event").get("microtimestamp").longValue(), where);
                assertTrue(book.get("coverage").get("complete").booleanValue(), book.get("coverage").toString());
            }
            assertTrue(rebuild(events, first, first, last).unknownDeletes() > 0,
                    "the log deletes orders it never created");
        }
    }

    private static void assertBetween(int low, int high, int actual, String where) {
        assertTrue(actual >= Math.min(low, high) && actual <= Math.max(low, high),
                actual + " not within " + low + "–" + high + ": " + where);
    }

    /** One order line of the log: its time (the line's epoch ms as µs), kind, order id and amount. */
    private record LogEvent(long micros, String kind, String id, BigDecimal amount) {
    }

    private static List<String> readLines(Path log) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new XZInputStream(Files.newInputStream(log)), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<LogEvent> orderEvents(List<String> lines) throws IOException {
        List<LogEvent> events = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split(" ", 3);
            if (parts.length == 3 && ORDER_EVENTS.contains(parts[1])) {
                JsonNode json = Frames.MAPPER.readTree(parts[2]);
                events.add(new LogEvent(Long.parseLong(parts[0]) * 1000, parts[1], json.get("id").asText(),
                        new BigDecimal(json.get("amount").asText())));
            }
        }
        return events;
    }

    private record Expected(int applied, int unknownDeletes, int resting) {
    }

    /**
     * Replays the log's order lines up to {@code at} over an empty book of order ids: a create or change with an
     * amount left makes its order rest, one with nothing left takes it out, and a delete of an order that is not
     * resting is a delete of an unknown order. (The 2015 feed has no market orders.)
     */
    private static Expected count(List<LogEvent> events, long at) {
        return rebuild(events, Long.MIN_VALUE, Long.MIN_VALUE, at);
    }

    /**
     * As a rebuild does: the book of the log at {@code snapshotAt} (every line up to it), then the lines from
     * {@code from} up to {@code at} applied to it (again, for those up to {@code snapshotAt}), counted.
     */
    private static Expected rebuild(List<LogEvent> events, long snapshotAt, long from, long at) {
        Set<String> resting = new HashSet<>();
        for (LogEvent e : events) {
            if (e.micros() > snapshotAt) {
                break;
            }
            apply(resting, e);
        }
        int applied = 0;
        int unknown = 0;
        for (LogEvent e : events) {
            if (e.micros() > at) {
                break;
            }
            if (e.micros() < from) {
                continue;
            }
            applied++;
            unknown += e.kind().equals("order_deleted") && !resting.contains(e.id()) ? 1 : 0;
            apply(resting, e);
        }
        return new Expected(applied, unknown, resting.size());
    }

    private static void apply(Set<String> resting, LogEvent e) {
        if (e.kind().equals("order_deleted")) {
            resting.remove(e.id());
        } else if (e.amount().signum() > 0) {
            resting.add(e.id());
        } else {
            resting.remove(e.id());
        }
    }

    private static void await(CaptureProcess capture, String metric, Map<String, String> labels, double atLeast)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        double value = 0;
        while (System.nanoTime() < deadline) {
            value = new Prometheus(capture.metrics()).sum(metric, labels);
            if (value >= atLeast) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(metric + " reached " + value + ", not " + atLeast + ", within " + WAIT);
    }

    private static void awaitReplayDone(SimulatorControl simulator) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (simulator.stats().path("replay").path("state").asText().equals("done")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replay did not finish within " + WAIT);
    }

    private static void post(int port, String path) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), path + ": " + answer.body());
    }

    private static JsonNode body(HttpResponse<String> answer) throws IOException {
        assertEquals(200, answer.statusCode(), answer.uri() + ": " + answer.body());
        return Frames.MAPPER.readTree(answer.body());
    }

    private static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
                .toString();
    }
}
