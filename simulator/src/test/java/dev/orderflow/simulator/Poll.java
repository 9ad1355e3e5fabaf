package dev.orderflow.simulator;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds, failing the test after a bound. */
final class Poll {
    private Poll() {
    }

    static void until(Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
