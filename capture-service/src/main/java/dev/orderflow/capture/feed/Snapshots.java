package dev.orderflow.capture.feed;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.RateLimiter;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.capture.store.Job;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.Guard;

/**
 * L3 order book snapshots ({@code /api/v2/order_book/<pair>/?group=2}), fetched in the background (receiving goes
 * on) after every (re)connect and periodically, and stored by the writer; they are not journaled (a snapshot lost to
 * a crash is replaced by the one the restart fetches).
 * <p>
 * The exchange serves the book from a cache per URL, behind the stream, stamped with its last change. So:
 * <ul>
 *   <li>a connect snapshot is fetched only after events have flowed for {@code capture.snapshot.connect-delay};</li>
 *   <li>every request carries a nonce, so the cache never answers with an older body;</li>
 *   <li>a snapshot is stored only if usable ({@link SnapshotAlignment#usable}: stamped at least the margin after
 *       the first event captured on its {@code live_orders} channel since the (re)connect); else fetched again;</li>
 *   <li>requests of all pairs share a token bucket ({@code capture.snapshot.requests-per-second}), and a refusal
 *       for the rate limit (HTTP 400 code {@code 400.002}, or 429), a server error or a network failure is fetched
 *       again with exponential backoff, by one retry layer (SmallRye Fault Tolerance), up to
 *       {@code capture.snapshot.max-attempts}; what resending cannot fix (an unknown pair) is not.</li>
 * </ul>
 * One snapshot per pair is in progress at a time; asking again meanwhile changes nothing. A pair with no event
 * captured since the (re)connect waits (without a request) until it has one.
 */
@ApplicationScoped
public class Snapshots {
    /** The exchange's error code for a request over its rate limits. */
    static final String RATE_LIMITED = "400.002";
    /** Snapshots fetched at once (each waits for the token bucket, and between attempts). */
    private static final int THREADS = 4;

    private final String restUrl;
    private final Windows windows;
    private final Continuity continuity;
    private final CaptureConfig.Snapshot config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService executor;
    private final RateLimiter bucket;
    private Guard guard;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private final AtomicLong nonce = new AtomicLong(System.currentTimeMillis());
    private final Counter stored;
    private final Counter failed;
    private final Counter unusable;
    private final Counter rateLimited;

    /** Fetch again: the snapshot is older than the stream captured, or the exchange asked to slow down. */
    static final class FetchAgain extends Exception {
        FetchAgain(String why) {
            super(why, null, false, false);
        }
    }

    /** An answer resending cannot change. */
    static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    public Snapshots(CaptureConfig config, Windows windows, Continuity continuity, MeterRegistry registry) {
        this.restUrl = config.feed().restUrl().replaceAll("/+$", "");
        this.windows = windows;
        this.continuity = continuity;
        this.config = config.snapshot();
        this.executor = Executors.newScheduledThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "capture-snapshots");
            t.setDaemon(true);
            return t;
        });
        this.bucket = RateLimiter.create(this.config.requestsPerSecond());
        this.stored = Counter.builder("capture.snapshots").description("L3 order book snapshots queued for storage")
                .register(registry);
        this.failed = Counter.builder("capture.snapshots.failed")
                .description("L3 order book snapshots given up (unreachable, refused, or never usable)")
                .register(registry);
        this.unusable = Counter.builder("capture.snapshots.unusable")
                .description("Snapshots fetched again: stamped before the first event captured plus the margin")
                .register(registry);
        this.rateLimited = Counter.builder("capture.snapshots.rate.limited")
                .description("Snapshot requests the exchange refused for its rate limit (400.002 or 429)")
                .register(registry);
    }

    /** Fetches and stores one snapshot per pair, in the background; a connect snapshot after the connect delay. */
    public void fetch(List<String> pairs, String reason) {
        long delayMillis = "connect".equals(reason) ? config.connectDelay().toMillis() : 0;
        for (String pair : pairs) {
            if (inProgress.add(pair)) {
                try {
                    executor.schedule(() -> run(pair, reason), delayMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    inProgress.remove(pair);
                }
            }
        }
    }

    /** The retry layer, built on first use (it needs the Fault Tolerance runtime, which only the application has). */
    private synchronized Guard guard() {
        if (guard == null) {
            long minMillis = Math.max(1, config.retryMinBackoff().toMillis());
            guard = Guard.create().withDescription("order book snapshots")
                    .withRetry()
                    .maxRetries(Math.max(0, config.maxAttempts() - 1))
                    .maxDuration(1, ChronoUnit.DAYS)
                    .delay(minMillis, ChronoUnit.MILLIS)
                    .jitter(Math.max(1, minMillis / 2), ChronoUnit.MILLIS)
                    .whenException(e -> e instanceof FetchAgain || e instanceof IOException)
                    .withExponentialBackoff().maxDelay(config.retryMaxBackoff().toMillis(), ChronoUnit.MILLIS)
                    .done()
                    .done()
                    .build();
        }
        return guard;
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    private void run(String pair, String reason) {
        if (continuity.firstSinceConnect(new Channel.WireChannel(Channel.ORDERS, pair)).isEmpty()) {
            // nothing to line the book up with yet (a quiet pair, or no connection): look again later
            executor.schedule(() -> run(pair, reason), config.connectDelay().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        try {
            SnapshotFetch fetched = guard().call(() -> attempt(pair), SnapshotFetch.class);
            windows.submit(new Job.Items("snapshot of " + pair + " at " + fetched.record().microtimestamp(),
                    SnapshotItems.toItems(new SnapshotRecord(pair, fetched.record().microtimestamp(),
                            fetched.record().receivedMicros(), reason, fetched.record().body())),
                    2L * fetched.bytes()));
            stored.increment();
        } catch (Exception e) {
            failed.increment();
            Log.warnf("Order book snapshot of %s given up: %s", pair, e.toString());
        } finally {
            inProgress.remove(pair);
        }
    }

    /** A fetched, usable snapshot and the size of its body. */
    record SnapshotFetch(SnapshotRecord record, long bytes) {
    }

    private SnapshotFetch attempt(String pair) throws Exception {
        OptionalLong first = continuity.firstSinceConnect(new Channel.WireChannel(Channel.ORDERS, pair));
        if (first.isEmpty()) {
            throw new FetchAgain("no event of " + pair + " captured on this connection yet");
        }
        bucket.acquire();
        URI uri = URI.create(restUrl + "/api/v2/order_book/" + pair + "/?group=2&nonce=" + nonce.incrementAndGet());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        long received = Clock.nowMicros();
        int status = response.statusCode();
        if (status == 429 || (status == 400 && response.body().contains(RATE_LIMITED))) {
            rateLimited.increment();
            throw new FetchAgain("the exchange refused the request for its rate limit: " + response.body());
        }
        if (status >= 500) {
            throw new FetchAgain("HTTP " + status);
        }
        if (status != 200) {
            throw new Refused("HTTP " + status + ": " + response.body());
        }
        ObjectNode body = Frames.parse(response.body());
        long micros = body.path("microtimestamp").asLong(-1);
        if (micros <= 0) {
            throw new Refused("no microtimestamp in the order book of " + pair);
        }
        // read again: a reconnect while the request was out makes the connection's first event a later one
        long firstEvent = continuity.firstSinceConnect(new Channel.WireChannel(Channel.ORDERS, pair))
                .orElse(Long.MAX_VALUE);
        if (!new SnapshotAlignment(config.margin()).usable(micros, firstEvent)) {
            unusable.increment();
            throw new FetchAgain("the order book of " + pair + " is stamped " + micros + ", before the first event "
                    + "captured (" + firstEvent + ") plus the margin " + config.margin());
        }
        return new SnapshotFetch(new SnapshotRecord(pair, micros, received, null, body), response.body().length());
    }
}
