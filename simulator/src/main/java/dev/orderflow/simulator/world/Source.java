package dev.orderflow.simulator.world;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What produces the frames: the synthetic world or a replayed recording. Called on the server's event loop. */
public interface Source {
    /** Starts producing (the synthetic world at its rate; a replay once a client has subscribed). */
    void start();

    /** Stops producing until {@link #resume()}; {@link #emit} still works. */
    void pause();

    void resume();

    /**
     * Produces exactly {@code count} more live_orders events of {@code pair} now (and the trades they cause).
     *
     * @return what was done, as JSON
     * @throws UnsupportedOperationException when this source cannot (a replay)
     * @throws IllegalArgumentException      for an unknown pair
     */
    ObjectNode emit(String pair, int count);

    /** Adds this source's state (mode, paused, ...) to the {@code /sim/stats} answer. */
    void describe(ObjectNode stats);

    void stop();
}
