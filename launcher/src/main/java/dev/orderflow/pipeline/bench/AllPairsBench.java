package dev.orderflow.pipeline.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.simulator.world.PairRates;

/** The simulator's all-pairs world captured with {@code CAPTURE_PAIRS=all} ({@code all-pairs}). */
final class AllPairsBench extends CaptureScenario {
    private static final Duration ALL_PAIRS_WARM_UP = Duration.ofSeconds(30);

    AllPairsBench(Parts parts) {
        super(parts);
    }

    /**
     * The simulator's all-pairs world (a hundred pairs, heavy-tailed rates with bursts, btcusd at the synthetic
     * rate) captured with {@code CAPTURE_PAIRS=all}. {@code all_pairs_write_units_per_hour} is what the capture
     * wrote over the run after a warm-up (the connect snapshots of every pair), scaled to an hour.
     */
    void run(DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_all_pairs";
        out.printf(Locale.ROOT, "# all_pairs: the simulator's all-pairs world (100 pairs, rates falling as rank^-1.2"
                + " from btcusd at %s order events/s, bursts) for %d s after %d s of warm-up%n",
                Bench.number(settings.rate()), settings.allPairs().toSeconds(), ALL_PAIRS_WARM_UP.toSeconds());
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of("all"))));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            LocalAws.createTable(db.endpoint(), table);
            IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
            CaptureProcess capture = scenario.add(captures.start(front, simulator.port(), "all", table,
                    journal, Map.of()));
            capture.awaitReady(Duration.ofSeconds(120));
            progress.printf("bench: all-pairs stream, %d s of warm-up, then %d s%n", ALL_PAIRS_WARM_UP.toSeconds(),
                    settings.allPairs().toSeconds());
            Thread.sleep(ALL_PAIRS_WARM_UP.toMillis());
            Prometheus before = new Prometheus(capture.metrics());
            long started = System.nanoTime();
            Thread.sleep(settings.allPairs().toMillis());
            Prometheus after = new Prometheus(capture.metrics());
            double unitsBefore = before.sum(CaptureProcess.WRITE_UNITS);
            double unitsAfter = after.sum(CaptureProcess.WRITE_UNITS);
            double hours = (System.nanoTime() - started) / 3.6e12;
            control.pause();
            Thread.sleep(500); // frames already on the wire
            CaptureRuns.Counts done = captures.drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            List<Tables.StoredChunk> chunks = StorageFigures.allChunks(tables, table,
                    PairRates.expand(List.of(PairRates.ALL)));
            progress.printf("bench: all pairs: %,.0f events stored, %d items%n", done.stored(), chunks.size());
            stored.report("all_pairs", table, done, metrics, chunks, tables);
            figures.figure("all_pairs_write_units_per_hour", (unitsAfter - unitsBefore) / hours, "WCU");
            // the same interval, without the warm-up's hundred connect snapshots
            figures.figure("write_units_per_1000_events_all_pairs_steady", (unitsAfter - unitsBefore) * 1000
                    / (after.sum(CaptureProcess.EVENTS_STORED) - before.sum(CaptureProcess.EVENTS_STORED)), "WCU");
            figures.figure("catalog_write_units_per_1000_events_all_pairs_steady",
                    (after.sum(CaptureProcess.CATALOG_WRITE_UNITS) - before.sum(CaptureProcess.CATALOG_WRITE_UNITS))
                            * 1000 / (after.sum(CaptureProcess.EVENTS_STORED)
                            - before.sum(CaptureProcess.EVENTS_STORED)), "WCU");
        }
    }
}
