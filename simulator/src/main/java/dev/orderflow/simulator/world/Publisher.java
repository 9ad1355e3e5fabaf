package dev.orderflow.simulator.world;

import com.fasterxml.jackson.databind.JsonNode;

/** Where generated or replayed frames go (the feed, which broadcasts, counts and keeps them). */
@FunctionalInterface
public interface Publisher {
    /**
     * Publishes one frame of {@code channel}.
     *
     * @param frame its tree, or {@code null} to have it parsed from {@code text} when needed
     * @param text  the exact text to put on the wire
     */
    void publish(String channel, JsonNode frame, String text);
}
