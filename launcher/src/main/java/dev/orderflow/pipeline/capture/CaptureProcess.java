package dev.orderflow.pipeline.capture;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.process.ChildJvm;

/** The packaged capture service as a child JVM, with its health and metrics endpoints. */
public final class CaptureProcess implements AutoCloseable {
    /** The capture service's own HTTP port (health and metrics) by the team's contract. */
    public static final int DEFAULT_HTTP_PORT = 8081;
    /** {@code /q/metrics}: events received, per {@code pair} and {@code channel}. */
    public static final String EVENTS_RECEIVED = "capture_events_received_total";
    /** {@code /q/metrics}: events DynamoDB confirmed, all pairs and channels, each counted once. */
    public static final String EVENTS_STORED = "capture_events_stored_total";
    /** {@code /q/metrics}: events DynamoDB confirmed, per {@code pair} and {@code channel}. */
    public static final String EVENTS_STORED_BY_CHANNEL = "capture_events_stored_by_channel_total";
    /** {@code /q/metrics}: windows the capture merged with what the table held. */
    public static final String WINDOWS_MERGED = "capture_windows_merged_total";
    /** {@code /q/metrics}: write capacity units DynamoDB reported as consumed. */
    public static final String WRITE_UNITS = "capture_write_units_total";
    public static final String CATALOG_WRITE_UNITS = "capture_catalog_write_units_total";
    /** {@code /q/metrics}: receipt to confirmed write, with {@code quantile} 0.5 and 0.99, in seconds. */
    public static final String QUERYABLE_DELAY = "capture_event_queryable_delay_seconds";
    /** {@code /q/metrics}: {@link #QUERYABLE_DELAY} with {@code activity} {@code busy} or {@code quiet}. */
    public static final String QUERYABLE_DELAY_BY_ACTIVITY = "capture_event_queryable_delay_by_activity_seconds";
    /** {@code /q/metrics}: read capacity units of the writer's reads of stored parts. */
    public static final String READ_UNITS = "capture_read_units_total";
    /** {@code /q/metrics}: frame received to fsynced in the journal, with {@code quantile} 0.5 and 0.99, in seconds. */
    public static final String DURABLE_DELAY = "capture_journal_durable_delay_seconds";

    /** Reads of {@link #metrics} before a timeout ends it (each waits up to 10 s). */
    static final int METRICS_ATTEMPTS = 6;

    /**
     * The capture's memory, as on its 2 GiB host ({@code infra/capture/Dockerfile.*} set the same values; README
     * "Memory"; {@code ./pipeline bench} measures it as {@code capture_rss_mb}): at most 256 MiB of heap, starting
     * at 16 MiB so that the heap grows only when it must (at a steady 2,000 events/s about 25 MiB of it is live; a
     * window of tens of thousands of events, as in the bench's burst, takes well over 100 MiB while it is written);
     * the serial collector (no concurrent GC threads or remembered sets, and it gives heap back after a full
     * collection; pauses on a young generation of a few MiB are milliseconds), keeping 10 to 30 % of the heap free
     * after a collection instead of 40 to 70 % (at 2,000 events/s the peak RSS fell from about 206 to 190 MB); a young
     * generation of 15 to 24 MiB whose survivor spaces are a quarter of it each and fill to 90 % before objects are
     * promoted early (frames wait a second or two for their part to be stored; with the default survivor spaces of
     * about 1 MiB every young collection of a burst promoted them, the old generation, which the service's own
     * ~15 MiB nearly fills, filled again at once, and full collections paused the capture for about a third of the
     * burst); 64 MiB of direct
     * buffers (Netty's WebSocket and HTTP); caps on metaspace (about 50 MiB used) and the JIT's code cache (about
     * 15 MiB used); small thread stacks; and an exit rather than a crippled process on {@code OutOfMemoryError}
     * (the journal keeps what was received).
     */
    public static final List<String> JVM_OPTIONS = List.of("-Xms16m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:NewSize=15m", "-XX:MaxNewSize=24m",
            "-XX:SurvivorRatio=2", "-XX:TargetSurvivorRatio=90", "-XX:MaxDirectMemorySize=64m", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k",
            "-XX:+ExitOnOutOfMemoryError");

    /**
     * Gives the C library's free memory back every 5 s (the JIT's compiler arenas above all): the young generation
     * above costs about that much RSS. Only where the JVM has the option (it refuses to start on one it does not);
     * it came to 17.0.9 and 21.0.1 as an experimental option and became a product option only in later updates,
     * hence the unlock (which changes nothing where it is a product option).
     */
    public static final List<String> TRIM_NATIVE_HEAP = List.of("-XX:+UnlockExperimentalVMOptions",
            "-XX:TrimNativeHeapInterval=5000");

    /** Whether {@code version} has {@link #TRIM_NATIVE_HEAP}: from 17.0.9 and 21.0.1 on, and every release from 22. */
    static boolean trimsNativeHeap(Runtime.Version version) {
        return switch (version.feature()) {
            case 17 -> version.update() >= 9;
            case 21 -> version.update() >= 1;
            default -> version.feature() >= 22;
        };
    }

    /**
     * The capture's environment for its memory: at most two glibc malloc arenas (by default up to eight per core,
     * 64 MiB of address space each, of which the threads of Netty, Vert.x, the JIT and the AWS SDK touch pieces),
     * and 8 MiB of frame bytes held until stored ({@code capture.writer.max-held-bytes}; past it records wait in the
     * journal). Held events cost the heap about four times their frame bytes (the parsed frames and the items built
     * from them), so the default, a quarter of the heap, would let an outage grow the heap to its maximum.
     */
    public static final Map<String, String> MEMORY_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2",
            "CAPTURE_MAX_HELD_BYTES", Long.toString(8L << 20));

    /** How long the service may take to flush and confirm its last windows after SIGTERM. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final ChildJvm jvm;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private CaptureProcess(ChildJvm jvm, int httpPort) {
        this.jvm = jvm;
        this.httpPort = httpPort;
    }

    /**
     * Starts {@code java <JVM_OPTIONS> -jar <jar>} with {@code env} (see {@link #feedEnvironment}) and its HTTP
     * server on {@code httpPort}.
     */
    public static CaptureProcess start(Path jar, Map<String, String> env, int httpPort, PrintStream out) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        // unless the caller (or the launcher's own environment) sets them otherwise
        MEMORY_ENVIRONMENT.forEach((name, value) -> {
            if (!all.containsKey(name) && System.getenv(name) == null) {
                all.put(name, value);
            }
        });
        List<String> arguments = new ArrayList<>(JVM_OPTIONS);
        if (trimsNativeHeap(Runtime.version())) { // the capture runs on the launcher's own Java
            arguments.addAll(TRIM_NATIVE_HEAP);
        }
        arguments.addAll(List.of("-jar", jar.toString()));
        return new CaptureProcess(ChildJvm.start("capture", arguments, all, null, out, STOP_GRACE), httpPort);
    }

    /** The feed part of the capture's environment; the REST base URL is derived from the feed URL. */
    public static Map<String, String> feedEnvironment(URI feed, String pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CAPTURE_FEED_URL", feed.toString());
        env.put("CAPTURE_REST_URL", restUrlFor(feed).toString());
        env.put("CAPTURE_PAIRS", pairs);
        // as in AWS: the table exists before the capture starts (LocalAws.createTable), which may not create it
        env.put("CAPTURE_TABLE_CREATE", "false");
        return env;
    }

    /** Where the service keeps its journal of received frames ({@code CAPTURE_JOURNAL_DIR}). */
    /** Capture hosts {@code ./pipeline run --captures} starts at most. */
    public static final int MAX_HOSTS = 8;
    /** How much later than the first host the others write a window (they read first: see capture.host.*). */
    public static final String SECOND_HOST_WRITE_DELAY = "5s";

    /** The name of the {@code index}-th capture host: a, b, c, ... */
    public static String hostName(int index) {
        return String.valueOf((char) ('a' + index));
    }

    /** Host a keeps its journal in {@code <data>/journal}, any other host in {@code <data>/journal-<host>}. */
    public static Path journalDir(Path data, String host) {
        return data.resolve(host.equals(hostName(0)) ? "journal" : "journal-" + host);
    }

    /** The host's name, and for any host but the first a write delay, so that it reads before it writes. */
    public static Map<String, String> hostEnvironment(String host, int index) {
        return index == 0 ? Map.of("CAPTURE_HOST_ID", host)
                : Map.of("CAPTURE_HOST_ID", host, "CAPTURE_WRITE_DELAY", SECOND_HOST_WRITE_DELAY);
    }

    public static Map<String, String> journalEnvironment(Path dir) {
        return Map.of("CAPTURE_JOURNAL_DIR", dir.toAbsolutePath().toString());
    }

    /**
     * The REST base URL that belongs to a feed: Bitstamp's own for {@code wss://ws.bitstamp.net}, otherwise the
     * same host and port over HTTP (the simulator serves both on one port): {@code ws://127.0.0.1:9090} →
     * {@code http://127.0.0.1:9090}.
     */
    public static URI restUrlFor(URI feed) {
        String scheme = feed.getScheme() == null ? "" : feed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new LaunchException("the feed must be a ws:// or wss:// URL: " + feed);
        }
        if ("ws.bitstamp.net".equalsIgnoreCase(feed.getHost())) {
            return URI.create("https://www.bitstamp.net");
        }
        try {
            return new URI(scheme.equals("wss") ? "https" : "http", null, feed.getHost(), feed.getPort(), null, null,
                    null);
        } catch (URISyntaxException e) {
            throw new LaunchException("cannot derive a REST URL from the feed " + feed, e);
        }
    }

    public ChildJvm process() {
        return jvm;
    }

    public URI healthUrl() {
        return URI.create("http://127.0.0.1:" + httpPort + "/q/health");
    }

    /** Waits until {@code /q/health/ready} answers 200 (connected, subscribed, writer not stuck). */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        while (System.nanoTime() < deadline) {
            if (!jvm.isAlive()) {
                throw new LaunchException("the capture service exited with " + jvm.exitValue()
                        + "; its last output:" + System.lineSeparator() + jvm.tail());
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new LaunchException("the capture service was not ready within " + timeout.toSeconds() + " s");
    }

    /**
     * {@code /q/metrics} in Prometheus text format. A read that gets no answer within its timeout is told on standard
     * error and tried again, up to {@value #METRICS_ATTEMPTS} reads in all: a capture busy collecting garbage answers
     * late, and whether it then goes on is what the caller measures.
     */
    public String metrics() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return metricsOnce();
            } catch (java.net.http.HttpTimeoutException slow) {
                if (attempt == METRICS_ATTEMPTS) {
                    throw slow;
                }
                System.err.printf("capture: /q/metrics did not answer within its timeout (read %d of %d); "
                        + "reading again%n", attempt, METRICS_ATTEMPTS);
            }
        }
    }

    private String metricsOnce() throws IOException, InterruptedException {
        URI metrics = URI.create("http://127.0.0.1:" + httpPort + "/q/metrics");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("/q/metrics answered " + answer.statusCode());
        }
        return answer.body();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
