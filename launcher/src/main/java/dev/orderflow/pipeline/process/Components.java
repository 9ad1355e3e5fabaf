package dev.orderflow.pipeline.process;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one launcher started, stopped in reverse order of starting (so the capture service flushes while DynamoDB
 * Local still runs). Closing is idempotent and safe from a shutdown hook.
 */
public final class Components implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean closed;

    /** Adds a started component and returns it. */
    public synchronized <T extends AutoCloseable> T add(T component) {
        if (closed) {
            closeQuietly(component);
            throw new IllegalStateException("stopping: not starting more");
        }
        started.push(component);
        return component;
    }

    /** True once stopping has begun: parts going away then are expected. */
    public synchronized boolean stopping() {
        return closed;
    }

    /** Stops everything when this JVM ends (Ctrl-C, SIGTERM, end of main). */
    public Components closeOnExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!stopping()) {
                System.out.println("Stopping ...");
            }
            close();
            System.out.println("Stopped.");
        }, "pipeline-stop"));
        return this;
    }

    @Override
    public void close() {
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                closed = true;
                next = started.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    private static void closeQuietly(AutoCloseable component) {
        try {
            component.close();
        } catch (Exception e) {
            System.err.println("while stopping " + component + ": " + e);
        }
    }
}
