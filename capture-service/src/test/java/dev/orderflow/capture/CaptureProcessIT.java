package dev.orderflow.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a child process, stopped with SIGTERM and
 * killed with SIGKILL: nothing that was received (SIGTERM) or reached the journal (SIGKILL) is lost or doubled.
 */
@EnabledIfSystemProperty(named = "capture.packaged.it", matches = "true",
        disabledReason = "needs the packaged service: runs in failsafe's integration-test phase")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CaptureProcessIT {
    private static final List<String> PAIRS = List.of("btcusd", "ethusd");
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);
    private static final String TABLE = "orderflow_it";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static DynamoDbLocal dynamoDbLocal;
    /** The process reaches DynamoDB Local only through this: template.yaml's capture role, enforced. */
    private static IamFront front;
    private static Simulator simulator;
    private static DynamoDbClient dynamoDb;
    private static Ledger ledger;
    private static Path journal;
    private Process capture;
    private int httpPort;
    private long sentAtStart;

    @BeforeAll
    static void startParts() throws IOException {
        dynamoDbLocal = DynamoDbLocal.start(0, null);
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0).withPairs(PAIRS).withSeed(11));
        dynamoDb = DynamoDbClient.builder()
                .endpointOverride(dynamoDbLocal.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        dynamoDb.createTable(TableLayout.createTableRequest(TABLE)); // as the deployment's template does
        front = IamFront.forRole(dynamoDbLocal.endpoint(), CfnTemplate.repositoryRoot().resolve("template.yaml"),
                IamPolicy.CAPTURE_ROLE, TABLE);
        ledger = new Ledger("http://127.0.0.1:" + simulator.port(), dynamoDb, TABLE);
        journal = Files.createTempDirectory("capture-it-journal");
    }

    @AfterAll
    static void stopParts() {
        dynamoDb.close();
        front.close();
        simulator.close();
        dynamoDbLocal.close();
    }

    @AfterEach
    void killLeftover() {
        if (capture != null && capture.isAlive()) {
            capture.destroyForcibly();
        }
    }

    @Test
    void shouldStoreEverythingReceivedAndExitWithinTheBoundOnSigterm() throws Exception {
        start();
        Map<String, Integer> sentBefore = sentCounts();
        ledger.emit(PAIRS, 200);
        awaitReceivedEverythingSent(); // received, not yet written (windows seal 5 s after they begin)

        long stopping = System.nanoTime();
        capture.destroy(); // SIGTERM
        assertTrue(capture.waitFor(12, TimeUnit.SECONDS), "exited");
        long tookMs = (System.nanoTime() - stopping) / 1_000_000;
        assertTrue(tookMs <= 10_000, "SIGTERM to exit took " + tookMs + " ms");
        assertTrue(capture.exitValue() == 0 || capture.exitValue() == 143,
                "a JVM ended by SIGTERM exits with 143 after its shutdown hooks: " + capture.exitValue());

        for (String channel : CHANNELS) {
            ledger.assertAccountedFor(channel);
            List<ObjectNode> sent = ledger.sent(channel);
            assertEquals(Set.copyOf(sent.subList(sentBefore.get(channel), sent.size())).size(),
                    sent.size() - sentBefore.get(channel));
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            for (ObjectNode frame : sent.subList(sentBefore.get(channel), sent.size())) {
                assertTrue(stored.contains(frame), channel + ": received before SIGTERM, not stored: " + frame);
            }
        }
        assertEquals(0, journalBytes(), "a clean stop leaves no unconfirmed journal");
    }

    @Test
    void shouldReplayTheJournalAfterSigkillSoThatNothingReceivedIsLost() throws Exception {
        start();
        Map<String, Integer> sentBefore = sentCounts();
        ledger.emit(PAIRS, 300);
        awaitReceivedEverythingSent(); // in the journal; the windows are not sealed yet

        capture.destroyForcibly(); // SIGKILL
        assertTrue(capture.waitFor(10, TimeUnit.SECONDS));
        assertTrue(journalBytes() > 0, "the killed process left unconfirmed frames in the journal");
        long sentOrders = ledger.sent("live_orders_btcusd").size();
        long storedBeforeRestart = ledger.stored("live_orders_btcusd").size();
        assertTrue(storedBeforeRestart < sentOrders,
                "killed before storing everything (" + storedBeforeRestart + " of " + sentOrders + ")");

        start();
        ledger.emit(PAIRS, 50);
        Await.until(Duration.ofSeconds(30), () -> CHANNELS.stream().allMatch(ledger::settled));
        for (String channel : CHANNELS) {
            ledger.assertAccountedFor(channel); // nothing doubled; anything missing lies in a recorded window
            List<ObjectNode> sent = ledger.sent(channel);
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            for (ObjectNode frame : sent.subList(sentBefore.get(channel), sent.size())) {
                assertTrue(stored.contains(frame), channel + ": received before SIGKILL, lost: " + frame);
            }
        }
        capture.destroy();
        assertTrue(capture.waitFor(12, TimeUnit.SECONDS));
    }

    @Test
    void shouldRefuseToStartASecondCaptureOnAJournalAnotherOneHolds() throws Exception {
        start();
        Path log = Path.of("target/capture-process-it-second.log");
        Files.deleteIfExists(log);
        Process second = launch(freePort(), log);
        try {
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second capture gave up");
            String output = Files.readString(log);
            assertTrue(second.exitValue() != 0, "exit status " + second.exitValue() + ":\n" + output);
            assertTrue(output.contains("is in use by another capture (pid " + capture.pid() + ";"), output);
            assertTrue(capture.isAlive(), "the first capture goes on");
        } finally {
            second.destroyForcibly();
        }
        capture.destroy();
        assertTrue(capture.waitFor(12, TimeUnit.SECONDS));
    }

    private static long totalSent() {
        return CHANNELS.stream().mapToLong(c -> ledger.sent(c).size()).sum();
    }

    private static Map<String, Integer> sentCounts() {
        Map<String, Integer> counts = new HashMap<>();
        CHANNELS.forEach(c -> counts.put(c, ledger.sent(c).size()));
        return counts;
    }

    /** Polls the service's metrics until it has received every event the simulator has sent. */
    private void awaitReceivedEverythingSent() {
        long sent = totalSent() - sentAtStart; // this process's counter starts at 0
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!received(sent)) {
            assertTrue(System.nanoTime() < deadline, "the service did not receive all " + sent + " events");
            Await.sleep(20);
        }
    }

    private boolean received(long sent) {
        {
            try {
                String metrics = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                double received = 0;
                for (String line : metrics.split("\n")) {
                    if (line.startsWith("capture_events_received_total{")) {
                        received += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                return received >= sent;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void start() throws IOException {
        httpPort = freePort();
        sentAtStart = totalSent();
        capture = launch(httpPort, Path.of("target/capture-process-it.log"));
        Await.until(Duration.ofSeconds(60), () -> ready());
    }

    /**
     * Starts the packaged service on the shared journal, its output appended to {@code log}: the native executable
     * when {@code -Dcapture.native.runner} names one (a {@code -Dnative} build), else the JVM build.
     */
    private static Process launch(int port, Path log) throws IOException {
        String runner = System.getProperty("capture.native.runner", "");
        List<String> command;
        if (!runner.isBlank()) {
            assertTrue(Files.isExecutable(Path.of(runner)), runner + " is built by package -Dnative");
            command = List.of(runner, "-Xmx256m");
        } else {
            Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
            assertTrue(Files.exists(jar), jar + " is built by package");
            String java = ProcessHandle.current().info().command().orElse("java");
            command = List.of(java, "-Xmx256m", "-jar", jar.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", front.endpoint().toString());
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static");
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "local");
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "local");
        env.put("QUARKUS_DYNAMODB_AWS_REGION", "us-east-1");
        env.put("ORDERFLOW_TABLE", TABLE);
        env.put("CAPTURE_TABLE_CREATE", "false");
        env.put("CAPTURE_FEED_URL", "ws://127.0.0.1:" + simulator.port());
        env.put("CAPTURE_REST_URL", "http://127.0.0.1:" + simulator.port());
        env.put("CAPTURE_PAIRS", String.join(",", PAIRS));
        env.put("CAPTURE_JOURNAL_DIR", journal.toString());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // Windows stay in memory 4 s past their end, so that SIGTERM and SIGKILL reliably meet unwritten events.
        env.put("CAPTURE_WRITER_WINDOW_GRACE", "4s");
        return pb.start();
    }

    private boolean ready() {
        if (!capture.isAlive()) {
            throw new AssertionError("the capture process exited with " + capture.exitValue()
                    + "; see target/capture-process-it.log");
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Bytes of journal segments (the lock file aside). */
    private static long journalBytes() throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
