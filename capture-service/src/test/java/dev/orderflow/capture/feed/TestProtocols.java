package dev.orderflow.capture.feed;

import dev.orderflow.capture.store.RecordingQueue;
import io.micrometer.core.instrument.MeterRegistry;

/** The protocol as the service wires it, over a real journal and window step ({@link RecordingQueue}). */
final class TestProtocols {
    private TestProtocols() {
    }

    static BitstampProtocol create(RecordingQueue queue, long badFrameLogNanos, MeterRegistry registry) {
        return new BitstampProtocol(queue.intake, new BadFrames(registry, queue.intake, badFrameLogNanos),
                new Continuity(queue.intake, registry), new dev.orderflow.capture.WatermarkClock(), registry);
    }
}
