package dev.orderflow.pipeline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.Channel;

/**
 * The capture's memory at production size ({@code memory}): several pairs at a steady rate, then a DynamoDB outage
 * and the catch-up after it, and nothing lost.
 */
final class MemoryBench extends CaptureScenario {
    /** The memory run: a few pairs whose order events add up to {@link #MEMORY_RATE} a second. */
    private static final List<String> MEMORY_PAIRS = List.of("btcusd", "ethusd", "xrpusd", "solusd");
    private static final double MEMORY_RATE = 2_000;
    /** Of the memory run: before RSS is sampled (JIT, heap growth, the first windows stored). */
    private static final Duration MEMORY_WARM_UP = Duration.ofSeconds(30);
    /** Of the memory run: the steady period over which {@code capture_rss_mb} is the peak. */
    private static final Duration MEMORY_STEADY = Duration.ofSeconds(60);
    /** What the capture role may call on the table (template.yaml, CaptureRole): all of it is denied in an outage. */
    private static final String[] CAPTURE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem"};

    MemoryBench(Parts parts) {
        super(parts);
    }

    /**
     * The capture's memory at production size: {@link #MEMORY_PAIRS} adding up to {@link #MEMORY_RATE} order events
     * a second. {@code capture_rss_mb} is the peak RSS over {@link #MEMORY_STEADY} after {@link #MEMORY_WARM_UP}.
     * Then every DynamoDB action of the capture role is denied for {@code outage} while events keep arriving (the
     * capture retries; past its byte bound it reads back from its journal), and allowed again:
     * {@code capture_rss_mb_outage} is the peak RSS from the outage's start until the capture has stored everything
     * it received before the restore, {@code capture_drain_s} how long that took after the restore, with events
     * still arriving. Finally the stream pauses, the capture drains, and the table must hold exactly the events the
     * simulator delivered to it, channel by channel; the bench fails otherwise.
     */
    void run(DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_memory";
        double perPair = MEMORY_RATE / MEMORY_PAIRS.size();
        Duration outage = settings.outage();
        out.printf(Locale.ROOT, "# memory: simulated %s at %s order events/s each (%s/s in all); capture_rss_mb"
                        + " peak over %d s after %d s of warm-up; capture_rss_mb_outage peak through %s without"
                        + " DynamoDB (every action of the capture role denied) and the catch-up after it%n",
                String.join(",", MEMORY_PAIRS), Bench.number(perPair), Bench.number(MEMORY_RATE),
                MEMORY_STEADY.toSeconds(),
                MEMORY_WARM_UP.toSeconds(), human(outage));
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(perPair).withPairs(MEMORY_PAIRS).withSentBufferPerChannel(1_000)));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            LocalAws.createTable(db.endpoint(), table);
            IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
            CaptureProcess capture = scenario.add(captures.start(front, simulator.port(),
                    String.join(",", MEMORY_PAIRS), table, journal, Map.of()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: memory run at %s order events/s: %d s of warm-up, %d s steady%n",
                    Bench.number(MEMORY_RATE), MEMORY_WARM_UP.toSeconds(), MEMORY_STEADY.toSeconds());
            watch(capture, MEMORY_WARM_UP);
            double steadyPeak;
            try (RssPeak rss = new RssPeak(capture.process())) {
                watch(capture, MEMORY_STEADY);
                steadyPeak = rss.peakMb();
            }
            figures.figure("capture_rss_mb", steadyPeak, "MB");

            progress.printf("bench: DynamoDB outage for %s: every action of the capture role denied%n",
                    human(outage));
            double outagePeak;
            double drainSeconds;
            try (RssPeak rss = new RssPeak(capture.process())) {
                front.deny(CAPTURE_ACTIONS);
                watch(capture, outage);
                front.allow(CAPTURE_ACTIONS);
                long restored = System.nanoTime();
                double receivedAtRestore = new Prometheus(capture.metrics()).sum(CaptureProcess.EVENTS_RECEIVED);
                progress.printf(Locale.ROOT, "bench: DynamoDB back (peak RSS %.0f MB so far, %,d calls denied);"
                        + " catching up on %,.0f events received%n", rss.peakMb(), front.denied(), receivedAtRestore);
                Duration timeout = CaptureRuns.DRAIN_TIMEOUT.plus(outage);
                long deadline = restored + timeout.toNanos();
                long nextReport = System.nanoTime();
                while (true) {
                    CaptureRuns.requireAlive(capture.process());
                    Prometheus metrics = new Prometheus(capture.metrics());
                    if (metrics.sum(CaptureProcess.EVENTS_STORED) >= receivedAtRestore) {
                        drainSeconds = (System.nanoTime() - restored) / 1e9;
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new LaunchException("the capture service did not store what it received during the"
                                + " outage within " + human(timeout) + " of the restore: " + state(metrics));
                    }
                    if (System.nanoTime() >= nextReport) {
                        progress.println("bench: catching up: " + state(metrics));
                        nextReport = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                    }
                    Thread.sleep(100);
                }
                outagePeak = rss.peakMb();
            }
            figures.figure("capture_rss_mb_outage", outagePeak, "MB");
            figures.figure("capture_drain_s", drainSeconds, "s");

            control.pause();
            Thread.sleep(500); // frames already on the wire
            CaptureRuns.Counts done = captures.drained(capture, 1);
            checkNothingLost(tables, table, control.stats(), done);
        }
    }

    /** Sleeps {@code period}, failing early if the capture exits, with its memory state on progress every 30 s. */
    private void watch(CaptureProcess capture, Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            CaptureRuns.requireAlive(capture.process());
            Thread.sleep(Math.max(1, Math.min(250, (end - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() >= nextReport) {
                progress.printf(Locale.ROOT, "bench: RSS %.0f MB, %s%n", capture.process().residentMb(),
                        state(new Prometheus(capture.metrics())));
                nextReport += Duration.ofSeconds(30).toNanos();
            }
        }
    }

    /** The capture's counters and memory gauges, for progress lines. */
    private static String state(Prometheus metrics) {
        return String.format(Locale.ROOT, "received %,.0f, stored %,.0f, held %.1f MB, behind %.0f,"
                        + " journal backlog %.1f MB",
                metrics.sum(CaptureProcess.EVENTS_RECEIVED), metrics.sum(CaptureProcess.EVENTS_STORED),
                metrics.sum("capture_held_bytes") / 1e6, metrics.sum("capture_behind"),
                metrics.sum("capture_journal_backlog_bytes") / 1e6);
    }

    /**
     * The table must hold, per pair and channel, exactly as many events as the simulator sent on it (none lost,
     * none twice), and the capture must have received them all.
     */
    private void checkNothingLost(Tables tables, String table, JsonNode stats, CaptureRuns.Counts done) {
        long sentAll = 0;
        long storedAll = 0;
        List<String> wrong = new ArrayList<>();
        for (String pair : MEMORY_PAIRS) {
            for (Channel channel : List.of(Channel.ORDERS, Channel.TRADES)) {
                String wire = (channel == Channel.ORDERS ? "live_orders_" : "live_trades_") + pair;
                // written to the capture's connection (the simulator generates before anyone subscribes)
                long sent = stats.path("channels").path(wire).path("delivered").asLong(-1);
                long stored = tables.countEvents(table, pair, channel);
                sentAll += sent;
                storedAll += stored;
                if (sent < 0 || stored != sent) {
                    wrong.add(String.format(Locale.ROOT, "%s: delivered %,d, stored %,d", wire, sent, stored));
                }
            }
        }
        progress.printf(Locale.ROOT, "bench: memory run: the simulator delivered %,d events, the capture received %,.0f"
                + " and reports %,.0f stored, the table holds %,d%n", sentAll, done.received(), done.stored(),
                storedAll);
        if (!wrong.isEmpty() || done.received() != sentAll) {
            throw new LaunchException("the memory run lost or doubled events: " + String.join("; ", wrong)
                    + (done.received() != sentAll ? String.format(Locale.ROOT, "; received %,.0f of %,d delivered",
                    done.received(), sentAll) : ""));
        }
    }

    /** {@code 10m}, {@code 90s}. */
    private static String human(Duration duration) {
        return duration.toSecondsPart() == 0 && duration.toMinutes() > 0 ? duration.toMinutes() + " min"
                : duration.toSeconds() + " s";
    }
}
