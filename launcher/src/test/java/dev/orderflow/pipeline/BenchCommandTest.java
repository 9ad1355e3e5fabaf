package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class BenchCommandTest {
    @Test
    void shouldTakeTheOutageInSecondsMinutesOrHours() {
        assertEquals(Duration.ofMinutes(10), BenchCommand.duration("--outage", "10m"));
        assertEquals(Duration.ofSeconds(90), BenchCommand.duration("--outage", "90s"));
        assertEquals(Duration.ofHours(1), BenchCommand.duration("--outage", "1h"));
        for (String wrong : new String[] {"0m", "10", "m", "1.5m", "-1m", "10 min"}) {
            assertThrows(LaunchException.class, () -> BenchCommand.duration("--outage", wrong), wrong);
        }
    }

    @Test
    void shouldDefaultToATenMinuteOutageAndKeepNoReplay() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--no-replay");
        assertEquals("10m", bench.outage);
        assertEquals(true, bench.noReplay);
        new CommandLine(bench).parseArgs("--outage", "2m");
        assertEquals(Duration.ofMinutes(2), BenchCommand.duration("--outage", bench.outage));
    }
}
