package dev.orderflow.s3local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.orderflow.parentwatch.ChildJvm;
import dev.orderflow.parentwatch.Scratch;

/**
 * An S3 API server on loopback: S3Proxy (jclouds behind Jetty) in a child JVM with its own classpath (the jars this
 * module's build copied to {@code target/s3-local/lib}), in memory or on a folder. It checks AWS signatures (V2 and
 * V4) against {@link #ACCESS_KEY} and {@link #SECRET_KEY}, so a client must sign as it would against S3; it answers
 * path-style requests ({@code http://127.0.0.1:<port>/<bucket>/<key>}).
 */
public final class S3Local implements AutoCloseable {
    public static final String ACCESS_KEY = "local";
    public static final String SECRET_KEY = "local-secret";
    private static final String MAIN = "org.gaul.s3proxy.Main";

    private final ChildJvm jvm;

    private S3Local(ChildJvm jvm) {
        this.jvm = jvm;
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @param port    the port on loopback, or 0 for a free one
     * @param dataDir where buckets are kept (a folder per bucket, a file per object), or {@code null} for memory
     */
    public static S3Local start(int port, Path dataDir) {
        int actualPort = port == 0 ? ChildJvm.freePort() : port;
        Properties conf = new Properties();
        conf.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + actualPort);
        conf.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        conf.setProperty("s3proxy.identity", ACCESS_KEY);
        conf.setProperty("s3proxy.credential", SECRET_KEY);
        conf.setProperty("jclouds.identity", ACCESS_KEY);
        conf.setProperty("jclouds.credential", SECRET_KEY);
        try {
            Scratch workDir = Scratch.create("s3-local-");
            if (dataDir == null) {
                conf.setProperty("jclouds.provider", "transient");
            } else {
                Files.createDirectories(dataDir);
                conf.setProperty("jclouds.provider", "filesystem");
                conf.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
            }
            Path file = workDir.path().resolve("s3proxy.conf");
            try (var out = Files.newOutputStream(file)) {
                conf.store(out, "S3Local");
            }
            return new S3Local(ChildJvm.startIn(workDir, "S3 API server", libDir(), List.of("-Xmx256m"), MAIN,
                    List.of("--properties", file.toString()), actualPort, Duration.ofSeconds(60)));
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

    @Override
    public void close() {
        jvm.close();
    }

    /** The folder holding S3Proxy's jars ({@code -Ds3.local.lib} or {@code $S3_LOCAL_LIB} override it). */
    public static Path libDir() {
        return ChildJvm.libDir(S3Local.class, "s3-local.properties", "s3.local.lib", "S3_LOCAL_LIB");
    }
}
