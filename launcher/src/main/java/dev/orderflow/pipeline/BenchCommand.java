package dev.orderflow.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.orderflow.pipeline.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Benchmarks: capture, storage and query figures, one per line as `name: value unit`.",
        description = "Runs DynamoDB Local (in memory), the simulator and the packaged capture service on this"
                + " machine, for the synthetic btcusd-like stream and for the replayed 2015 log, then the packaged"
                + " query function. Figures go to standard output, progress to standard error. Takes a few minutes.")
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
        new Bench(home, new Bench.Settings(rate, Duration.ofSeconds(seconds), burst, log, pageSamples), System.out,
                System.err).run();
        return 0;
    }
}
