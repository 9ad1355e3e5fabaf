package dev.orderflow.simulator.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Json;

/** The server's control frames, shaped as the exchange sends them (see the recorded samples). */
public final class ControlFrames {
    public static final String HEARTBEAT = "{\"event\":\"bts:heartbeat\",\"channel\":\"\",\"data\":{\"status\":\"success\"}}";
    public static final String REQUEST_RECONNECT = "{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":\"\"}";
    public static final String INCORRECT_JSON = "Incorrect JSON format.";
    public static final String BAD_SUBSCRIPTION = "Bad subscription string.";
    public static final String INVALID_CHANNEL = "Invalid channel provided.";
    /** Not recorded from the exchange (no sample shows the limit being hit); same shape as its other errors. */

    private ControlFrames() {
    }

    /** {@code {"event":"bts:subscription_succeeded","channel":"…","data":{}}}. */
    public static String subscribed(String channel) {
        return ack("bts:subscription_succeeded", channel);
    }

    /** {@code {"event":"bts:unsubscription_succeeded","channel":"…","data":{}}}. */
    public static String unsubscribed(String channel) {
        return ack("bts:unsubscription_succeeded", channel);
    }

    /** {@code {"event":"bts:error","channel":"","data":{"code":null,"message":"…"}}}. */
    public static String error(String message) {
        ObjectNode frame = Json.object();
        frame.put("event", "bts:error");
        frame.put("channel", "");
        ObjectNode data = frame.putObject("data");
        data.putNull("code");
        data.put("message", message);
        return Json.text(frame);
    }

    private static String ack(String event, String channel) {
        ObjectNode frame = Json.object();
        frame.put("event", event);
        frame.put("channel", channel);
        frame.putObject("data");
        return Json.text(frame);
    }
}
