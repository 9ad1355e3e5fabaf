package dev.orderflow.pipeline.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class ChildJvmTest {
    @Test
    void shouldForwardBothStreamsWithItsPrefixAndKeepWhatItSaysWhileStopping() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ChildJvm child = ChildJvm.start("child", List.of("-cp", System.getProperty("java.class.path"),
                SaysGoodbye.class.getName(), "42 events"), Map.of(), null, out, Duration.ofSeconds(10));
        awaitOutput(bytes, "[child] on stderr");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("[child] hello"));

        child.close();

        assertFalse(child.isAlive());
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("[child] goodbye, flushed 42 events"), output);
        assertTrue(child.tail().contains("goodbye, flushed 42 events"), child.tail());
    }

    private static void awaitOutput(ByteArrayOutputStream bytes, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!bytes.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in " + bytes.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
    }
}
