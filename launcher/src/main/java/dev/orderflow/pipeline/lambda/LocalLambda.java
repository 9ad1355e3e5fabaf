package dev.orderflow.pipeline.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.orderflow.parentwatch.ParentWatch;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.process.ChildJvm;

/**
 * The packaged query function served over HTTP as AWS serves it: the {@link FrontDoor} plays API Gateway and the
 * Lambda Runtime API, and each function process is what the managed Java runtime runs: AWS's runtime interface
 * client ({@code com.amazonaws.services.lambda.runtime.api.client.AWSLambda}) in the unpacked {@code function.zip}
 * as task root, invoking the handler named in the SAM template. No second build of the application is involved.
 */
public final class LocalLambda implements AutoCloseable {
    /**
     * Memory of the query function as in the SAM template (the default of its {@code QueryMemoryMiB}); the heap is
     * sized from it as Lambda does.
     */
    public static final int MEMORY_MB = 1024;
    /** Memory of the archive function ({@code ArchiveFunction}) as in the SAM template. */
    public static final int ARCHIVE_MEMORY_MB = 2048;
    /** {@code JAVA_TOOL_OPTIONS} of the function as in the SAM template: C2 instead of the runtime's C1-only JIT. */
    public static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=4";
    private static final String RUNTIME_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    /** Where the runtime client loads its native HTTP client from (it would share one fixed path in /tmp). */
    private static final String NATIVE_CLIENT_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final FrontDoor frontDoor;
    private final Scratch taskRoot;
    private final Scratch runtime;
    private final Path nativeClient;
    private final List<ChildJvm> functions = new ArrayList<>();

    private LocalLambda(FrontDoor frontDoor, Scratch taskRoot, Scratch runtime, Path nativeClient) {
        this.frontDoor = frontDoor;
        this.taskRoot = taskRoot;
        this.runtime = runtime;
        this.nativeClient = nativeClient;
    }

    /**
     * Opens the front door on {@code port} (0 = free) and starts {@code instances} function processes, each
     * handling one request at a time; requests queue in the front door until a process takes them.
     *
     * @param functionZip the deployment package ({@code query-lambda/target/function.zip})
     * @param runtimeDir  the runtime interface client's jars
     * @param handler     the handler, e.g. {@link dev.orderflow.pipeline.Home#QUARKUS_HANDLER}
     * @param env         the function's environment (table, DynamoDB endpoint, credentials)
     * @param out         where the functions' output goes ({@code null}: dropped)
     */
    public static LocalLambda start(Path functionZip, Path runtimeDir, String handler, int port, int instances,
                                    Map<String, String> env, PrintStream out) {
        return start(functionZip, runtimeDir, handler, "query-lambda", MEMORY_MB, port, instances, env, out);
    }

    /**
     * As {@link #start(Path, Path, String, int, int, Map, PrintStream)} for any function of the template: its name
     * and memory (the heap is sized from it as Lambda does).
     */
    public static LocalLambda start(Path functionZip, Path runtimeDir, String handler, String name, int memoryMb,
                                    int port, int instances, Map<String, String> env, PrintStream out) {
        if (instances < 1) {
            throw new LaunchException("--instances must be at least 1");
        }
        Scratch taskRoot = Scratch.create("orderflow-function-");
        Scratch runtime = Scratch.create("orderflow-lambda-runtime-");
        LocalLambda lambda;
        try {
            unzip(functionZip, taskRoot.path());
            Path nativeClient = nativeClient(runtimeDir, runtime.path());
            lambda = new LocalLambda(FrontDoor.listen(port), taskRoot, runtime, nativeClient);
        } catch (RuntimeException e) {
            taskRoot.close();
            runtime.close();
            throw e;
        }
        try {
            Map<String, String> environment = lambda.environment(handler, name, memoryMb, env);
            List<String> arguments = new ArrayList<>();
            // should this JVM end without closing them (SIGKILL), the functions delete the folders they run from
            arguments.add(ParentWatch.leftBehindArgument(List.of(taskRoot.path(), runtime.path())));
            arguments.addAll(jvmArguments(runtimeDir, handler, lambda.nativeClient,
                    environment.get("JAVA_TOOL_OPTIONS"), memoryMb));
            String label = "query-lambda".equals(name) ? "api" : name; // the query function serves ./pipeline api
            for (int i = 1; i <= instances; i++) {
                lambda.functions.add(ChildJvm.start(instances == 1 ? label : label + "-" + i, arguments, environment,
                        taskRoot.path(), out, Duration.ofSeconds(5)));
            }
        } catch (RuntimeException e) {
            lambda.close();
            throw e;
        }
        return lambda;
    }

    /** The port the front door listens on. */
    public int port() {
        return frontDoor.getPort();
    }

    public FrontDoor frontDoor() {
        return frontDoor;
    }

    /** The function processes. */
    public List<ChildJvm> functions() {
        return List.copyOf(functions);
    }

    /**
     * Waits until a function process is ready for requests (it has initialised and polls for work); fails when
     * every process has exited first.
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (frontDoor.awaitFunctionReady(100, TimeUnit.MILLISECONDS)) {
                return;
            }
            if (frontDoor.initError().isPresent()) {
                throw new LaunchException("the function could not start: " + frontDoor.initError().get()
                        + System.lineSeparator() + "its last output:" + System.lineSeparator()
                        + functions.get(0).tail());
            }
            if (functions.stream().noneMatch(ChildJvm::isAlive)) {
                ChildJvm first = functions.get(0);
                throw new LaunchException("the function exited with " + first.exitValue()
                        + " before serving; its last output:" + System.lineSeparator() + first.tail());
            }
        }
        throw new LaunchException("the function was not ready within " + timeout.toSeconds() + " s");
    }

    @Override
    public void close() {
        // the functions first, so that none sees its Runtime API vanish mid-poll; requests still queued get a 503
        functions.forEach(ChildJvm::close);
        frontDoor.close();
        taskRoot.close();
        runtime.close();
    }

    /**
     * The options of AWS's managed Java runtime, heap sized from the function's memory. Its JIT default (C1 only)
     * gives way to a tiered-compilation setting in the function's {@code JAVA_TOOL_OPTIONS}, as in Lambda.
     */
    static List<String> jvmArguments(Path runtimeDir, String handler, Path nativeClient, String javaToolOptions,
                                     int memoryMb) {
        List<String> args = new ArrayList<>(List.of(
                "-Xmx" + (memoryMb * 85 / 100) + "m",
                "-XX:+UseSerialGC"));
        if (javaToolOptions == null || !javaToolOptions.contains("TieredStopAtLevel")) {
            args.addAll(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"));
        }
        args.addAll(List.of(
                "-Djava.net.preferIPv4Stack=true",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-D" + NATIVE_CLIENT_PROPERTY + "=" + nativeClient,
                "-cp", runtimeDir.resolve("*").toString(),
                RUNTIME_MAIN,
                handler));
        return args;
    }

    private Map<String, String> environment(String handler, String name, int memoryMb, Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("AWS_LAMBDA_RUNTIME_API", frontDoor.runtimeApi());
        all.put("AWS_LAMBDA_FUNCTION_NAME", name);
        all.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        all.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        all.put("LAMBDA_TASK_ROOT", taskRoot.path().toString());
        all.put("_HANDLER", handler);
        all.put("TZ", ":UTC");
        all.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
        all.putAll(env);
        return all;
    }

    /**
     * Copies the runtime client's native library for this machine out of its jar into a folder of this instance's
     * own, as the managed runtime keeps it in {@code /var/runtime/lib/jni}. Left to itself, every function process
     * would rewrite one shared file in {@code /tmp} while others load it.
     */
    static Path nativeClient(Path runtimeDir, Path into) {
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                || !(x86 || arch.equals("aarch64"))) {
            throw new LaunchException("AWS's Lambda runtime client runs on Linux (x86_64 or aarch64) only, as Lambda"
                    + " does; this is " + System.getProperty("os.name") + " " + arch);
        }
        boolean musl;
        try (Stream<Path> lib = Files.list(Path.of("/lib"))) {
            musl = lib.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
        } catch (IOException e) {
            musl = false;
        }
        String name = "jni/libaws-lambda-jni.linux" + (musl ? "_musl-" : "-") + (x86 ? "x86_64" : "aarch_64") + ".so";
        try (Stream<Path> jars = Files.list(runtimeDir)) {
            Path jar = jars
                    .filter(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                    .findFirst().orElseThrow(() -> new LaunchException("no runtime interface client in " + runtimeDir));
            Path target = into.resolve("libaws-lambda-jni.so");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new LaunchException(jar + " has no " + name);
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the runtime client's native library", e);
        }
    }

    /** Unpacks the deployment package into {@code root}, as Lambda does into {@code /var/task}. */
    static void unzip(Path zip, Path root) {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("entry outside the package: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip, e);
        }
    }
}
