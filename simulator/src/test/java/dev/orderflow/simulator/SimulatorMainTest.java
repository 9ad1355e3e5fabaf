package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class SimulatorMainTest {

    @Test
    void shouldReadEveryOptionInBothSpellings() {
        SimulatorOptions o = SimulatorMain.parse(new String[] {"--port", "9191", "--rate=12.5", "--pairs", "btcusd, ltcusd",
                "--seed", "42", "--replay", "x.log", "--speed=0", "--ping-interval", "0.5", "--sent-buffer", "10"});
        assertEquals(new SimulatorOptions(9191, 12.5, List.of("btcusd", "ltcusd"), 42, Path.of("x.log"), 0,
                Duration.ofMillis(500), 10, RestModel.realistic()), o);
    }

    @Test
    void shouldDefaultToTheSharedContract() {
        assertEquals(SimulatorOptions.defaults(), SimulatorMain.parse(new String[0]));
        assertEquals(new SimulatorOptions(9090, 70, List.of("btcusd", "ethusd"), 1, null, 1, Duration.ofSeconds(54),
                500_000, RestModel.realistic()), SimulatorOptions.defaults());
    }

    @Test
    void shouldRejectBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--rate", "fast"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--rate", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--pairs", "BTCUSD"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--colour", "red"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--port"}));
    }
}
