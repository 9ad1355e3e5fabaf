package dev.orderflow.dynamodblocal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.orderflow.parentwatch.ChildJvm;
import dev.orderflow.parentwatch.Scratch;

/**
 * Amazon's DynamoDB Local running in a child JVM with its own classpath (the jars this module's build copied to
 * {@code target/dynamodb-local/lib}; a {@link ChildJvm}, so that it ends with the JVM that started it, however that
 * one ends). Used by {@code ./pipeline dynamodb}, {@code ./pipeline run}, the tests and
 * the benchmarks.
 */
public final class DynamoDbLocal implements AutoCloseable {
    private static final String MAIN = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";

    private final ChildJvm jvm;

    private DynamoDbLocal(ChildJvm jvm) {
        this.jvm = jvm;
    }

    /**
     * Starts DynamoDB Local and waits until it accepts connections.
     *
     * @param port    the port on loopback, or 0 for a free one
     * @param dataDir where it keeps its files, or {@code null} for an in-memory database
     */
    public static DynamoDbLocal start(int port, Path dataDir) {
        int actualPort = port == 0 ? ChildJvm.freePort() : port;
        Path lib = libDir();
        List<String> args = new ArrayList<>(List.of("-port", Integer.toString(actualPort), "-sharedDb"));
        try {
            if (dataDir == null) {
                args.add("-inMemory");
            } else {
                Files.createDirectories(dataDir);
                args.add("-dbPath");
                args.add(dataDir.toAbsolutePath().toString());
            }
            List<String> options = List.of("-Xmx512m", "-Djava.library.path=" + lib,
                    "-Dsqlite4java.library.path=" + lib);
            if (dataDir != null) {
                return new DynamoDbLocal(ChildJvm.start("DynamoDB Local", lib, options, MAIN, args, actualPort,
                        dataDir.toAbsolutePath(), Duration.ofSeconds(60)));
            }
            // DynamoDB Local drops a metadata file into its working directory even in memory: keep it out of the
            // tree, in a scratch directory deleted when it stops
            return new DynamoDbLocal(ChildJvm.startIn(Scratch.create("dynamodb-local-"), "DynamoDB Local",
                    lib, options, MAIN, args, actualPort, Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return jvm.port();
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + jvm.port());
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    /** Blocks until the child JVM exits. */
    public int waitFor() throws InterruptedException {
        return jvm.waitFor();
    }

    @Override
    public void close() {
        jvm.close();
    }

    /** The folder holding DynamoDB Local's jars and native libraries ({@code -Ddynamodb.local.lib} overrides it). */
    public static Path libDir() {
        return ChildJvm.libDir(DynamoDbLocal.class, "dynamodb-local.properties", "dynamodb.local.lib",
                "DYNAMODB_LOCAL_LIB");
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
