package dev.orderflow.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event frame as the exchange sent it, with the time the capture received it.
 *
 * @param microtimestamp the exchange's {@code data.microtimestamp} in µs (the frame's own time)
 * @param receivedMicros when the capture service read the frame off the socket, µs since the epoch
 * @param frame          the whole frame, every field kept; numbers parsed exactly (see {@link Frames})
 */
public record CapturedEvent(long microtimestamp, long receivedMicros, ObjectNode frame) {
}
