package dev.orderflow.pipeline.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;

/**
 * Function processes run by AWS's runtime client in an unpacked deployment package; the packaged query function
 * itself is served in {@code PipelineEndToEndTest}.
 */
@org.junit.jupiter.api.Timeout(600)
class LocalLambdaTest {
    private static final String FAILING = "dev/orderflow/pipeline/lambda/FailingHandler.class";

    @Test
    void shouldStopTheJitAtC1AsTheManagedRuntimeDoesUnlessJavaToolOptionsSetsTheLevel() {
        Path runtime = Path.of("runtime");
        Path jni = Path.of("libaws-lambda-jni.so");
        assertTrue(LocalLambda.jvmArguments(runtime, "h::handle", jni, null, LocalLambda.MEMORY_MB)
                .contains("-XX:TieredStopAtLevel=1"));
        assertTrue(LocalLambda.jvmArguments(runtime, "h::handle", jni, "-Xshare:auto", LocalLambda.MEMORY_MB)
                .contains("-XX:TieredStopAtLevel=1"));
        assertTrue(LocalLambda.jvmArguments(runtime, "h::handle", jni, LocalLambda.JAVA_TOOL_OPTIONS,
                LocalLambda.MEMORY_MB).stream()
                .noneMatch(arg -> arg.startsWith("-XX:TieredStopAtLevel")));
    }

    @Test
    void shouldReportAFunctionThatCannotInitialiseWithItsErrorInsteadOfWaiting(@TempDir Path dir) throws Exception {
        Path zip = dir.resolve("function.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file);
             InputStream handler = getClass().getClassLoader().getResourceAsStream(FAILING)) {
            out.putNextEntry(new ZipEntry(FAILING));
            handler.transferTo(out);
            out.closeEntry();
        }
        long started = System.nanoTime();
        try (LocalLambda lambda = LocalLambda.start(zip, Home.locate().lambdaRuntimeDir(),
                "dev.orderflow.pipeline.lambda.FailingHandler::handleRequest", 0, 1, Map.of(), null)) {
            LaunchException e = assertThrows(LaunchException.class, () -> lambda.awaitReady(Duration.ofSeconds(60)));
            assertTrue(e.getMessage().contains("missing configuration: query.table"), e.getMessage());
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "waited for the timeout");
    }

    @Test
    void shouldAnswerEveryRequestWith500WhenTheHandlerClassIsMissing(@TempDir Path dir) throws Exception {
        Path zip = dir.resolve("function.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("lib/"));
            out.closeEntry();
        }
        try (LocalLambda lambda = LocalLambda.start(zip, Home.locate().lambdaRuntimeDir(), Home.QUARKUS_HANDLER, 0, 1,
                Map.of(), null)) {
            lambda.awaitReady(Duration.ofSeconds(60));
            URI pairs = URI.create("http://127.0.0.1:" + lambda.port() + "/v1/pairs");
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(pairs)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, answer.statusCode());
            assertTrue(answer.body().contains("QuarkusStreamHandler"), answer.body());
        }
    }
}
