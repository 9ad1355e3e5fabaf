package dev.orderflow.simulator.world;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One outgoing frame of a channel: its tree and its exact wire text. */
public record Frame(String channel, ObjectNode node, String text) {

    public static Frame of(String channel, ObjectNode node) {
        return new Frame(channel, node, Json.text(node));
    }
}
