package dev.orderflow.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "The Bitstamp-protocol simulator alone (ws://127.0.0.1:9090).",
        description = "WebSocket API v2 at ws://127.0.0.1:PORT, REST and the /sim/... control endpoints on the same"
                + " port; a synthetic market, or --replay of a recording.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9090", description = "port on loopback (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "70",
            description = "order events per second per pair; 0 = only on POST /sim/emit (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--pairs", paramLabel = "PAIRS", defaultValue = Pairs.DEFAULT,
            description = "pairs to generate (default: ${DEFAULT-VALUE})")
    String pairs;

    @Option(names = "--seed", defaultValue = "1",
            description = "seed of the synthetic market (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--replay", paramLabel = "FILE",
            description = "play a recording (../shared/bitstamp-samples/...) instead of the synthetic market")
    Path replay;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "replay pace as a multiple of the recorded one; 0 = as fast as possible"
                    + " (default: ${DEFAULT-VALUE})")
    double speed;

    @Override
    public Integer call() throws InterruptedException {
        SimulatorOptions options = options(port, rate, Pairs.parse(pairs), seed, replay, speed);
        Components components = new Components().closeOnExit();
        Simulator simulator = start(components, options);
        System.out.println("Ctrl-C stops it.");
        Thread.currentThread().join();
        return 0;
    }

    static SimulatorOptions options(int port, double rate, Pairs pairs, long seed, Path replay, double speed) {
        if (replay != null && !Files.isRegularFile(replay)) {
            throw new LaunchException("--replay: no such file " + replay);
        }
        SimulatorOptions defaults = SimulatorOptions.defaults();
        return defaults.withPort(port).withRate(rate).withPairs(pairs.forSimulator()).withSeed(seed)
                .withReplay(replay).withSpeed(speed);
    }

    /** Starts a simulator, registers it for stopping and prints where it listens. */
    static Simulator start(Components components, SimulatorOptions options) {
        if (options.port() != 0) {
            Ports.requireFree(options.port(), "simulator", "--port");
        }
        Simulator simulator = components.add(Simulator.start(options));
        System.out.printf("simulator        ws://127.0.0.1:%d   %s%n", simulator.port(), options.replayFile() == null
                ? "synthetic " + String.join(",", options.pairs()) + " at " + rate(options.rate())
                        + " events/s per pair"
                : "replaying " + options.replayFile() + " at speed " + options.speed());
        return simulator;
    }

    private static String rate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
