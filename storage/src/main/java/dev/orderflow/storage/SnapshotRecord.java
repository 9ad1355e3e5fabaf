package dev.orderflow.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An L3 order book as the exchange's REST API returned it ({@code /api/v2/order_book/<pair>/?group=2}), stored so that
 * a book can be rebuilt from it and the events after it.
 *
 * @param microtimestamp the book's own {@code microtimestamp} (µs)
 * @param receivedMicros when the capture received the answer (µs)
 * @param reason         why it was taken: {@code connect} (after every (re)connect) or {@code periodic}
 * @param body           the whole REST body, every field kept, numbers exact
 */
public record SnapshotRecord(String pair, long microtimestamp, long receivedMicros, String reason, ObjectNode body) {
}
