package dev.orderflow.capture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.feed.FeedConnection;
import dev.orderflow.capture.store.ChunkWriter;

/** {@code /q/health/live}: the writer thread runs. {@code /q/health/ready}: connected, subscribed, writer not stuck. */
@ApplicationScoped
public class CaptureHealth {
    private final FeedConnection feed;
    private final BitstampProtocol protocol;
    private final ChunkWriter writer;

    public CaptureHealth(FeedConnection feed, BitstampProtocol protocol, ChunkWriter writer) {
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
                .status(feed.capturing() && !writer.stuck())
                .withData("connected", feed.connected())
                .withData("subscribed", protocol.subscribedChannels().size())
                .withData("all_subscribed", protocol.allSubscribed())
                .withData("writer_stuck", writer.stuck())
                .withData("queued_events", writer.queuedEvents())
                .build();
    }
}
