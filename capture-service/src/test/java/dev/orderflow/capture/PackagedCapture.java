package dev.orderflow.capture;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
 * One packaged capture service ({@code target/quarkus-app/quarkus-run.jar}, or the native executable named by
 * {@code -Dcapture.native.runner}) as a child process on its own journal directory and HTTP port, for the
 * {@code *IT} classes: started, stopped with SIGTERM, killed with SIGKILL, started again on the same journal.
 */
final class PackagedCapture {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * What the processes share: DynamoDB Local behind the capture role's {@link IamFront} (template.yaml's policy,
     * enforced), the table created as the deployment's template creates it, the simulator generating only on
     * request, and a {@link Ledger} over both.
     */
    static final class Parts implements AutoCloseable {
        final List<String> pairs;
        final String table;
        final DynamoDbLocal dynamoDbLocal;
        final IamFront front;
        final Simulator simulator;
        final DynamoDbClient dynamoDb;
        final Ledger ledger;

        Parts(List<String> pairs, String table, long seed) {
            this.pairs = pairs;
            this.table = table;
            dynamoDbLocal = DynamoDbLocal.start(0, null);
            simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0).withPairs(pairs)
                    .withSeed(seed));
            dynamoDb = DynamoDbClient.builder()
                    .endpointOverride(dynamoDbLocal.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
            dynamoDb.createTable(TableLayout.createTableRequest(table));
            front = IamFront.forRole(dynamoDbLocal.endpoint(), CfnTemplate.repositoryRoot().resolve("template.yaml"),
                    IamPolicy.CAPTURE_ROLE, table);
            ledger = new Ledger("http://127.0.0.1:" + simulator.port(), dynamoDb, table);
        }

        /** Events the simulator sent so far, all channels of the pairs. */
        long totalSent() {
            return Ledger.channels(pairs).stream().mapToLong(c -> ledger.sent(c).size()).sum();
        }

        @Override
        public void close() {
            dynamoDb.close();
            front.close();
            simulator.close();
            dynamoDbLocal.close();
        }
    }

    private final Parts parts;
    private final Path journal;
    private final Path log;
    private final Map<String, String> environment = new java.util.HashMap<>();
    private IamFront front;
    private Process process;
    private int port;
    private long sentAtStart;

    /** A capture of {@code parts} on {@code journal}; its output is appended to {@code log}. */
    PackagedCapture(Parts parts, Path journal, Path log) {
        this.parts = parts;
        this.journal = journal;
        this.log = log;
        this.front = parts.front;
    }

    /** The process reaches DynamoDB through {@code front} instead of the parts' shared one. */
    PackagedCapture through(IamFront front) {
        this.front = front;
        return this;
    }

    /** Adds to (or overrides) the process's environment. */
    PackagedCapture with(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts the process on a free port and waits until it is ready (connected, every channel subscribed). */
    PackagedCapture start() throws IOException {
        port = freePort();
        sentAtStart = parts.totalSent();
        process = launch(port, log);
        Await.until(Duration.ofSeconds(60), this::ready);
        return this;
    }

    /** SIGTERM; returns how long the process took to exit, in ms (fails after 12 s). */
    long stop() throws InterruptedException {
        long stopping = System.nanoTime();
        process.destroy();
        assertTrue(process.waitFor(12, TimeUnit.SECONDS), "exited on SIGTERM; see " + log);
        return (System.nanoTime() - stopping) / 1_000_000;
    }

    /** SIGKILL: nothing of the process's shutdown runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "killed");
    }

    /** Kills the process if a failed test left it running. */
    void killIfAlive() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    Process process() {
        return process;
    }

    Path journal() {
        return journal;
    }

    /**
     * Starts another process on this capture's journal directory and settings, on {@code port}, its output appended
     * to {@code log}: the native executable when {@code -Dcapture.native.runner} names one, else the JVM build.
     */
    Process launch(int port, Path log) throws IOException {
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
        env.put("ORDERFLOW_TABLE", parts.table);
        env.put("CAPTURE_TABLE_CREATE", "false");
        env.put("CAPTURE_FEED_URL", "ws://127.0.0.1:" + parts.simulator.port());
        env.put("CAPTURE_REST_URL", "http://127.0.0.1:" + parts.simulator.port());
        env.put("CAPTURE_PAIRS", String.join(",", parts.pairs));
        env.put("CAPTURE_JOURNAL_DIR", journal.toString());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // Windows stay in memory 4 s past their end, so that SIGTERM and SIGKILL reliably meet unwritten events.
        env.put("CAPTURE_WRITER_WINDOW_GRACE", "4s");
        env.putAll(environment);
        return pb.start();
    }

    /** After a fault on this host: waits until it connected again (an attempt more than {@code before}) and is ready. */
    void awaitReconnected(double before) {
        Await.until(Duration.ofSeconds(60), () -> metric("capture_reconnects_total") > before && ready());
    }

    /** Polls the metrics until this process has received every event the simulator sent since it started. */
    void awaitReceivedEverythingSent() {
        long sent = parts.totalSent() - sentAtStart; // this process's counter starts at 0
        Await.until(Duration.ofSeconds(20), () -> metric("capture_events_received_total") >= sent);
    }

    /** The sum of a Prometheus metric's samples (every label set); -1 when the metrics cannot be read. */
    double metric(String name) {
        String metrics;
        try {
            metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("the capture process exited with " + process.exitValue() + "; see " + log);
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Bytes of journal segments (the lock file and the dead-letter area aside). */
    long journalBytes() throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
