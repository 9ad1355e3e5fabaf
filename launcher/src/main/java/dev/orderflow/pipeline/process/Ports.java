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

    /** Below the kernel's ephemeral range (Linux: 32768 and up), where {@link #free} picks ports. */
    static final int PICK_FROM = 20_000;
    static final int PICK_TO = 32_000;

    /**
     * A port that was free a moment ago, to pass to a component as its explicit port. It is picked below the
     * ephemeral range: a port picked there could be handed, before the component binds it, to any socket bound to
     * port 0 in the meantime (the launcher's own IAM fronts do so), and the component would then find it taken.
     */
    public static int free() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(PICK_FROM, PICK_TO);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
