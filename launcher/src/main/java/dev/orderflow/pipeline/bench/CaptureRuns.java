package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.ChildJvm;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;

/**
 * What the bench's capture scenarios share: the packaged capture service started against a simulator and DynamoDB
 * Local (through its role's IAM front), and waiting on its counters.
 */
final class CaptureRuns {
    /** How long the capture may take to store what it received. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(300);

    private final Home home;
    private final Path captureJar;
    private final PrintStream progress;

    CaptureRuns(Home home, Path captureJar, PrintStream progress) {
        this.home = home;
        this.captureJar = captureJar;
        this.progress = progress;
    }

    /** The capture service, its table created first, reaching DynamoDB Local through its role's IAM front. */
    CaptureProcess start(Components scenario, DynamoDbLocal db, int simulatorPort, String table, Scratch journal,
                         Map<String, String> extraEnv) {
        LocalAws.createTable(db.endpoint(), table);
        IamFront front = scenario.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE, table));
        return start(front, simulatorPort, Bench.PAIR, table, journal, extraEnv);
    }

    /** The capture service for {@code pairs}, reaching DynamoDB through {@code front}. */
    CaptureProcess start(IamFront front, int simulatorPort, String pairs, String table, Scratch journal,
                         Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                URI.create("ws://127.0.0.1:" + simulatorPort), pairs));
        env.putAll(LocalAws.dynamoDb(front.endpoint(), table));
        env.putAll(CaptureProcess.journalEnvironment(journal.path()));
        env.putAll(extraEnv);
        progress.println("bench: starting the capture service");
        return CaptureProcess.start(captureJar, env, Ports.free(), null);
    }

    /** Events received and stored by the capture service, and when that was read. */
    record Counts(double received, double stored, long at) {
    }

    /**
     * Waits until the capture service has received at least {@code minReceived} events and stored every event it
     * received; returns the counts at that moment.
     */
    Counts drained(CaptureProcess capture, double minReceived) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(capture.process());
            Prometheus metrics = new Prometheus(capture.metrics());
            long at = System.nanoTime();
            double received = metrics.sum(CaptureProcess.EVENTS_RECEIVED);
            double stored = metrics.sum(CaptureProcess.EVENTS_STORED);
            if (received >= minReceived && stored >= received) {
                return new Counts(received, stored, at);
            }
            Thread.sleep(100);
        }
        throw new LaunchException("the capture service did not store what it received within " + DRAIN_TIMEOUT);
    }

    long awaitFirstEvent(CaptureProcess capture) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(capture.process());
            if (new Prometheus(capture.metrics()).sum(CaptureProcess.EVENTS_RECEIVED) > 0) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        throw new LaunchException("the capture service received nothing from the replay within " + DRAIN_TIMEOUT);
    }

    static void requireAlive(ChildJvm child) {
        if (!child.isAlive()) {
            throw new LaunchException(child.name() + " exited with " + child.exitValue() + "; its last output:"
                    + System.lineSeparator() + child.tail());
        }
    }

    /** The capture's CPU time (user and system) between two readings, per 1,000 events stored meanwhile. */
    static double cpuPer1000(double fromMillis, double toMillis, double events) {
        return fromMillis < 0 || toMillis < 0 || events <= 0 ? Double.NaN : (toMillis - fromMillis) * 1000 / events;
    }
}
