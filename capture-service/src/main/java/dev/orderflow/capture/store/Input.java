package dev.orderflow.capture.store;

import dev.orderflow.storage.Channel;

/** A journal record as the window step takes it: an event for its window, or any other record as a job at once. */
public sealed interface Input {
    long seq();

    long receivedMicros();

    long bytes();

    record Event(String pair, Channel channel, Held held) implements Input {
        @Override
        public long seq() {
            return held.seq();
        }

        @Override
        public long receivedMicros() {
            return held.receivedMicros();
        }

        @Override
        public long bytes() {
            return held.bytes();
        }
    }

    record Other(long seq, long receivedMicros, Job job) implements Input {
        @Override
        public long bytes() {
            return job.bytes();
        }
    }
}
