package dev.orderflow.pipeline;

import java.time.Duration;

import dev.orderflow.pipeline.bench.Prometheus;
import dev.orderflow.pipeline.capture.CaptureProcess;

/** Bounded polling for the end-to-end tests, and the capture's metrics they poll. */
final class Poll {
    private Poll() {
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Checks {@code condition} every 500 ms until it holds; fails after {@code timeout}, naming {@code what}. */
    static void until(Duration timeout, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
            }
            Thread.sleep(500);
        }
    }

    /** The sum of a capture metric over its tags. */
    static double metric(CaptureProcess capture, String name) throws Exception {
        return new Prometheus(capture.metrics()).sum(name);
    }
}
