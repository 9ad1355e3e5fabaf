package dev.orderflow.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.orderflow.storage.Pairs;

/**
 * How a {@link Simulator} runs.
 *
 * @param port                 TCP port on 127.0.0.1 for WebSocket, REST and {@code /sim/...}; 0 picks a free port
 * @param rate                 order events per second per pair on {@code live_orders_<pair>} (spread evenly with
 *                             jitter); 0 generates only on {@code POST /sim/emit}. Ignored in replay mode
 * @param pairs                pairs of the synthetic world, e.g. {@code btcusd}
 * @param seed                 seed of the synthetic world: the same seed gives the same events (apart from times)
 * @param replayFile           a recording to play instead of the synthetic world; {@code null} = synthetic
 * @param speed                replay pace as a multiple of the recorded pace; 0 = as fast as possible
 * @param pingInterval         how often the server sends a WebSocket ping to each connection
 * @param sentBufferPerChannel how many sent frames {@code GET /sim/sent} keeps per channel (oldest dropped first)
 * @param rest                 how the REST order book and its limits behave (default: like the exchange)
 */
public record SimulatorOptions(int port, double rate, List<String> pairs, long seed, Path replayFile, double speed,
                               Duration pingInterval, int sentBufferPerChannel, RestModel rest) {

    public SimulatorOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be >= 0: " + rate);
        }
        pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
        if (pairs.isEmpty() || !pairs.stream().allMatch(Pairs::valid)) {
            throw new IllegalArgumentException("pairs must be names such as btcusd or btcusd-perp: " + pairs);
        }
        if (!(speed >= 0)) {
            throw new IllegalArgumentException("speed must be >= 0: " + speed);
        }
        Objects.requireNonNull(pingInterval, "pingInterval");
        if (pingInterval.isNegative() || pingInterval.isZero()) {
            throw new IllegalArgumentException("pingInterval must be positive: " + pingInterval);
        }
        if (sentBufferPerChannel < 1) {
            throw new IllegalArgumentException("sentBufferPerChannel must be >= 1: " + sentBufferPerChannel);
        }
        Objects.requireNonNull(rest, "rest");
    }

    /**
     * Port 9090, 70 events/s per pair, btcusd and ethusd, seed 1, synthetic, speed 1, ping every 54 s, REST like the
     * exchange ({@link RestModel#realistic()}).
     */
    public static SimulatorOptions defaults() {
        return new SimulatorOptions(9090, 70, List.of("btcusd", "ethusd"), 1, null, 1, Duration.ofSeconds(54),
                500_000, RestModel.realistic());
    }

    public SimulatorOptions withPort(int port) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withRate(double rate) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withPairs(List<String> pairs) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withSeed(long seed) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withReplay(Path replayFile) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withSpeed(double speed) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withPingInterval(Duration pingInterval) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withSentBufferPerChannel(int sentBufferPerChannel) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }

    public SimulatorOptions withRest(RestModel rest) {
        return new SimulatorOptions(port, rate, pairs, seed, replayFile, speed, pingInterval, sentBufferPerChannel,
                rest);
    }
}
