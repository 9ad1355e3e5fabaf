package dev.orderflow.pipeline.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.orderflow.parentwatch.ParentWatch;

/**
 * A Java child process whose output (stdout and stderr together) is forwarded line by line with a prefix such as
 * {@code [capture] }. Closing it asks it to stop (SIGTERM, so a Quarkus app shuts down gracefully) and kills it
 * after a grace period. It runs with the {@link ParentWatch} agent, so it also stops by itself when this JVM is
 * gone without stopping it (SIGKILL).
 */
public final class ChildJvm implements AutoCloseable {
    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Thread forwarder;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Duration grace;
    private final long startedNanos;

    private ChildJvm(String name, Process process, PrintStream out, Duration grace, long startedNanos) {
        this.name = name;
        this.process = process;
        this.grace = grace;
        this.startedNanos = startedNanos;
        this.forwarder = new Thread(() -> forward(out), name + "-output");
        this.forwarder.setDaemon(true);
        this.forwarder.start();
    }

    /**
     * Starts {@code java <arguments>} with this JVM's own {@code java}, and {@link ParentWatch#childArguments()}
     * before the arguments.
     *
     * @param name      the prefix of its output lines and its name in messages
     * @param arguments JVM options, then the main class or {@code -jar}, then program arguments
     * @param env       added to (or replacing entries of) the launcher's own environment
     * @param directory working directory, or {@code null} for the launcher's
     * @param out       where its output goes, or {@code null} to drop it (the tail is still kept for errors)
     * @param grace     how long {@link #close()} waits after SIGTERM before killing it
     */
    public static ChildJvm start(String name, List<String> arguments, Map<String, String> env, Path directory,
                                 PrintStream out, Duration grace) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(ParentWatch.childArguments());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        try {
            long started = System.nanoTime();
            return new ChildJvm(name, builder.start(), out, grace, started);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** The {@code java} of the running JVM: children run on the same Java as the launcher. */
    public static Path javaExecutable() {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java : Paths.get("java");
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, once it has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Waits for the process to exit; returns false on timeout. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Its last output lines, for error messages. */
    public synchronized String tail() {
        return String.join(System.lineSeparator(), tail);
    }

    /** CPU time the process has used so far (user and system), in ms; -1 where the system does not say. */
    public double cpuMillis() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(-1.0);
    }

    /** Resident memory in MB from {@code /proc/<pid>/status} (Linux), or -1 where that is not available. */
    public double residentMb() {
        Path status = Paths.get("/proc", Long.toString(process.pid()), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        // through the handle: Process.destroy() would also close the output pipe, losing what it says while stopping
        process.toHandle().destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            forwarder.join(1000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void forward(PrintStream out) {
        String prefix = "[" + name + "] ";
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (out != null) {
                    out.println(prefix + line);
                }
            }
        } catch (IOException e) {
            // the process went away; nothing more to forward
        }
    }
}
