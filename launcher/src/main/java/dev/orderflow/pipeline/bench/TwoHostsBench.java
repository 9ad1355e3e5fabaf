package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;

/**
 * What a second capture host costs in writes: the btcusd-like stream captured by one host into one table, then by two
 * (host b with the launcher's write delay, so it reads before it writes) into another, side by side in one run.
 * {@code write_units_per_1000_events_one_host} and {@code _two_hosts} are the write units the hosts' items took (as
 * DynamoDB reported them, both hosts added up) per 1,000 events stored; {@code two_hosts_write_ratio} their ratio.
 */
final class TwoHostsBench {
    /** Starts a capture service reaching the table through its role's front, with extra environment. */
    interface Captures {
        CaptureProcess start(Components scenario, int simulatorPort, String table, Scratch journal,
                Map<String, String> env);
    }

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(300);
    /** Host b's queue is empty and nothing is held for this long: it has read (and written) every window. */
    private static final Duration B_SETTLED = Duration.ofSeconds(8);

    private final Captures captures;
    private final PrintStream progress;
    private final Figures figures;

    TwoHostsBench(Captures captures, PrintStream progress, Figures figures) {
        this.captures = captures;
        this.progress = progress;
        this.figures = figures;
    }

    void run(String pair, double rate, Duration steady) throws Exception {
        double one = unitsPer1000(pair, rate, steady, 1);
        double two = unitsPer1000(pair, rate, steady, 2);
        figures.figure("write_units_per_1000_events_one_host", one, "WCU");
        figures.figure("write_units_per_1000_events_two_hosts", two, "WCU");
        figures.figure("two_hosts_write_ratio", two / one, "ratio");
    }

    private double unitsPer1000(String pair, double rate, Duration steady, int hosts) throws Exception {
        String table = "bench_hosts_" + hosts;
        try (Components scenario = new Components()) {
            Simulator simulator = scenario.add(Simulator.start(SimulatorOptions.defaults().withPort(0)
                    .withRate(rate).withPairs(List.of(pair))));
            List<CaptureProcess> running = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                String host = CaptureProcess.hostName(i);
                Scratch journal = scenario.add(Scratch.create("orderflow-bench-journal-" + host + "-"));
                running.add(scenario.add(captures.start(scenario, simulator.port(), table, journal,
                        CaptureProcess.hostEnvironment(host, i))));
            }
            for (CaptureProcess capture : running) {
                capture.awaitReady(Duration.ofSeconds(90));
            }
            progress.printf("bench: %d capture host%s for %d s%n", hosts, hosts == 1 ? "" : "s", steady.toSeconds());
            Thread.sleep(steady.toMillis());
            new SimulatorControl(simulator.port()).pause();
            double stored = drained(running.get(0));
            for (CaptureProcess other : running.subList(1, running.size())) {
                settled(other);
            }
            double units = 0;
            for (int i = 0; i < running.size(); i++) {
                Prometheus metrics = new Prometheus(running.get(i).metrics());
                units += metrics.sum(CaptureProcess.WRITE_UNITS);
                progress.printf(Locale.ROOT, "bench: host %s of %d: %.0f write units (%.0f catalog), %.0f items,"
                        + " %.0f merges, %.0f read units%n", CaptureProcess.hostName(i), hosts,
                        metrics.sum(CaptureProcess.WRITE_UNITS), metrics.sum(CaptureProcess.CATALOG_WRITE_UNITS),
                        metrics.sum("capture_items_written_total"), metrics.sum("capture_windows_merged_total"),
                        metrics.sum("capture_read_units_total"));
            }
            return units * 1000 / stored;
        }
    }

    /** Host a has stored everything it received; returns how many events that is. */
    private static double drained(CaptureProcess capture) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Prometheus metrics = new Prometheus(capture.metrics());
            double received = metrics.sum(CaptureProcess.EVENTS_RECEIVED);
            if (received > 0 && metrics.sum(CaptureProcess.EVENTS_STORED) >= received) {
                return received;
            }
            Thread.sleep(100);
        }
        throw new LaunchException("capture host a did not store what it received within " + DRAIN_TIMEOUT);
    }

    /** A host that reads first counts only what it added: it is done when nothing is queued or held for a while. */
    private static void settled(CaptureProcess capture) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Prometheus metrics = new Prometheus(capture.metrics());
            if (metrics.sum("capture_queue_jobs") > 0 || metrics.sum("capture_held_bytes") > 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > B_SETTLED.toNanos()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new LaunchException("a second capture host did not settle within " + DRAIN_TIMEOUT);
    }
}
