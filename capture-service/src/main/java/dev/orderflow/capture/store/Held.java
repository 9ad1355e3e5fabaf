package dev.orderflow.capture.store;

/**
 * One event as memory holds it until DynamoDB stored it: the frame's bytes exactly as received, its times and its
 * journal position ({@code -1} when it could not be journaled).
 */
public record Held(long seq, long receivedMicros, long microtimestamp, byte[] frame) {
    /** What an event costs in memory beyond its frame: the record, the array header, the list slot. */
    static final int OVERHEAD = 64;

    long bytes() {
        return frame.length + OVERHEAD;
    }
}
