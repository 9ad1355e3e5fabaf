package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

@org.junit.jupiter.api.Timeout(600)
class PipelineCommandLineTest {
    @Test
    void shouldTakeTheSimulatorRateAsAnOptionalValueOfSimulate() {
        assertNull(run().simulate);
        assertEquals(70.0, run("--simulate").simulate);
        assertEquals(250.0, run("--simulate=250").simulate);
        assertEquals(Pairs.DEFAULT, run("--simulate").pairs);
        assertEquals("all", run("--simulate", "--pairs", "all").pairs);
    }

    @Test
    void shouldReadPairListsAndAll() {
        assertEquals(new Pairs(List.of("btcusd", "ethusd"), false), Pairs.parse(" btcusd, ethusd "));
        assertEquals("all", Pairs.parse("ALL").captureValue());
        assertEquals(List.of("all"), Pairs.parse("all").forSimulator(), "the simulator's all-pairs world");
    }

    @Test
    void shouldRejectPairsThatAreNotPairNames() {
        assertThrows(LaunchException.class, () -> Pairs.parse("btc/usd"));
        assertThrows(LaunchException.class, () -> Pairs.parse(","));
    }

    @Test
    void shouldExitWithUsageErrorOnAnUnknownCommandOrOption() {
        StringWriter err = new StringWriter();
        CommandLine line = Pipeline.commandLine().setErr(new PrintWriter(err));
        assertEquals(2, line.execute("run", "--simulat"));
        assertTrue(err.toString().contains("--simulat"), err.toString());
        assertEquals(2, Pipeline.commandLine().setErr(new PrintWriter(new StringWriter())).execute("deploy"));
    }

    @Test
    void shouldListEverySubcommandOfTheContract() {
        assertEquals(List.of("run", "dynamodb", "simulate", "capture", "api", "archive", "bench"),
                List.copyOf(Pipeline.commandLine().getSubcommands().keySet()));
    }

    private static RunCommand run(String... args) {
        RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
