package dev.orderflow.dynamodblocal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.orderflow.parentwatch.ParentWatch;

/**
 * Amazon's DynamoDB Local running in a child JVM with its own classpath (the jars this module's build copied to
 * {@code target/dynamodb-local/lib}, plus the one-class {@link ParentWatch} agent, so that it ends with the JVM that
 * started it, however that one ends). Used by {@code ./pipeline dynamodb}, {@code ./pipeline run}, the tests and
 * the benchmarks.
 */
public final class DynamoDbLocal implements AutoCloseable {
    private static final String MAIN = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";

    private final Process process;
    private final int port;

    private DynamoDbLocal(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts DynamoDB Local and waits until it accepts connections.
     *
     * @param port    the port on loopback, or 0 for a free one
     * @param dataDir where it keeps its files, or {@code null} for an in-memory database
     */
    public static DynamoDbLocal start(int port, Path dataDir) {
        int actualPort = port == 0 ? freePort() : port;
        Path lib = libDir();
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ParentWatch.childArguments());
        command.add("-Xmx512m");
        command.add("-Djava.library.path=" + lib);
        command.add("-Dsqlite4java.library.path=" + lib);
        command.add("-cp");
        command.add(lib.resolve("*").toString());
        command.add(MAIN);
        command.add("-port");
        command.add(Integer.toString(actualPort));
        command.add("-sharedDb");
        if (dataDir == null) {
            command.add("-inMemory");
        } else {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            command.add("-dbPath");
            command.add(dataDir.toAbsolutePath().toString());
        }
        try {
            Path log = Files.createTempFile("dynamodb-local-", ".log");
            // DynamoDB Local drops a metadata file into its working directory even in memory: keep it out of the tree
            Path workDir = dataDir == null ? Files.createTempDirectory("dynamodb-local-") : dataDir.toAbsolutePath();
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            DynamoDbLocal db = new DynamoDbLocal(process, actualPort);
            db.awaitReady(Duration.ofSeconds(60), log);
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the child JVM exits. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
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

    private void awaitReady(Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("DynamoDB Local exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException("DynamoDB Local did not open port " + port + " within " + timeout + "; see " + log);
    }

    /** The folder holding DynamoDB Local's jars and native libraries. */
    public static Path libDir() {
        String override = System.getProperty("dynamodb.local.lib", System.getenv("DYNAMODB_LOCAL_LIB"));
        if (override != null && !override.isBlank()) {
            return Paths.get(override);
        }
        Properties props = new Properties();
        try (InputStream in = DynamoDbLocal.class.getResourceAsStream("dynamodb-local.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("dynamodb-local.properties missing from the launcher jar", e);
        }
        Path lib = Paths.get(props.getProperty("lib.dir"));
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("DynamoDB Local jars not found at " + lib
                    + ": build the dynamodb-local module first (./mvnw -pl dynamodb-local package)");
        }
        return lib;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code java -jar dynamodb-local.jar [--port 8000] [--data DIR | --in-memory]}: runs until stopped. */
    public static void main(String[] args) throws InterruptedException {
        int port = 8000;
        Path data = Paths.get("data", "dynamodb");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Paths.get(args[++i]);
                case "--in-memory" -> data = null;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DynamoDbLocal db = start(port, data);
        Runtime.getRuntime().addShutdownHook(new Thread(db::close));
        System.out.println("DynamoDB Local on " + db.endpoint() + (data == null ? " (in memory)" : " (data in " + data + ")"));
        db.waitFor();
    }
}
