package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;

/**
 * {@code ./pipeline bench}: the simulator, the packaged capture service and DynamoDB Local on this machine, then
 * the packaged query function. Prints one figure per line as {@code name: value unit} on {@code figures}
 * (progress goes to {@code progress}). Capture figures of the synthetic btcusd-like stream carry the plain names
 * (e.g. {@code write_units_per_1000_events}); those of the replayed 2015 log the suffix {@code _replay2015}.
 * Everything runs in memory and stops by itself. Each scenario is a class of its own ({@link SyntheticBench},
 * {@link MemoryBench}, {@link TwoHostsBench}, {@link Replay2015Bench}, {@link AllPairsBench}, {@link QueryBench},
 * {@link ArchiveBench}); this one starts DynamoDB Local, runs those asked for and prints their figures.
 */
public final class Bench {
    static final String PAIR = "btcusd";
    static final long HOUR_MICROS = 3_600_000_000L;

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
        Figures figure = this::figure;
        CaptureRuns captures = new CaptureRuns(home, captureJar, progress);
        CaptureScenario.Parts scenarioParts = new CaptureScenario.Parts(home, settings, figures, progress, figure,
                captures, new StorageFigures(progress, figure));
        try (Components parts = new Components()) {
            progress.println("bench: starting DynamoDB Local (in memory)");
            DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
            try (Tables tables = new Tables(db.endpoint())) {
                SyntheticBench synthetic = new SyntheticBench(scenarioParts);
                SyntheticBench.SteadyRun steady = settings.runs("synthetic") || settings.runs("query")
                        ? synthetic.steady(db, tables) : null;
                if (settings.runs("certification")) {
                    synthetic.certification(db, tables);
                }
                if (settings.runs("memory")) {
                    new MemoryBench(scenarioParts).run(db, tables);
                }
                if (settings.runs("hosts")) {
                    figures.printf(Locale.ROOT, "# hosts: simulated %s at %s order events/s for %d s, captured by one"
                                    + " host, then by two into another table (host b %s later, reading first)%n", PAIR,
                            number(settings.rate()), settings.steady().toSeconds(),
                            CaptureProcess.SECOND_HOST_WRITE_DELAY);
                    new TwoHostsBench((scenario, port, table, journal, env) -> captures.start(scenario, db, port,
                            table, journal, env), progress, figure)
                            .run(PAIR, settings.rate(), settings.steady());
                }
                if (settings.replay() != null && settings.runs("replay2015")) {
                    new Replay2015Bench(scenarioParts).run(functionZip, runtime, db, tables);
                }
                if (settings.runs("all-pairs")) {
                    new AllPairsBench(scenarioParts).run(db, tables);
                }
                if (settings.runs("query")) {
                    new QueryBench(home, settings.pageSamples(), progress, figures, figure)
                            .run(functionZip, runtime, db, tables, steady.orders(), steady.book());
                    new ArchiveBench(home, progress, figures, figure).run(db.endpoint(), tables, settings.rate());
                }
            }
        }
    }

    /** An instant in µs as ISO-8601, as the API takes it. */
    static String micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
                .toString();
    }

    static void awaitFirstAnswer(LocalLambda api, QueryClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            api.functions().forEach(CaptureRuns::requireAlive);
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

    private void figure(String name, double value, String unit) {
        figures.printf(Locale.ROOT, "%s: %s %s%n", name, "ratio".equals(unit) && Double.isFinite(value)
                ? String.format(Locale.ROOT, "%.2f", value) : number(value), unit);
    }

    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return Math.abs(value) >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
