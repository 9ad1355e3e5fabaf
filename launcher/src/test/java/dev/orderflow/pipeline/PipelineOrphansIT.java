package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.orderflow.parentwatch.ParentWatch;
import dev.orderflow.pipeline.process.Ports;

/**
 * {@code ./pipeline run --simulate} as a user starts it (the script, the launcher, DynamoDB Local, the capture
 * service and a query function process), on free ports and a data folder of its own, ended by each kind of signal:
 * whatever ends the script or the launcher, no process it started is left.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PipelineOrphansIT {
    /** How long every started process may take to go once the script or the launcher is gone. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path data;

    private Path root;
    private Path log;
    private Process script;
    private final List<ProcessHandle> started = new ArrayList<>();
    private int apiPort;
    private int capturePort;

    @BeforeEach
    void startPipeline(TestInfo test) throws Exception {
        root = Home.locate().root();
        assumeTrue(Files.isRegularFile(root.resolve("capture-service/target/quarkus-app/quarkus-run.jar"))
                        && Files.isRegularFile(root.resolve("query-lambda/target/function.zip")),
                "the packaged capture service and query function are missing: run ./mvnw verify from the root");
        apiPort = Ports.free();
        capturePort = Ports.free();
        log = Path.of("target", "pipeline-orphans-" + test.getTestMethod().orElseThrow().getName() + ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("pipeline").toString(), "run",
                "--simulate", "--instances", "1", "--data", data.toString(),
                "--dynamodb-port", Integer.toString(Ports.free()), "--simulator-port", Integer.toString(Ports.free()),
                "--capture-port", Integer.toString(capturePort), "--api-port", Integer.toString(apiPort))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PIPELINE_NO_BUILD", "1");
        script = builder.start();
        await(Duration.ofMinutes(3), "the API and the capture service to answer",
                () -> answers("http://127.0.0.1:" + apiPort + "/v1/pairs")
                        && answers("http://127.0.0.1:" + capturePort + "/q/health/ready"));
        started.addAll(script.toHandle().descendants().toList());
        // the launcher, DynamoDB Local, the capture service, the query function process
        assertTrue(started.size() >= 4, "started: " + describe(started));
    }

    @AfterEach
    void killLeftovers() {
        script.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        started.forEach(ProcessHandle::destroyForcibly);
        script.toHandle().destroyForcibly();
    }

    @Test
    void shouldLeaveNoProcessWhenTheScriptIsKilled() throws Exception {
        script.toHandle().destroyForcibly(); // SIGKILL: the script passes nothing on

        awaitNoneLeft();
    }

    @Test
    void shouldLeaveNoProcessWhenTheLauncherIsKilled() throws Exception {
        ProcessHandle launcher = script.toHandle().children().filter(this::isJava).findFirst().orElseThrow();
        List<Path> leftBehind = leftBehind();
        // DynamoDB Local's log; the query function's task root and runtime folder
        assertEquals(3, leftBehind.size(), "what the children delete: " + leftBehind);
        assertTrue(leftBehind.stream().allMatch(Files::exists), "what the children delete: " + leftBehind);

        launcher.destroyForcibly(); // SIGKILL: its children are told nothing

        awaitNoneLeft();
        assertTrue(script.waitFor(10, TimeUnit.SECONDS), "the script ends with its launcher");
        assertEquals(List.of(), leftBehind.stream().filter(Files::exists).toList(),
                "what only the launcher would have deleted");
    }

    /** The files and folders the started processes delete themselves when the launcher is gone. */
    private List<Path> leftBehind() {
        String option = "-D" + ParentWatch.LEFT_BEHIND + "=";
        return started.stream()
                .flatMap(p -> Arrays.stream(p.info().arguments().orElse(new String[0])))
                .filter(argument -> argument.startsWith(option))
                .flatMap(argument -> ParentWatch.leftBehindPaths(argument.substring(option.length())).stream())
                .distinct().toList();
    }

    @Test
    void shouldStopTheCaptureFirstAndLeaveNothingOnSigterm() throws Exception {
        script.toHandle().destroy(); // SIGTERM, as `kill` or systemd would

        assertTrue(script.waitFor(GONE_WITHIN.toSeconds(), TimeUnit.SECONDS), "the script ended");
        awaitNoneLeft();
        String output = Files.readString(log);
        assertTrue(output.contains("Stopped."), output);
        // the capture is stopped first and flushes while DynamoDB Local runs: nothing is left in its journal
        assertTrue(output.contains("Capture stopped in"), output);
        assertEquals(0, journalSegmentBytes(), output);
    }

    private void awaitNoneLeft() throws Exception {
        long killed = System.nanoTime();
        await(GONE_WITHIN, "every process the pipeline started to end",
                () -> started.stream().noneMatch(ProcessHandle::isAlive));
        System.out.printf("%s: every process gone %d ms after the signal%n", getClass().getSimpleName(),
                (System.nanoTime() - killed) / 1_000_000);
    }

    private void await(Duration timeout, String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; left: "
                        + describe(started.stream().filter(ProcessHandle::isAlive).toList())
                        + System.lineSeparator() + "output: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    private long journalSegmentBytes() throws IOException {
        Path journal = data.resolve("journal");
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (var files = Files.list(journal)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private boolean isJava(ProcessHandle process) {
        return process.info().command().map(c -> c.endsWith("java")).orElse(false);
    }

    private static boolean answers(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.joining(System.lineSeparator(), "[", "]"));
    }
}
