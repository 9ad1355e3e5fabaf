package dev.orderflow.capture.store;

import java.util.Set;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * Jobs the writer had to leave held after a failure that may pass: the dead-letter area could not be written (a full
 * disk), a refused window's {@code not_stored} gap record could not be stored, or writing it threw an {@link Error}.
 * They stay in the journal either way; here they are tried again after a while instead of waiting for the next start
 * (until then their channel's watermark, and the journal's release, stop at them). A job already kept in the
 * dead-letter area is remembered, so that trying it again does not keep it twice.
 */
final class HeldJobs {
    private final DelayQueue<Later> later = new DelayQueue<>();
    /** By identity: a job tried again is the same object, and two jobs may share a key (bad frames of one µs). */
    private final Set<Job> deadLettered = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private final long afterNanos;

    HeldJobs(long afterNanos) {
        this.afterNanos = afterNanos;
    }

    /** Tries {@code job} again once the wait has passed. */
    void later(Job job) {
        later.add(new Later(job, System.nanoTime() + afterNanos));
    }

    /** A job whose wait has passed, or {@code null}. */
    Job due() {
        Later next = later.poll();
        return next == null ? null : next.job;
    }

    int waiting() {
        return later.size();
    }

    /** Whether {@code job} is in the dead-letter area already (kept by an earlier try). */
    boolean deadLettered(Job job) {
        return deadLettered.contains(job);
    }

    void keptInDeadLetters(Job job) {
        deadLettered.add(job);
    }

    /** {@code job} is released: nothing more to remember. */
    void released(Job job) {
        deadLettered.remove(job);
    }

    private record Later(Job job, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Later) other).dueNanos);
        }
    }
}
