package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;

/**
 * The btcusd-like stream ({@code synthetic}): the capture's figures over a steady run, then bursts for its maximum
 * rate; and the same stream with frequent snapshots for {@code book_certified_ratio} ({@code certification}).
 */
final class SyntheticBench extends CaptureScenario {
    private static final String PAIR = Bench.PAIR;
    private static final int BURST_CALL = 10_000;
    /**
     * Bursts between the first (cold) one and the one {@code capture_max_events_per_s_warm} measures: by then the
     * capture, the simulator and DynamoDB Local have compiled the burst's code, as a capture running for days has (and
     * as the native build, which compiles nothing at run time, always is).
     */
    private static final int WARM_UP_BURSTS = 1;
    /**
     * The certification run's capture takes a snapshot every 10 s and certifies every 2 s, so that its 45 s hold
     * several snapshots checked against their predecessors ({@code book_certified_ratio}).
     */
    private static final Map<String, String> CERTIFY_ENVIRONMENT = Map.of("CAPTURE_SNAPSHOT_INTERVAL", "10s",
            "CAPTURE_CERTIFY_INTERVAL", "2s");

    SyntheticBench(Parts parts) {
        super(parts);
    }

    /** The order events the steady run stored, and the simulator's true L3 book when it was paused. */
    record SteadyRun(List<CapturedEvent> orders, ObjectNode book) {
    }

    /** The btcusd-like stream: figures over a steady run, then a burst for the maximum rate. */
    SteadyRun steady(DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_synthetic";
        out.printf(Locale.ROOT, "# synthetic: simulated %s at %s order events/s for %d s; capture_max from a"
                        + " %,d-event burst, capture_max_warm from burst %d of that size%n", PAIR,
                Bench.number(settings.rate()), settings.steady().toSeconds(), settings.burstEvents(),
                WARM_UP_BURSTS + 2);
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of(PAIR))));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            CaptureProcess capture = scenario.add(captures.start(scenario, db, simulator.port(), table,
                    journal, Map.of()));
            RssPeak rss = scenario.add(new RssPeak(capture.process()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: synthetic stream for %d s%n", settings.steady().toSeconds());
            double cpuFrom = capture.process().cpuMillis();
            long steadyFrom = System.nanoTime();
            Thread.sleep(settings.steady().toMillis());
            double cpuTo = capture.process().cpuMillis();
            figures.figure("capture_cpu_percent", cpuFrom < 0 || cpuTo < 0 ? Double.NaN
                    : (cpuTo - cpuFrom) * 1e6 / (System.nanoTime() - steadyFrom) * 100, "%");
            control.pause();
            Thread.sleep(500); // frames already on the wire
            CaptureRuns.Counts steady = captures.drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            List<Tables.StoredChunk> chunks = StorageFigures.allChunks(tables, table);
            List<CapturedEvent> orders = chunks.stream().filter(c -> c.chunk().channel() == Channel.ORDERS)
                    .flatMap(c -> c.chunk().events().stream()).toList();
            stored.report("synthetic", table, steady, metrics, chunks, tables);
            ObjectNode book = trueBook(simulator.port());

            progress.printf("bench: burst of %,d order events%n", settings.burstEvents());
            Burst cold = burst(control, capture, steady);
            figures.figure("capture_max_events_per_s", cold.eventsPerSecond(), "events/s");
            figures.figure("capture_cpu_ms_per_1000_events_burst", cold.cpuMsPer1000(), "ms");
            figures.figure("capture_rss_mb_burst", rss.peakMb(), "MB");
            figures.figure("capture_windows_merged_burst", cold.merged(), "windows");
            progress.printf("bench: %d more bursts, the last one measured%n", WARM_UP_BURSTS + 1);
            Burst warm = cold;
            for (int i = 0; i <= WARM_UP_BURSTS; i++) {
                warm = burst(control, capture, warm.after());
            }
            figures.figure("capture_max_events_per_s_warm", warm.eventsPerSecond(), "events/s");
            figures.figure("capture_cpu_ms_per_1000_events_warm", warm.cpuMsPer1000(), "ms");
            return new SteadyRun(orders, book);
        }
    }

    /**
     * One burst: how fast the capture stored it, its CPU for it, the counts once it was stored, and the windows it
     * merged meanwhile (none on a healthy single host: see {@link BurstTrouble}).
     */
    private record Burst(double eventsPerSecond, double cpuMsPer1000, CaptureRuns.Counts after, double merged) {
    }

    /**
     * Emits a burst of {@link Bench.Settings#burstEvents} order events (calls of {@value #BURST_CALL}; the simulator
     * stamps each action with the millisecond it makes it in) and waits until the capture has stored them;
     * {@code before}: the counts once the previous stream was stored.
     */
    private Burst burst(SimulatorControl control, CaptureProcess capture, CaptureRuns.Counts before) throws Exception {
        BurstTrouble trouble = BurstTrouble.from(capture);
        long started = System.nanoTime();
        double cpuFrom = capture.process().cpuMillis();
        for (int emitted = 0; emitted < settings.burstEvents(); emitted += BURST_CALL) {
            control.emit(PAIR, Math.min(BURST_CALL, settings.burstEvents() - emitted));
        }
        CaptureRuns.Counts after = captures.drained(capture, before.received() + settings.burstEvents());
        double stored = after.stored() - before.stored();
        double cpu = capture.process().cpuMillis();
        double merged = trouble.merged();
        List<String> told = trouble.toldLines();
        if (merged > 0 || !told.isEmpty()) {
            progress.printf(Locale.ROOT, "bench: the capture merged %.0f window(s) in this burst; its last log lines"
                    + " on merges, retries and its memory bound:%n", merged);
            BurstTrouble.shown(told).forEach(line -> progress.println("bench:   " + line));
        }
        return new Burst(stored / ((after.at() - started) / 1e9), CaptureRuns.cpuPer1000(cpuFrom, cpu, stored), after,
                merged);
    }

    /**
     * {@code book_certified_ratio}: the btcusd-like stream for the steady run's length, with a snapshot every 10 s
     * that the capture certifies as it goes ({@link #CERTIFY_ENVIRONMENT}); a scenario of its own, so that the
     * snapshots' writes stay out of the synthetic run's write figures.
     */
    void certification(DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_certification";
        out.printf(Locale.ROOT, "# certification: simulated %s at %s order events/s for %d s, a snapshot every"
                        + " 10 s; book_certified_ratio: of the snapshots after the first, those whose predecessor's"
                        + " rebuild matched them exactly%n", PAIR, Bench.number(settings.rate()),
                settings.steady().toSeconds());
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of(PAIR))));
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            CaptureProcess capture = scenario.add(captures.start(scenario, db, simulator.port(), table,
                    journal, CERTIFY_ENVIRONMENT));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: certification run for %d s%n", settings.steady().toSeconds());
            Thread.sleep(settings.steady().toMillis());
            new SimulatorControl(simulator.port()).pause();
            figures.figure("book_certified_ratio", CertifiedRatio.await(tables, table, PAIR, Duration.ofSeconds(60),
                    progress), "ratio");
        }
    }

    /** The simulator's own L3 book ({@code order_book?group=2}) as it is now. */
    private static ObjectNode trueBook(int simulatorPort) throws IOException, InterruptedException {
        HttpResponse<String> answer = new QueryClient(URI.create("http://127.0.0.1:" + simulatorPort))
                .get("/api/v2/order_book/" + PAIR + "/?group=2");
        if (answer.statusCode() != 200) {
            throw new IOException("the simulator's order_book answered " + answer.statusCode() + ": "
                    + answer.body());
        }
        return Frames.parse(answer.body());
    }
}
