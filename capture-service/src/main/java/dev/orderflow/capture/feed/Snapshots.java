package dev.orderflow.capture.feed;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.capture.store.Job;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * L3 order book snapshots ({@code /api/v2/order_book/<pair>/?group=2}), fetched asynchronously (receiving goes on)
 * after every (re)connect and periodically, and stored by the writer; they are not journaled (a snapshot lost to a
 * crash is replaced by the one the restart fetches).
 */
@ApplicationScoped
public class Snapshots {
    private final String restUrl;
    private final Windows windows;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Counter stored;
    private final Counter failed;

    public Snapshots(CaptureConfig config, Windows windows, MeterRegistry registry) {
        this.restUrl = config.feed().restUrl().replaceAll("/+$", "");
        this.windows = windows;
        this.stored = Counter.builder("capture.snapshots").description("L3 order book snapshots queued for storage")
                .register(registry);
        this.failed = Counter.builder("capture.snapshots.failed")
                .description("L3 order book snapshots that could not be fetched").register(registry);
    }

    /** Fetches and stores one snapshot per pair, in the background. */
    public void fetch(List<String> pairs, String reason) {
        for (String pair : pairs) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/api/v2/order_book/" + pair + "/?group=2"))
                    .timeout(Duration.ofSeconds(30)).GET().build();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long received = Clock.nowMicros();
                if (error != null || response.statusCode() != 200) {
                    failed.increment();
                    Log.warnf("Order book snapshot of %s failed: %s", pair,
                            error != null ? error.toString() : "HTTP " + response.statusCode());
                    return;
                }
                try {
                    ObjectNode body = Frames.parse(response.body());
                    long micros = body.path("microtimestamp").asLong(received);
                    windows.submit(new Job.Items("snapshot of " + pair + " at " + micros,
                            TableLayout.toItems(new SnapshotRecord(pair, micros, received, reason, body)),
                            2L * response.body().length()));
                    stored.increment();
                } catch (Exception e) {
                    failed.increment();
                    Log.warnf("Order book snapshot of %s unreadable: %s", pair, e.toString());
                }
            });
        }
    }
}
