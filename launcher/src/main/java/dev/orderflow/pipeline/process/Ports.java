package dev.orderflow.pipeline.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import dev.orderflow.pipeline.LaunchException;

/** Checking and picking TCP ports before starting a component on them. */
public final class Ports {
    private Ports() {
    }

    /**
     * Fails with a message naming the component and the option to change when {@code port} is taken on any
     * address (a wildcard bind collides with a loopback one).
     */
    public static void requireFree(int port, String component, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new LaunchException("port " + port + " (" + component + ") is already in use: stop what listens"
                    + " there (another ./pipeline?) or choose another port with " + option);
        }
    }

    /** A port that was free a moment ago. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
