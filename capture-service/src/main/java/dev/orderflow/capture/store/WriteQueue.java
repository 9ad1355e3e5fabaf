package dev.orderflow.capture.store;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What the receive path may hand to the writer; neither method ever waits for DynamoDB. */
public interface WriteQueue {

    /** Queues a window unless the queue is full; {@code false} means: keep it and offer it again later. */
    boolean offer(WindowJob job);

    /** Queues a window whatever the queue holds (at shutdown, when nothing may stay behind). */
    void submit(WindowJob job);

    /** Queues one item that keeps a bad frame aside (rare and small, so never refused). */
    void keepAside(Map<String, AttributeValue> item);
}
