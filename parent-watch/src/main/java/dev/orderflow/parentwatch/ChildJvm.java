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
 * ended by itself or failed to start: the log says why). DynamoDB Local and the local S3 API server run this way.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    /** A scratch directory of the child's, deleted with everything in it once the child is stopped. */
    private Path scratch;

    private ChildJvm(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * A new directory in the temporary directory for a child's working files (its working directory, its settings),
     * to be handed to {@link #start} and deleted by {@link #close}; deleted at once when the start fails.
     */
    public static Path scratchDirectory(String prefix) {
        try {
            return java.nio.file.Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ParentWatch.childArguments());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(lib.resolve("*").toString());
        command.add(mainClass);
        command.addAll(args);
        try {
            Path log = java.nio.file.Files.createTempFile(name.replaceAll("[^A-Za-z0-9]+", "-") + "-", ".log");
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
     * As {@link #start}, in {@code scratch} (from {@link #scratchDirectory}), which is deleted when the child is
     * stopped or cannot start.
     */
    public static ChildJvm startIn(Path scratch, String name, Path lib, List<String> jvmOptions, String mainClass,
            List<String> args, int port, Duration readyWithin) {
        try {
            ChildJvm child = start(name, lib, jvmOptions, mainClass, args, port, scratch, readyWithin);
            child.scratch = scratch;
            return child;
        } catch (RuntimeException e) {
            deleteTree(scratch);
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

    /** Asks it to end (SIGTERM), then ends it by force after ten seconds. */
    @Override
    public void close() {
        boolean stoppedHere = process.isAlive();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            return; // its files are still in use
        }
        if (stoppedHere) {
            deleteTree(log);
        }
        if (scratch != null) {
            deleteTree(scratch);
        }
    }

    /** Deletes a file, or a directory with everything in it; what cannot be deleted stays (it is scratch). */
    static void deleteTree(Path path) {
        try (java.util.stream.Stream<Path> tree = java.nio.file.Files.walk(path)) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // gone already, or unreadable: nothing more to do for scratch files
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
                    close();
                    throw new IllegalStateException(e);
                }
            }
        }
        close();
        throw new IllegalStateException(name + " did not open port " + port + " within " + timeout + "; see " + log);
    }
}
