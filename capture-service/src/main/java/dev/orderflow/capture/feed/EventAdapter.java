package dev.orderflow.capture.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;

/** An exchange event frame as a {@link CapturedEvent}: the whole frame kept, its time read from the data. */
final class EventAdapter {
    private EventAdapter() {
    }

    /** Why a frame is not a usable event; the reason becomes a metric tag and is stored with the frame. */
    static final class BadFrame extends Exception {
        final String reason;

        BadFrame(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    static CapturedEvent toEvent(ObjectNode frame, long receivedMicros) throws BadFrame {
        JsonNode data = frame.get("data");
        if (data == null || !data.isObject()) {
            throw new BadFrame("invalid_data");
        }
        long microtimestamp = Frames.microtimestamp(frame);
        if (microtimestamp <= 0) {
            throw new BadFrame("invalid_microtimestamp");
        }
        return new CapturedEvent(microtimestamp, receivedMicros, frame);
    }
}
