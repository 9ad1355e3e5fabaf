package dev.orderflow.simulator;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Command line: {@code --port 9090 --rate N --pairs a,b --seed N --replay FILE --speed X --ping-interval SECONDS
 * --sent-buffer N}; each flag also as {@code --flag=value}. Runs until interrupted (Ctrl-C).
 */
public final class SimulatorMain {
    private static final String USAGE = "usage: simulate [--port 9090] [--rate 70] [--pairs btcusd,ethusd] [--seed 1]"
            + " [--replay FILE [--speed 1]] [--ping-interval 54] [--sent-buffer 500000]";

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        SimulatorOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Simulator simulator = Simulator.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.printf("simulator listening on ws://127.0.0.1:%d (REST and /sim/stats on the same port), %s%n",
                simulator.port(), options.replayFile() == null
                        ? "synthetic " + options.pairs() + " at " + options.rate() + " events/s per pair, seed "
                        + options.seed()
                        : "replaying " + options.replayFile() + " at speed " + options.speed());
        stopped.await();
    }

    static SimulatorOptions parse(String[] args) {
        SimulatorOptions o = SimulatorOptions.defaults();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int eq = flag.indexOf('=');
            if (eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("Bitstamp-protocol simulator");
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            try {
                o = switch (flag) {
                    case "--port" -> o.withPort(Integer.parseInt(value));
                    case "--rate" -> o.withRate(Double.parseDouble(value));
                    case "--pairs" -> o.withPairs(Arrays.stream(value.split(",")).map(String::trim)
                            .filter(s -> !s.isEmpty()).toList());
                    case "--seed" -> o.withSeed(Long.parseLong(value));
                    case "--replay" -> o.withReplay(Path.of(value));
                    case "--speed" -> o.withSpeed(Double.parseDouble(value));
                    case "--ping-interval" -> o.withPingInterval(Duration.ofMillis(
                            new BigDecimal(value).movePointRight(3).longValueExact()));
                    case "--sent-buffer" -> o.withSentBufferPerChannel(Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("bad value for " + flag + ": " + value);
            }
        }
        return o;
    }
}
