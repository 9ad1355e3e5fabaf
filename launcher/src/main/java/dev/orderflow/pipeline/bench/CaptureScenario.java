package dev.orderflow.pipeline.bench;

import java.io.PrintStream;

import dev.orderflow.pipeline.Home;

/**
 * A scenario of the bench that runs the capture service ({@link SyntheticBench}, {@link MemoryBench},
 * {@link AllPairsBench}, {@link Replay2015Bench}): what each is given.
 */
abstract class CaptureScenario {
    /**
     * @param out      where the scenario's {@code #} lines go, between the figures
     * @param figures  where its figures go
     * @param captures starts the capture service and waits on its counters
     * @param stored   the figures of what a capture stored
     */
    record Parts(Home home, Bench.Settings settings, PrintStream out, PrintStream progress, Figures figures,
                 CaptureRuns captures, StorageFigures stored) {
    }

    protected final Home home;
    protected final Bench.Settings settings;
    protected final PrintStream out;
    protected final PrintStream progress;
    protected final Figures figures;
    protected final CaptureRuns captures;
    protected final StorageFigures stored;

    CaptureScenario(Parts parts) {
        this.home = parts.home();
        this.settings = parts.settings();
        this.out = parts.out();
        this.progress = parts.progress();
        this.figures = parts.figures();
        this.captures = parts.captures();
        this.stored = parts.stored();
    }
}
