package dev.orderflow.parentwatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own, started by this one with a classpath of its own (so that its libraries never meet
 * the applications'), ended with this one ({@link ParentWatch#childArguments()}), and ready once its port accepts
 * connections. Its output goes to a log file in the temporary directory, deleted when this JVM stops it (kept when it
 * ended by itself or failed to start: the log says why), or by the child when it ends because this JVM is gone.
 * DynamoDB Local and the local S3 API server run this way.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    /** The child's scratch directory, deleted with everything in it once the child is stopped. */
    private Scratch scratch;

    private ChildJvm(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with every jar of {@code lib} on its classpath and waits until {@code port} (on
     * loopback) accepts connections.
     *
     * @param name       what it is, for messages and the log file's name
     * @param jvmOptions options before the main class (the parent watch is added)
     * @param workDir    its working directory
     */
    public static ChildJvm start(String name, Path lib, List<String> jvmOptions, String mainClass, List<String> args,
            int port, Path workDir, Duration readyWithin) {
        return start(name, lib, jvmOptions, mainClass, args, port, workDir, null, readyWithin);
    }

    /** As {@link #start}; {@code scratch}, when not null, is deleted by the child should this JVM end first. */
    private static ChildJvm start(String name, Path lib, List<String> jvmOptions, String mainClass, List<String> args,
            int port, Path workDir, Path scratch, Duration readyWithin) {
        try {
            Path log = java.nio.file.Files.createTempFile(name.replaceAll("[^A-Za-z0-9]+", "-") + "-", ".log");
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ParentWatch.childArguments());
            // once this JVM is gone nobody else deletes them (this JVM's close() does while it lives)
            command.add(ParentWatch.leftBehindArgument(scratch == null ? List.of(log) : List.of(log, scratch)));
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(lib.resolve("*").toString());
            command.add(mainClass);
            command.addAll(args);
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ChildJvm child = new ChildJvm(name, process, port, log);
            child.awaitReady(readyWithin);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * As {@link #start}, with {@code scratch} as its working directory; the scratch is deleted when the child is
     * stopped or cannot start.
     */
    public static ChildJvm startIn(Scratch scratch, String name, Path lib, List<String> jvmOptions, String mainClass,
            List<String> args, int port, Duration readyWithin) {
        try {
            ChildJvm child = start(name, lib, jvmOptions, mainClass, args, port, scratch.path(), scratch.path(),
                    readyWithin);
            child.scratch = scratch;
            return child;
        } catch (RuntimeException e) {
            scratch.close();
            throw e;
        }
    }

    /**
     * The folder of a child's jars: {@code -D<systemProperty>} or {@code $<envVariable>} when set, else the folder
     * the {@code lib.dir} entry of {@code resource} (next to {@code owner}, filled in by its module's build) names.
     */
    public static Path libDir(Class<?> owner, String resource, String systemProperty, String envVariable) {
        String override = System.getProperty(systemProperty, System.getenv(envVariable));
        if (override != null && !override.isBlank()) {
            return Paths.get(override);
        }
        java.util.Properties props = new java.util.Properties();
        try (java.io.InputStream in = owner.getResourceAsStream(resource)) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException(resource + " missing from " + owner.getName() + "'s jar", e);
        }
        Path lib = Paths.get(props.getProperty("lib.dir"));
        if (!java.nio.file.Files.isDirectory(lib)) {
            throw new IllegalStateException("the jars for " + owner.getSimpleName() + " are not at " + lib
                    + ": build its module first (./mvnw package)");
        }
        return lib;
    }

    /** A port on loopback that is free now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Where its output goes. */
    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the child JVM exits. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Asks it to end (SIGTERM), then ends it by force after ten seconds; then deletes its scratch, and its log when
     * it was still running (a child that ended by itself keeps the log that says why).
     */
    @Override
    public void close() {
        boolean stoppedHere = process.isAlive();
        stop();
        if (process.isAlive()) {
            return; // its files are still in use
        }
        try {
            if (stoppedHere) {
                java.nio.file.Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            // a log left in the temporary directory: nothing more to do
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                    throw new IllegalStateException(e);
                }
            }
        }
        stop(); // the log stays: the message names it
        throw new IllegalStateException(name + " did not open port " + port + " within " + timeout + "; see " + log);
    }
}
