package dev.orderflow.capture.feed;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.store.WriteQueue;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/** Frames the service cannot use: counted by reason, logged at a limited rate, and kept aside in the table. */
@ApplicationScoped
public class BadFrames {
    private static final int LOGGED_CHARS = 300;
    /** The reasons the feed gives, registered up front so that each shows in the metrics from the start. */
    static final List<String> REASONS = List.of("invalid_json", "unknown_event", "unknown_channel", "invalid_data",
            "invalid_microtimestamp", "binary");

    private final MeterRegistry registry;
    private final WriteQueue queue;
    private final long logIntervalNanos;
    private final AtomicInteger sequence = new AtomicInteger();
    private long lastLogNanos;
    private boolean loggedOnce;
    private int sinceLastLog;

    @Inject
    public BadFrames(MeterRegistry registry, WriteQueue queue, CaptureConfig config) {
        this(registry, queue, config.feed().badFrameLogInterval().toNanos());
    }

    public BadFrames(MeterRegistry registry, WriteQueue queue, long logIntervalNanos) {
        this.registry = registry;
        this.queue = queue;
        this.logIntervalNanos = logIntervalNanos;
        for (String reason : REASONS) {
            registry.counter("capture.frames.bad", "reason", reason);
        }
    }

    /** Counts the frame under {@code capture.frames.bad{reason}} and queues it to be stored aside. */
    public void keep(String raw, long receivedMicros, String reason) {
        registry.counter("capture.frames.bad", "reason", reason).increment();
        queue.keepAside(TableLayout.badFrameItem(receivedMicros, sequence.getAndIncrement(), raw, reason));
        log(raw, reason);
    }

    private synchronized void log(String raw, String reason) {
        sinceLastLog++;
        long now = System.nanoTime();
        if (!loggedOnce || now - lastLogNanos >= logIntervalNanos) {
            Log.warnf("%d bad frame(s) kept aside since the last report; latest (%s): %s", sinceLastLog, reason,
                    raw.length() > LOGGED_CHARS ? raw.substring(0, LOGGED_CHARS) + "…" : raw);
            loggedOnce = true;
            lastLogNanos = now;
            sinceLastLog = 0;
        }
    }
}
