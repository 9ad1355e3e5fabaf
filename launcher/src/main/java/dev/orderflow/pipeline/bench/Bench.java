package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.ChildJvm;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.simulator.world.PairRates;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code ./pipeline bench}: the simulator, the packaged capture service and DynamoDB Local on this machine, then
 * the packaged query function. Prints one figure per line as {@code name: value unit} on {@code figures}
 * (progress goes to {@code progress}). Capture figures of the synthetic btcusd-like stream carry the plain names
 * (e.g. {@code write_units_per_1000_events}); those of the replayed 2015 log the suffix {@code _replay2015}. Everything runs in memory and stops by itself.
 */
public final class Bench {
    static final String PAIR = "btcusd";
    private static final int BURST_CALL = 10_000;
    /**
     * Bursts between the first (cold) one and the one {@code capture_max_events_per_s_warm} measures: by then the
     * capture, the simulator and DynamoDB Local have compiled the burst's code, as a capture running for days has (and
     * as the native build, which compiles nothing at run time, always is).
     */
    private static final int WARM_UP_BURSTS = 1;
    /**
     * The certification run's capture takes a snapshot every 10 s and certifies every 2 s, so that its 45 s hold several
     * snapshots checked against their predecessors ({@code book_certified_ratio}).
     */
    private static final Map<String, String> CERTIFY_ENVIRONMENT = Map.of("CAPTURE_SNAPSHOT_INTERVAL", "10s",
            "CAPTURE_CERTIFY_INTERVAL", "2s");
    static final long HOUR_MICROS = 3_600_000_000L;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(300);
    /** The memory run: a few pairs whose order events add up to {@link #MEMORY_RATE} a second. */
    private static final Duration ALL_PAIRS_WARM_UP = Duration.ofSeconds(30);
    private static final List<String> MEMORY_PAIRS = List.of("btcusd", "ethusd", "xrpusd", "solusd");
    private static final double MEMORY_RATE = 2_000;
    /** Of the memory run: before RSS is sampled (JIT, heap growth, the first windows stored). */
    private static final Duration MEMORY_WARM_UP = Duration.ofSeconds(30);
    /** Of the memory run: the steady period over which {@code capture_rss_mb} is the peak. */
    private static final Duration MEMORY_STEADY = Duration.ofSeconds(60);
    /** What the capture role may call on the table (template.yaml, CaptureRole): all of it is denied in an outage. */
    private static final String[] CAPTURE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem"};

    /**
     * @param rate        order events per second of the synthetic stream
     * @param steady      how long the synthetic stream runs before its figures are taken
     * @param burstEvents order events emitted at once to measure the capture's maximum rate
     * @param replay      the 2015 log to replay, or {@code null} to skip that stream
     * @param pageSamples timed 1,000-event page requests
     * @param outage      how long DynamoDB is unavailable to the capture in the memory run
     * @param only        the scenarios to run ({@code synthetic}, {@code certification}, {@code memory},
     *                    {@code replay2015}, {@code query};
     *                    {@code query} runs {@code synthetic} first, whose stream it reads), or empty for all
     */
    public record Settings(double rate, Duration steady, int burstEvents, Path replay, int pageSamples,
                           Duration outage, Duration allPairs, Set<String> only) {
        /** The scenarios {@code --only} accepts. */
        public static final Set<String> SCENARIOS = Set.of("synthetic", "certification", "memory", "replay2015",
                "all-pairs", "query", "hosts");

        boolean runs(String scenario) {
            return only.isEmpty() || only.contains(scenario);
        }
    }

    private final Home home;
    private final Settings settings;
    private final PrintStream figures;
    private final PrintStream progress;

    public Bench(Home home, Settings settings, PrintStream figures, PrintStream progress) {
        this.home = home;
        this.settings = settings;
        this.figures = figures;
        this.progress = progress;
    }

    public void run() throws Exception {
        Path captureJar = home.captureJar();
        Path functionZip = home.functionZip();
        Path runtime = home.lambdaRuntimeDir();
        try (Components parts = new Components()) {
            progress.println("bench: starting DynamoDB Local (in memory)");
            DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
            try (Tables tables = new Tables(db.endpoint())) {
                SteadyRun steady = settings.runs("synthetic") || settings.runs("query")
                        ? synthetic(captureJar, db, tables) : null;
                if (settings.runs("certification")) {
                    certification(captureJar, db, tables);
                }
                if (settings.runs("memory")) {
                    memory(captureJar, db, tables);
                }
                if (settings.runs("hosts")) {
                    figures.printf(Locale.ROOT, "# hosts: simulated %s at %s order events/s for %d s, captured by one"
                                    + " host, then by two into another table (host b %s later, reading first)%n", PAIR,
                            number(settings.rate()), settings.steady().toSeconds(),
                            CaptureProcess.SECOND_HOST_WRITE_DELAY);
                    new TwoHostsBench((scenario, port, table, journal, env) -> startCapture(scenario, captureJar, db,
                            port, table, journal, env), progress, this::figure)
                            .run(PAIR, settings.rate(), settings.steady());
                }
                if (settings.replay() != null && settings.runs("replay2015")) {
                    replay2015(captureJar, functionZip, runtime, db, tables);
                }
                if (settings.runs("all-pairs")) {
                    allPairs(captureJar, db, tables);
                }
                if (settings.runs("query")) {
                    new QueryBench(home, settings.pageSamples(), progress, figures, this::figure)
                            .run(functionZip, runtime, db, tables, steady.orders(), steady.book());
                    new ArchiveBench(home, progress, figures, this::figure).run(db.endpoint(), tables, settings.rate());
                }
            }
        }
    }

    /** The order events the steady run stored, and the simulator's true L3 book when it was paused. */
    private record SteadyRun(List<CapturedEvent> orders, ObjectNode book) {
    }

    /** The btcusd-like stream: figures over a steady run, then a burst for the maximum rate. */
    private SteadyRun synthetic(Path captureJar, DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_synthetic";
        figures.printf(Locale.ROOT, "# synthetic: simulated %s at %s order events/s for %d s; capture_max from a"
                        + " %,d-event burst, capture_max_warm from burst %d of that size%n", PAIR,
                number(settings.rate()), settings.steady().toSeconds(), settings.burstEvents(), WARM_UP_BURSTS + 2);
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of(PAIR))));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            CaptureProcess capture = scenario.add(startCapture(scenario, captureJar, db, simulator.port(), table,
                    journal, Map.of()));
            RssPeak rss = scenario.add(new RssPeak(capture.process()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: synthetic stream for %d s%n", settings.steady().toSeconds());
            double cpuFrom = capture.process().cpuMillis();
            long steadyFrom = System.nanoTime();
            Thread.sleep(settings.steady().toMillis());
            double cpuTo = capture.process().cpuMillis();
            figure("capture_cpu_percent", cpuFrom < 0 || cpuTo < 0 ? Double.NaN
                    : (cpuTo - cpuFrom) * 1e6 / (System.nanoTime() - steadyFrom) * 100, "%");
            control.pause();
            Thread.sleep(500); // frames already on the wire
            Counts steady = drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            List<Tables.StoredChunk> chunks = allChunks(tables, table);
            List<CapturedEvent> orders = chunks.stream().filter(c -> c.chunk().channel() == Channel.ORDERS)
                    .flatMap(c -> c.chunk().events().stream()).toList();
            storageFigures("synthetic", table, steady, metrics, chunks, tables);
            ObjectNode book = trueBook(simulator.port());

            progress.printf("bench: burst of %,d order events%n", settings.burstEvents());
            Burst cold = burst(control, capture, steady);
            figure("capture_max_events_per_s", cold.eventsPerSecond(), "events/s");
            figure("capture_cpu_ms_per_1000_events_burst", cold.cpuMsPer1000(), "ms");
            figure("capture_rss_mb_burst", rss.peakMb(), "MB");
            progress.printf("bench: %d more bursts, the last one measured%n", WARM_UP_BURSTS + 1);
            Burst warm = cold;
            for (int i = 0; i <= WARM_UP_BURSTS; i++) {
                warm = burst(control, capture, warm.after());
            }
            figure("capture_max_events_per_s_warm", warm.eventsPerSecond(), "events/s");
            figure("capture_cpu_ms_per_1000_events_warm", warm.cpuMsPer1000(), "ms");
            return new SteadyRun(orders, book);
        }
    }

    /** One burst: how fast the capture stored it, its CPU for it, and the counts once it was stored. */
    private record Burst(double eventsPerSecond, double cpuMsPer1000, Counts after) {
    }

    /**
     * Emits a burst of {@link Settings#burstEvents} order events (calls of {@value #BURST_CALL}; the simulator stamps
     * each action with the millisecond it makes it in) and waits until the capture has stored them; {@code before}:
     * the counts once the previous stream was stored.
     */
    private Burst burst(SimulatorControl control, CaptureProcess capture, Counts before) throws Exception {
        long started = System.nanoTime();
        double cpuFrom = capture.process().cpuMillis();
        for (int emitted = 0; emitted < settings.burstEvents(); emitted += BURST_CALL) {
            control.emit(PAIR, Math.min(BURST_CALL, settings.burstEvents() - emitted));
        }
        Counts after = drained(capture, before.received() + settings.burstEvents());
        double stored = after.stored() - before.stored();
        return new Burst(stored / ((after.at() - started) / 1e9),
                cpuPer1000(cpuFrom, capture.process().cpuMillis(), stored), after);
    }

    /**
     * {@code book_certified_ratio}: the btcusd-like stream for the steady run's length, with a snapshot every 10 s
     * that the capture certifies as it goes ({@link #CERTIFY_ENVIRONMENT}); a scenario of its own, so that the
     * snapshots' writes stay out of the synthetic run's write figures.
     */
    private void certification(Path captureJar, DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_certification";
        figures.printf(Locale.ROOT, "# certification: simulated %s at %s order events/s for %d s, a snapshot every"
                        + " 10 s; book_certified_ratio: of the snapshots after the first, those whose predecessor's"
                        + " rebuild matched them exactly%n", PAIR, number(settings.rate()),
                settings.steady().toSeconds());
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of(PAIR))));
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            CaptureProcess capture = scenario.add(startCapture(scenario, captureJar, db, simulator.port(), table,
                    journal, CERTIFY_ENVIRONMENT));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: certification run for %d s%n", settings.steady().toSeconds());
            Thread.sleep(settings.steady().toMillis());
            new SimulatorControl(simulator.port()).pause();
            figure("book_certified_ratio", CertifiedRatio.await(tables, table, PAIR, Duration.ofSeconds(60),
                    progress), "ratio");
        }
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
    private void memory(Path captureJar, DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_memory";
        double perPair = MEMORY_RATE / MEMORY_PAIRS.size();
        Duration outage = settings.outage();
        figures.printf(Locale.ROOT, "# memory: simulated %s at %s order events/s each (%s/s in all); capture_rss_mb"
                        + " peak over %d s after %d s of warm-up; capture_rss_mb_outage peak through %s without"
                        + " DynamoDB (every action of the capture role denied) and the catch-up after it%n",
                String.join(",", MEMORY_PAIRS), number(perPair), number(MEMORY_RATE), MEMORY_STEADY.toSeconds(),
                MEMORY_WARM_UP.toSeconds(), human(outage));
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(perPair).withPairs(MEMORY_PAIRS).withSentBufferPerChannel(1_000)));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            LocalAws.createTable(db.endpoint(), table);
            IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
            CaptureProcess capture = scenario.add(startCapture(captureJar, front, simulator.port(),
                    String.join(",", MEMORY_PAIRS), table, journal, Map.of()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.printf("bench: memory run at %s order events/s: %d s of warm-up, %d s steady%n",
                    number(MEMORY_RATE), MEMORY_WARM_UP.toSeconds(), MEMORY_STEADY.toSeconds());
            watch(capture, MEMORY_WARM_UP);
            double steadyPeak;
            try (RssPeak rss = new RssPeak(capture.process())) {
                watch(capture, MEMORY_STEADY);
                steadyPeak = rss.peakMb();
            }
            figure("capture_rss_mb", steadyPeak, "MB");

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
                Duration timeout = DRAIN_TIMEOUT.plus(outage);
                long deadline = restored + timeout.toNanos();
                long nextReport = System.nanoTime();
                while (true) {
                    requireAlive(capture.process());
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
            figure("capture_rss_mb_outage", outagePeak, "MB");
            figure("capture_drain_s", drainSeconds, "s");

            control.pause();
            Thread.sleep(500); // frames already on the wire
            Counts done = drained(capture, 1);
            checkNothingLost(tables, table, control.stats(), done);
        }
    }

    /** Sleeps {@code period}, failing early if the capture exits, with its memory state on progress every 30 s. */
    private void watch(CaptureProcess capture, Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            requireAlive(capture.process());
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
    private void checkNothingLost(Tables tables, String table, JsonNode stats, Counts done) {
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

    /**
     * The simulator's all-pairs world (a hundred pairs, heavy-tailed rates with bursts, btcusd at the synthetic
     * rate) captured with {@code CAPTURE_PAIRS=all}. {@code all_pairs_write_units_per_hour} is what the capture
     * wrote over the run after a warm-up (the connect snapshots of every pair), scaled to an hour.
     */
    private void allPairs(Path captureJar, DynamoDbLocal db, Tables tables) throws Exception {
        String table = "bench_all_pairs";
        figures.printf(Locale.ROOT, "# all_pairs: the simulator's all-pairs world (100 pairs, rates falling as rank^-1.2"
                + " from btcusd at %s order events/s, bursts) for %d s after %d s of warm-up%n",
                number(settings.rate()), settings.allPairs().toSeconds(), ALL_PAIRS_WARM_UP.toSeconds());
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(settings.rate()).withPairs(List.of("all"))));
            SimulatorControl control = new SimulatorControl(simulator.port());
            Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-"));
            LocalAws.createTable(db.endpoint(), table);
            IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
            CaptureProcess capture = scenario.add(startCapture(captureJar, front, simulator.port(), "all", table,
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
            Counts done = drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            List<Tables.StoredChunk> chunks = allChunks(tables, table, PairRates.expand(List.of(PairRates.ALL)));
            progress.printf("bench: all pairs: %,.0f events stored, %d items%n", done.stored(), chunks.size());
            storageFigures("all_pairs", table, done, metrics, chunks, tables);
            figure("all_pairs_write_units_per_hour", (unitsAfter - unitsBefore) / hours, "WCU");
            // the same interval, without the warm-up's hundred connect snapshots
            figure("write_units_per_1000_events_all_pairs_steady", (unitsAfter - unitsBefore) * 1000
                    / (after.sum(CaptureProcess.EVENTS_STORED) - before.sum(CaptureProcess.EVENTS_STORED)), "WCU");
            figure("catalog_write_units_per_1000_events_all_pairs_steady",
                    (after.sum(CaptureProcess.CATALOG_WRITE_UNITS) - before.sum(CaptureProcess.CATALOG_WRITE_UNITS))
                            * 1000 / (after.sum(CaptureProcess.EVENTS_STORED)
                            - before.sum(CaptureProcess.EVENTS_STORED)), "WCU");
        }
    }

    /** The 2015 btcusd log replayed as fast as the simulator can send it. */
    private void replay2015(Path captureJar, Path functionZip, Path runtime, DynamoDbLocal db, Tables tables)
            throws Exception {
        String table = "bench_replay2015";
        figures.printf("# replay2015: %s replayed as fast as possible, keeping its 2015 timestamps (about 3 events/s"
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
            CaptureProcess capture = scenario.add(startCapture(scenario, captureJar, db, simulator.port(), table,
                    journal, Map.of("CAPTURE_FEED_DATA_TIMEOUT", "0s")));
            RssPeak rss = scenario.add(new RssPeak(capture.process()));
            capture.awaitReady(Duration.ofSeconds(90));
            progress.println("bench: replaying the 2015 log");
            long firstReceived = awaitFirstEvent(capture);
            awaitReplayDone(control);
            Counts done = drained(capture, 1);
            Prometheus metrics = new Prometheus(capture.metrics());
            figure("capture_max_events_per_s_replay2015", done.stored() / ((done.at() - firstReceived) / 1e9),
                    "events/s");
            List<Tables.StoredChunk> chunks = allChunks(tables, table);
            storageFigures("replay2015", table, done, metrics, chunks, tables);
            figure("capture_rss_mb_replay2015", rss.peakMb(), "MB");
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
            awaitFirstAnswer(api, client);
            HttpResponse<String> list = client.get("/v1/book/snapshots?pair=" + PAIR + "&from="
                    + micros(firstMicros - HOUR_MICROS) + "&to=" + micros(lastMicros + HOUR_MICROS));
            if (list.statusCode() != 200) {
                throw new IllegalStateException("/v1/book/snapshots answered " + list.statusCode() + ": "
                        + list.body());
            }
            for (JsonNode s : Frames.MAPPER.readTree(list.body()).path("snapshots")) {
                progress.printf("bench: replay2015 snapshot %s (%s): %d bids, %d asks%n", s.path("time").asText(),
                        s.path("reason").asText(), s.path("bid_orders").asInt(), s.path("ask_orders").asInt());
            }
            String at = micros(lastMicros);
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
            figure("book_events_applied_replay2015", counts.path("events_applied").asDouble(), "count");
            figure("book_unknown_deletes_replay2015", counts.path("unknown_order_deletes").asDouble(), "count");
            figure("book_unknown_changes_replay2015", counts.path("unknown_order_changes").asDouble(), "count");
            figure("book_orders_replay2015", counts.path("bid_orders").asDouble()
                    + counts.path("ask_orders").asDouble(), "count");
            figure("book_at_end_ms_replay2015", millis, "ms");
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

    /** Write units, stored bytes, the one-item-per-event baseline and the queryable delay of one stream. */
    private void storageFigures(String stream, String table, Counts counts, Prometheus metrics,
                                List<Tables.StoredChunk> chunks, Tables tables) throws InterruptedException {
        String suffix = "synthetic".equals(stream) ? "" : "_" + stream;
        long events = chunks.stream().mapToLong(c -> c.chunk().events().size()).sum();
        long bytes = chunks.stream().mapToLong(Tables.StoredChunk::itemBytes).sum();
        if (events != counts.stored()) {
            progress.printf("bench: note: the table holds %,d events, the capture reports %,.0f stored%n", events,
                    counts.stored());
        }
        figure("write_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.WRITE_UNITS) * 1000 / counts.stored(), "WCU");
        figure("catalog_write_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.CATALOG_WRITE_UNITS) * 1000 / counts.stored(), "WCU");
        figure("stored_bytes_per_event" + suffix, (double) bytes / events, "bytes");
        footprint(tables, table);
        progress.printf("bench: writing the same %,d events one item per event%n", events);
        String baseline = "bench_item_per_event_" + stream;
        tables.create(baseline);
        double units = tables.write(baseline, itemPerEvent(chunks));
        figure("item_per_event_write_units_per_1000_events" + suffix, units * 1000 / events, "WCU");
        figure("queryable_p99_ms" + suffix,
                metrics.sum(CaptureProcess.QUERYABLE_DELAY, Map.of("quantile", "0.99")) * 1000, "ms");
        for (String activity : List.of("busy", "quiet")) {
            figure("queryable_p99_ms_" + activity + suffix, metrics.sum(CaptureProcess.QUERYABLE_DELAY_BY_ACTIVITY,
                    Map.of("quantile", "0.99", "activity", activity)) * 1000, "ms");
        }
        figure("read_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.READ_UNITS) * 1000 / counts.stored(), "RCU");
        figure("durable_p99_ms" + suffix,
                metrics.sum(CaptureProcess.DURABLE_DELAY, Map.of("quantile", "0.99")) * 1000, "ms");
    }

    /** Where the table's stored items go by kind, as progress (what a write-unit figure is made of). */
    private void footprint(Tables tables, String table) {
        tables.footprint(table).forEach((kind, sums) -> progress.printf(Locale.ROOT,
                "bench: stored %-14s %,9d items %,13d bytes %,9d write units to put each once (items of 1/2/3+ units:"
                        + " %d/%d/%d)%n", kind, sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]));
    }

    /** An instant in µs as ISO-8601, as the API takes it. */
    static String micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
                .toString();
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

    /** The capture service, its table created first, reaching DynamoDB Local through its role's IAM front. */
    private CaptureProcess startCapture(Components scenario, Path jar, DynamoDbLocal db, int simulatorPort,
                                        String table, Scratch journal, Map<String, String> extraEnv) {
        LocalAws.createTable(db.endpoint(), table);
        IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
        return startCapture(jar, front, simulatorPort, PAIR, table, journal, extraEnv);
    }

    /** The capture service for {@code pairs}, reaching DynamoDB through {@code front}. */
    private CaptureProcess startCapture(Path jar, IamFront front, int simulatorPort, String pairs, String table,
                                        Scratch journal, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                URI.create("ws://127.0.0.1:" + simulatorPort), pairs));
        env.putAll(LocalAws.dynamoDb(front.endpoint(), table));
        env.putAll(CaptureProcess.journalEnvironment(journal.path()));
        env.putAll(extraEnv);
        progress.println("bench: starting the capture service");
        return CaptureProcess.start(jar, env, Ports.free(), null);
    }

    private static List<Tables.StoredChunk> allChunks(Tables tables, String table) {
        return allChunks(tables, table, List.of(PAIR));
    }

    private static List<Tables.StoredChunk> allChunks(Tables tables, String table, List<String> pairs) {
        List<Tables.StoredChunk> chunks = new ArrayList<>();
        for (String pair : pairs) {
            chunks.addAll(tables.chunks(table, pair, Channel.ORDERS));
            chunks.addAll(tables.chunks(table, pair, Channel.TRADES));
        }
        return chunks;
    }

    /** The events of the chunks as one item each: the frame as received, keyed by time and position. */
    private static List<Map<String, AttributeValue>> itemPerEvent(List<Tables.StoredChunk> chunks) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Tables.StoredChunk stored : chunks) {
            Chunk chunk = stored.chunk();
            int position = chunk.part() * TableLayout.MAX_EVENTS_PER_PART;
            for (CapturedEvent event : chunk.events()) {
                items.add(Map.of(
                        TableLayout.PK, AttributeValue.fromS(TableLayout.chunkPk(chunk.pair(), chunk.channel())),
                        TableLayout.SK, AttributeValue.fromS(String.format("%016d#%06d", event.microtimestamp(),
                                position++)),
                        "frame", AttributeValue.fromS(Frames.toJson(event.frame()))));
            }
        }
        return items;
    }

    /** Events received and stored by the capture service, and when that was read. */
    private record Counts(double received, double stored, long at) {
    }

    /**
     * Waits until the capture service has received at least {@code minReceived} events and stored every event it
     * received; returns the counts at that moment.
     */
    private Counts drained(CaptureProcess capture, double minReceived) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(capture.process());
            Prometheus metrics = new Prometheus(capture.metrics());
            long at = System.nanoTime();
            double received = metrics.sum(CaptureProcess.EVENTS_RECEIVED);
            double stored = metrics.sum(CaptureProcess.EVENTS_STORED);
            if (received >= minReceived && stored >= received) {
                return new Counts(received, stored, at);
            }
            Thread.sleep(100);
        }
        throw new LaunchException("the capture service did not store what it received within " + DRAIN_TIMEOUT);
    }

    private long awaitFirstEvent(CaptureProcess capture) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(capture.process());
            if (new Prometheus(capture.metrics()).sum(CaptureProcess.EVENTS_RECEIVED) > 0) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        throw new LaunchException("the capture service received nothing from the replay within " + DRAIN_TIMEOUT);
    }

    private static void awaitReplayDone(SimulatorControl control) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode replay = control.stats().path("replay");
            if (replay.path("state").asText().equals("done")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new LaunchException("the replay did not finish within " + DRAIN_TIMEOUT);
    }

    static void awaitFirstAnswer(LocalLambda api, QueryClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            api.functions().forEach(Bench::requireAlive);
            try {
                HttpResponse<String> answer = client.get("/v1/pairs");
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the front door answers as soon as it listens; the function may still be starting
            }
            Thread.sleep(10);
        }
        throw new LaunchException("the query function did not answer within 90 s");
    }

    private static void requireAlive(ChildJvm child) {
        if (!child.isAlive()) {
            throw new LaunchException(child.name() + " exited with " + child.exitValue() + "; its last output:"
                    + System.lineSeparator() + child.tail());
        }
    }

    /** The capture's CPU time (user and system) between two readings, per 1,000 events stored meanwhile. */
    private static double cpuPer1000(double fromMillis, double toMillis, double events) {
        return fromMillis < 0 || toMillis < 0 || events <= 0 ? Double.NaN : (toMillis - fromMillis) * 1000 / events;
    }

    private void figure(String name, double value, String unit) {
        figures.printf(Locale.ROOT, "%s: %s %s%n", name, "ratio".equals(unit) && Double.isFinite(value)
                ? String.format(Locale.ROOT, "%.2f", value) : number(value), unit);
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return Math.abs(value) >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** The highest resident memory of a process, sampled every 250 ms until closed. */
    private static final class RssPeak implements AutoCloseable {
        private final Thread sampler;
        private volatile double peak = -1;

        RssPeak(ChildJvm process) {
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted() && process.isAlive()) {
                    peak = Math.max(peak, process.residentMb());
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        double peakMb() {
            return peak < 0 ? Double.NaN : peak;
        }

        @Override
        public void close() {
            sampler.interrupt();
        }
    }
}
