package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /** The events, each frame once (the same bytes twice are one event), in arrival order. */
    static List<Held> distinct(List<Held> events) {
        Set<FrameBytes> seen = new HashSet<>(events.size() * 2);
        List<Held> distinct = new ArrayList<>(events.size());
        for (Held h : events) {
            if (seen.add(new FrameBytes(h.frame()))) {
                distinct.add(h);
            }
        }
        return distinct;
    }

    /**
     * A frame's bytes as a set member ({@code ByteBuffer.wrap} hashed them a checked byte at a time: a twentieth of
     * the capture's CPU in a burst).
     */
    private record FrameBytes(byte[] bytes, int hash) {
        FrameBytes(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FrameBytes f && f.hash == hash && Arrays.equals(f.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
