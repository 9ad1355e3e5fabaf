package dev.orderflow.simulator.world;

import java.util.ArrayDeque;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The order book as the exchange's REST {@code order_book} sees it: built from the same {@code live_orders} events
 * as the true book, but only from those stamped at least the REST delay ago, so it lags the stream; and stamped with
 * its last change in µs, where the stream carries whole milliseconds. Every event stamped at or before that stamp
 * is in the book, none stamped after it (as on the exchange's recorded books). While held
 * ({@code book-behind} fault) it takes no event at all, so it falls further behind the stream.
 */
final class RestBook {
    private record Pending(long micros, String event, JsonNode data) {
    }

    private final L3Book book = new L3Book();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long lastChangeMicros;

    /** An order already resting when the world starts, at {@code micros}. */
    void seed(JsonNode data, long micros) {
        book.apply("order_created", data);
        lastChangeMicros = Math.max(lastChangeMicros, micros);
    }

    void offer(long micros, String event, JsonNode data) {
        pending.addLast(new Pending(micros, event, data));
    }

    /** Takes every waiting event stamped at or before {@code upToMicros}. */
    void advance(long upToMicros) {
        while (!pending.isEmpty() && pending.peekFirst().micros() <= upToMicros) {
            Pending p = pending.pollFirst();
            book.apply(p.event(), p.data());
            lastChangeMicros = changeStamp(p.micros());
        }
    }

    /** The last change in µs: within the event's millisecond, after any earlier change of it. */
    long lastChangeMicros() {
        return lastChangeMicros;
    }

    ObjectNode snapshot(int group, long micros) {
        return book.snapshot(group, micros);
    }

    /**
     * The exchange keeps µs where the stream shows whole ms: a change is stamped some µs into its millisecond
     * (from 137 µs on), and later changes of the same millisecond a µs after the one before.
     */
    private long changeStamp(long eventMicros) {
        long ms = eventMicros - Math.floorMod(eventMicros, 1000);
        if (lastChangeMicros >= ms && lastChangeMicros < ms + 999) {
            return lastChangeMicros + 1;
        }
        return Math.max(lastChangeMicros, ms + 137);
    }
}
