package dev.orderflow.pipeline.bench;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;

/**
 * The 2015 btcusd log replayed as fast as the simulator can send it ({@code replay2015}), and the book at its end
 * rebuilt through the packaged query function.
 */
final class Replay2015Bench extends CaptureScenario {
    private static final String PAIR = Bench.PAIR;
    private static final long HOUR_MICROS = Bench.HOUR_MICROS;

    Replay2015Bench(Parts parts) {
        super(parts);
    }

    /** The 2015 btcusd log replayed as fast as the simulator can send it. */
    void run(Path functionZip, Path runtime, DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_replay2015";
        out.printf("# replay2015: %s replayed as fast as possible, keeping its 2015 timestamps (about 3 events/s"
                + " over 5 hours, so about one item per 3 events); queryable_p99 includes the backlog%n",
                settings.replay().getFileName());
        long[] span;
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withPairs(List.of(PAIR)).withReplay(settings.replay()).withSpeed(0)));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            // The replay ends long before the capture is stopped: a feed quiet for the data timeout would be replaced,
            // and the new connection's snapshot (the book at the log's end) would be the one the book figures use.
            CaptureProcess capture = scenario.add(captures.start(scenario, db, simulator.port(), table,
                    journal, Map.of("CAPTURE_FEED_DATA_TIMEOUT", "0s")));
            RssPeak rss = scenario.add(new RssPeak(capture.process()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.println("bench: replaying the 2015 log");
            long firstReceived = captures.awaitFirstEvent(capture);
            awaitReplayDone(control);
            CaptureRuns.Counts done = captures.drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            figures.figure("capture_max_events_per_s_replay2015", done.stored() / ((done.at() - firstReceived) / 1e9),
                    "events/s");
            List<Tables.StoredChunk> chunks = StorageFigures.allChunks(tables, table);
            stored.report("replay2015", table, done, metrics, chunks, tables);
            figures.figure("capture_rss_mb_replay2015", rss.peakMb(), "MB");
            span = orderSpan(chunks);
        }
        bookOfReplay(functionZip, runtime, db, table, span[0], span[1]);
    }

    /**
     * The book at the end of the replayed log, rebuilt through the packaged query function from the snapshot the
     * capture stored when it connected: what it applied and how many deletes of orders it never saw it met.
     */
    private void bookOfReplay(Path functionZip, Path runtime, DynamoDbLocal db, String table, long firstMicros,
                              long lastMicros) throws Exception {
        progress.println("bench: rebuilding the book at the end of the replayed log");
        try (IamFront front = LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION, table);
             LocalLambda api = LocalLambda.start(functionZip, runtime, Home.QUARKUS_HANDLER, Ports.free(), 1,
                LocalAws.queryFunction(front.endpoint(), table), null)) {
            QueryClient client = new QueryClient(URI.create("http://127.0.0.1:" + api.port()));
            Bench.awaitFirstAnswer(api, client);
            HttpResponse<String> list = client.get("/v1/book/snapshots?pair=" + PAIR + "&from="
                    + Bench.micros(firstMicros - HOUR_MICROS) + "&to=" + Bench.micros(lastMicros + HOUR_MICROS));
            if (list.statusCode() != 200) {
                throw new IllegalStateException("/v1/book/snapshots answered " + list.statusCode() + ": "
                        + list.body());
            }
            for (JsonNode s : Frames.MAPPER.readTree(list.body()).path("snapshots")) {
                progress.printf("bench: replay2015 snapshot %s (%s): %d bids, %d asks%n", s.path("time").asText(),
                        s.path("reason").asText(), s.path("bid_orders").asInt(), s.path("ask_orders").asInt());
            }
            String at = Bench.micros(lastMicros);
            client.get("/v1/book?pair=" + PAIR + "&at=" + at); // warm
            long t0 = System.nanoTime();
            HttpResponse<String> answer = client.get("/v1/book?pair=" + PAIR + "&at=" + at);
            double millis = (System.nanoTime() - t0) / 1e6;
            if (answer.statusCode() != 200) {
                progress.printf("bench: the book at %s (end of the replayed log) answered %d: %s%n", at,
                        answer.statusCode(), answer.body());
                return;
            }
            JsonNode book = Frames.MAPPER.readTree(answer.body());
            JsonNode counts = book.path("counts");
            progress.printf("bench: replay2015 book at %s from the %s snapshot at %s: %s%n", at,
                    book.path("coverage").path("snapshot").path("reason").asText(),
                    book.path("coverage").path("snapshot").path("time").asText(), counts);
            figures.figure("book_events_applied_replay2015", counts.path("events_applied").asDouble(), "count");
            figures.figure("book_unknown_deletes_replay2015", counts.path("unknown_order_deletes").asDouble(), "count");
            figures.figure("book_unknown_changes_replay2015", counts.path("unknown_order_changes").asDouble(), "count");
            figures.figure("book_orders_replay2015", counts.path("bid_orders").asDouble()
                    + counts.path("ask_orders").asDouble(), "count");
            figures.figure("book_at_end_ms_replay2015", millis, "ms");
        }
    }

    /** Microtimestamps of the first and last stored order events. */
    private static long[] orderSpan(List<Tables.StoredChunk> chunks) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Tables.StoredChunk stored : chunks) {
            if (stored.chunk().channel() == Channel.ORDERS) {
                for (CapturedEvent event : stored.chunk().events()) {
                    first = Math.min(first, event.microtimestamp());
                    last = Math.max(last, event.microtimestamp());
                }
            }
        }
        if (first > last) {
            throw new LaunchException("the replay stored no order events");
        }
        return new long[] {first, last};
    }

    private static void awaitReplayDone(SimulatorControl control) throws Exception {
        long deadline = System.nanoTime() + CaptureRuns.DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode replay = control.stats().path("replay");
            if (replay.path("state").asText().equals("done")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new LaunchException("the replay did not finish within " + CaptureRuns.DRAIN_TIMEOUT);
    }
}
