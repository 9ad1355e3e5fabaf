package dev.orderflow.capture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.feed.FeedConnection;
import dev.orderflow.capture.store.TableClient;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.capture.store.Writer;

/**
 * {@code /q/health/live}: the writer threads run. {@code /q/health/ready}: connected, subscribed, the table found,
 * writer not stuck.
 */
@ApplicationScoped
public class CaptureHealth {
    private final FeedConnection feed;
    private final BitstampProtocol protocol;
    private final Writer writer;
    private final Windows windows;
    private final TableClient table;

    public CaptureHealth(FeedConnection feed, BitstampProtocol protocol, Writer writer, Windows windows,
            TableClient table) {
        this.windows = windows;
        this.table = table;
        this.feed = feed;
        this.protocol = protocol;
        this.writer = writer;
    }

    @Produces
    @Liveness
    HealthCheck writerRunning() {
        return () -> HealthCheckResponse.named("writer").status(writer.running()).build();
    }

    @Produces
    @Readiness
    HealthCheck capturing() {
        return () -> HealthCheckResponse.named("capture")
                .status(feed.capturing() && table.tableReady() && !writer.stuck())
                .withData("table_ready", table.tableReady())
                .withData("connected", feed.connected())
                .withData("subscribed", protocol.subscribedChannels().size())
                .withData("all_subscribed", protocol.allSubscribed())
                .withData("writer_stuck", writer.stuck())
                .withData("queued_jobs", windows.queuedJobs())
                .withData("held_bytes", windows.heldBytes())
                .withData("behind", windows.behind())
                .build();
    }
}
