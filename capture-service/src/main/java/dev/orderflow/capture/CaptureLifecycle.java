package dev.orderflow.capture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.orderflow.capture.feed.FeedConnection;
import dev.orderflow.capture.store.ChunkWriter;
import dev.orderflow.capture.store.WindowAssembler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Starts the writer, the window timer and the feed; at shutdown stops receiving, seals every window, and lets the
 * writer flush and update the catalog before the process exits.
 */
@ApplicationScoped
public class CaptureLifecycle {
    private final Vertx vertx;
    private final FeedConnection feed;
    private final WindowAssembler assembler;
    private final ChunkWriter writer;
    private final CaptureConfig config;
    private long sealTimer = -1;

    public CaptureLifecycle(Vertx vertx, FeedConnection feed, WindowAssembler assembler, ChunkWriter writer,
            CaptureConfig config) {
        this.vertx = vertx;
        this.feed = feed;
        this.assembler = assembler;
        this.writer = writer;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("Capturing %s from %s into table %s", config.feed().pairs(), config.feed().url(),
                config.table().name());
        writer.start();
        sealTimer = vertx.setPeriodic(config.writer().sealInterval().toMillis(),
                id -> assembler.tick(Clock.nowMicros()));
        feed.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Log.info("Stopping: closing the feed, sealing windows, flushing the writer");
        feed.stop();
        vertx.cancelTimer(sealTimer);
        assembler.sealAll();
        writer.stop();
        Log.info("Capture stopped");
    }
}
