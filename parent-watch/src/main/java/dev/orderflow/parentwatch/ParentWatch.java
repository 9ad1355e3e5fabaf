package dev.orderflow.parentwatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Ends this JVM when the process that started it is gone, however that process ended (SIGKILL included: a child is
 * told of nothing then, so it has to look for itself).
 *
 * <p>A daemon thread checks every {@value #POLL_MS} ms whether the process {@code -D}{@value #PARENT_PID} names is
 * still alive ({@link ProcessHandle#isAlive()}, which also tells a reused PID from the original process). Once it
 * is gone the thread calls {@link System#exit}, so shutdown hooks run as on SIGTERM (the capture service flushes
 * what it can, the launcher stops its own children in order); should the hooks take longer than
 * {@code -D}{@value #HALT_AFTER} milliseconds (default {@value #DEFAULT_HALT_AFTER_MS}), the JVM is halted.
 *
 * <p>Two ways in: the launcher calls {@link #watchFromProperty()} in its {@code main}; every child JVM gets this
 * class's jar as a Java agent ({@link #childArguments()}), whose {@link #premain} starts the watch before the
 * child's own main class runs, whatever that class is (Quarkus' runner, DynamoDB Local's, AWS's Lambda runtime
 * client).
 */
public final class ParentWatch {
    /** The system property naming the process to follow. */
    public static final String PARENT_PID = "orderflow.parent-pid";
    /** The system property bounding the shutdown hooks, in milliseconds, once the parent is gone. */
    public static final String HALT_AFTER = "orderflow.parent-watch.halt-after-ms";
    static final long POLL_MS = 200;
    static final long DEFAULT_HALT_AFTER_MS = 60_000;
    /**
     * The system property naming the files and folders (separated by the path separator) that this JVM deletes once
     * its parent is gone, before it exits: its log and scratch folder, which only the parent would have deleted. The
     * JVM still runs its shutdown hooks afterwards: a class it loads only then from a deleted folder fails to load, and
     * the JVM exits all the same.
     */
    public static final String LEFT_BEHIND = "orderflow.parent-watch.delete";
    /** The exit status of a JVM that ended because its parent was gone. */
    public static final int EXIT_STATUS = 3;

    private static Path agentJar;

    private ParentWatch() {
    }

    /** Java agent entry: watches the process of {@code -Dorderflow.parent-pid}, if set. */
    public static void premain(String agentArgs) {
        watchFromProperty();
    }

    /** Watches the process named by {@code -Dorderflow.parent-pid}; nothing to do when the property is not set. */
    public static Optional<Thread> watchFromProperty() {
        String value = System.getProperty(PARENT_PID, "").trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PARENT_PID + " must be a process id: " + value, e);
        }
        return Optional.of(watch(pid, () -> exit(pid)));
    }

    /**
     * Starts a daemon thread that runs {@code whenGone} once process {@code pid} is no longer alive (at once when
     * there is no such process).
     */
    public static Thread watch(long pid, Runnable whenGone) {
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        Thread thread = new Thread(() -> {
            try {
                while (parent.isPresent() && parent.get().isAlive()) {
                    Thread.sleep(POLL_MS);
                }
            } catch (InterruptedException e) {
                return; // stopped on purpose
            }
            whenGone.run();
        }, "parent-watch-" + pid);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The JVM options that make a child JVM follow this one: the agent jar and this process's id. They go before
     * the child's main class (or {@code -jar}).
     */
    public static List<String> childArguments() {
        return List.of("-javaagent:" + agentJar(), "-D" + PARENT_PID + "=" + ProcessHandle.current().pid());
    }

    /**
     * The jar this class was loaded from: in the launcher's {@code target/lib}, or in the local Maven repository
     * for the tests. Loaded from a build's {@code target/classes} (a reactor build that has not packaged this
     * module yet, an IDE), a jar made once from that folder in the temporary directory.
     */
    public static synchronized Path agentJar() {
        if (agentJar == null) {
            Path location;
            try {
                location = Path.of(ParentWatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where the parent-watch classes are: " + e, e);
            }
            agentJar = Files.isRegularFile(location) ? location : jarOf(location);
        }
        return agentJar;
    }

    private static Path jarOf(Path classes) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), ParentWatch.class.getName());
        try {
            Path jar = Files.createTempFile("parent-watch-", ".jar");
            jar.toFile().deleteOnExit();
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the parent-watch agent jar from " + classes, e);
        }
    }

    private static void exit(long pid) {
        long haltAfter = Long.getLong(HALT_AFTER, DEFAULT_HALT_AFTER_MS);
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(haltAfter);
            } catch (InterruptedException e) {
                return;
            }
            System.err.printf("parent-watch: still stopping %d ms after process %d went away: halting%n", haltAfter,
                    pid);
            Runtime.getRuntime().halt(EXIT_STATUS);
        }, "parent-watch-halt");
        halt.setDaemon(true);
        halt.start();
        System.err.printf("parent-watch: process %d, which started this one, is gone: stopping%n", pid);
        deleteLeftBehind();
        System.exit(EXIT_STATUS);
    }

    /** The JVM option that has a child delete {@code paths} once this JVM is gone ({@value #LEFT_BEHIND}). */
    public static String leftBehindArgument(List<Path> paths) {
        return "-D" + LEFT_BEHIND + "=" + String.join(java.io.File.pathSeparator,
                paths.stream().map(p -> p.toAbsolutePath().toString()).toList());
    }

    /** The paths a {@link #leftBehindArgument} value names (a child's {@value #LEFT_BEHIND} property). */
    public static List<Path> leftBehindPaths(String value) {
        return java.util.Arrays.stream(value.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator)))
                .filter(name -> !name.isBlank()).map(Path::of).toList();
    }

    /** Deletes what {@value #LEFT_BEHIND} names, folders with everything in them; what cannot be deleted stays. */
    private static void deleteLeftBehind() {
        for (Path path : leftBehindPaths(System.getProperty(LEFT_BEHIND, ""))) {
            try (Stream<Path> files = Files.walk(path)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // gone already, or not ours to delete: nothing more to do
            }
        }
    }
}
