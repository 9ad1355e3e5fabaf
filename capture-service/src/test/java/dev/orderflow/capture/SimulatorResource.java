package dev.orderflow.capture;

import java.util.List;
import java.util.Map;

import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The Bitstamp-protocol simulator on a free port, generating only on request ({@code POST /sim/emit}). */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {
    public static final List<String> PAIRS = List.of("btcusd", "ethusd");
    private Simulator simulator;

    @Override
    public Map<String, String> start() {
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0).withPairs(PAIRS).withSeed(7));
        String base = "127.0.0.1:" + simulator.port();
        return Map.of(
                "capture.feed.url", "ws://" + base,
                "capture.feed.rest-url", "http://" + base,
                "capture.feed.pairs", String.join(",", PAIRS));
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
