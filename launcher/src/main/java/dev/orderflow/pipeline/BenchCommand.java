package dev.orderflow.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.orderflow.pipeline.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Benchmarks: capture, storage and query figures, one per line as `name: value unit`.",
        description = "Runs DynamoDB Local (in memory), the simulator and the packaged capture service on this"
                + " machine, for the synthetic btcusd-like stream, for a 2,000 events/s stream through a DynamoDB"
                + " outage (the capture's memory) and for the replayed 2015 log, then the packaged query function."
                + " Figures go to standard output, progress to standard error. Takes about 20 minutes.")
final class BenchCommand implements Callable<Integer> {
    static final String REPLAY = "../shared/bitstamp-samples/ob-analytics__2015-05-01.log.xz";

    @Option(names = "--rate", paramLabel = "N", defaultValue = "70",
            description = "order events per second of the synthetic stream (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "45",
            description = "how long the synthetic stream runs (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--burst", paramLabel = "N", defaultValue = "100000",
            description = "order events emitted at once for capture_max_events_per_s (default: ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--replay", paramLabel = "FILE",
            description = "the 2015 log to replay (default: " + REPLAY + " beside the repository)")
    Path replay;

    @Option(names = "--no-replay", description = "skip the replayed 2015 log (its figures are not printed)")
    boolean noReplay;

    @Option(names = "--outage", paramLabel = "DURATION", defaultValue = "10m",
            description = "how long DynamoDB is unavailable to the capture in the 2,000 events/s memory run, e.g."
                    + " 10m, 90s (default: ${DEFAULT-VALUE})")
    String outage;

    @Option(names = "--all-pairs", paramLabel = "DURATION", defaultValue = "3m",
            description = "how long the all-pairs stream runs after its warm-up (default: ${DEFAULT-VALUE})")
    String allPairs;

    @Option(names = "--only", paramLabel = "SCENARIO", split = ",",
            description = "run only these scenarios: synthetic, certification, memory, replay2015, all-pairs, query,"
                    + " hosts (query runs synthetic first); default: all")
    Set<String> only = new LinkedHashSet<>();

    @Option(names = "--page-samples", paramLabel = "N", defaultValue = "200",
            description = "timed 1,000-event page requests (default: ${DEFAULT-VALUE})")
    int pageSamples;

    @Override
    public Integer call() throws Exception {
        Home home = Home.locate();
        Path log = replay != null ? replay : home.root().resolve(REPLAY).normalize();
        if (noReplay) {
            log = null;
        } else if (!Files.isRegularFile(log)) {
            if (replay != null) {
                throw new LaunchException("--replay: no such file " + replay);
            }
            System.err.println("bench: " + log + " not found: no replay2015 figures");
            log = null;
        }
        for (String scenario : only) {
            if (!Bench.Settings.SCENARIOS.contains(scenario)) {
                throw new LaunchException("--only: no scenario " + scenario + "; one of "
                        + new TreeSet<>(Bench.Settings.SCENARIOS));
            }
        }
        new Bench(home, new Bench.Settings(rate, Duration.ofSeconds(seconds), burst, log, pageSamples,
                duration("--outage", outage), duration("--all-pairs", allPairs), Set.copyOf(only)), System.out,
                System.err).run();
        return 0;
    }

    /** {@code 10m}, {@code 90s}, {@code 1h}: a positive whole number of seconds, minutes or hours. */
    static Duration duration(String option, String text) {
        Matcher m = Pattern.compile("(\\d+)([smh])").matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new LaunchException(option + ": a duration such as 10m or 90s, not " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
