package dev.orderflow.capture.feed;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.store.Intake;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Frames the service cannot use: counted by reason, logged at a limited rate, and kept aside: journaled and stored
 * like events ({@link Intake#bad}), in pieces when long.
 */
@ApplicationScoped
public class BadFrames {
    private static final int LOGGED_CHARS = 300;
    /** The reasons the feed gives, registered up front so that each shows in the metrics from the start. */
    static final List<String> REASONS = List.of("invalid_json", "unknown_event", "unknown_channel", "invalid_data",
            "invalid_microtimestamp", "binary");

    private final MeterRegistry registry;
    private final Intake intake;
    private final long logIntervalNanos;
    private long lastLogNanos;
    private boolean loggedOnce;
    private int sinceLastLog;

    @Inject
    public BadFrames(MeterRegistry registry, Intake intake, CaptureConfig config) {
        this(registry, intake, config.feed().badFrameLogInterval().toNanos());
    }

    public BadFrames(MeterRegistry registry, Intake intake, long logIntervalNanos) {
        this.registry = registry;
        this.intake = intake;
        this.logIntervalNanos = logIntervalNanos;
        for (String reason : REASONS) {
            registry.counter("capture.frames.bad", "reason", reason);
        }
    }

    /** Counts the frame under {@code capture.frames.bad{reason}} and keeps it aside. */
    public void keep(String raw, long receivedMicros, String reason) {
        registry.counter("capture.frames.bad", "reason", reason).increment();
        if (!intake.bad(reason, raw.getBytes(StandardCharsets.UTF_8), receivedMicros)) {
            registry.counter("capture.frames.bad.lost").increment();
        }
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
