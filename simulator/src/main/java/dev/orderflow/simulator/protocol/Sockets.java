package dev.orderflow.simulator.protocol;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The two socket tricks the faults need and Vert.x has no public API for: stop reading (so not even WebSocket pings
 * are answered, which Vert.x does by itself while reading) and close the TCP connection without a close frame.
 */
final class Sockets {
    private Sockets() {
    }

    static void stopReading(HttpConnection connection) {
        channel(connection).config().setAutoRead(false);
    }

    static void resumeReading(HttpConnection connection) {
        Channel channel = channel(connection);
        channel.config().setAutoRead(true);
        channel.read();
    }

    /**
     * Closes the TCP connection at once: no WebSocket close frame. The close starts at the first pipeline handler,
     * below Vert.x's own, which would send a close frame first.
     */
    static void abort(HttpConnection connection) {
        channel(connection).pipeline().firstContext().close();
    }

    private static Channel channel(HttpConnection connection) {
        return ((ConnectionBase) connection).channel();
    }
}
