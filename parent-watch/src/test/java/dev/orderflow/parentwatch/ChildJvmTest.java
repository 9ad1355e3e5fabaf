package dev.orderflow.parentwatch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM leaves nothing in the temporary directory once it is stopped, and keeps its log when it failed. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChildJvmTest {
    @TempDir
    Path lib;

    @Test
    void shouldDeleteItsLogAndScratchDirectoryOnceStopped() throws Exception {
        jarOf(Listens.class);
        Scratch work = Scratch.create("child-jvm-test-");
        Path scratch = work.path();
        Files.writeString(scratch.resolve("settings.conf"), "a setting");
        int port = ChildJvm.freePort();
        ChildJvm child = ChildJvm.startIn(work, "test server", lib, List.of("-Xmx32m"), Listens.class.getName(),
                List.of(Integer.toString(port)), port, Duration.ofSeconds(60));
        Path log = child.log();
        assertTrue(Files.exists(log) && Files.exists(scratch.resolve("settings.conf")));

        child.close();

        assertFalse(child.isAlive());
        assertFalse(Files.exists(log), "log deleted: " + log);
        assertFalse(Files.exists(scratch), "scratch deleted: " + scratch);
    }

    @Test
    void shouldLeaveNeitherLogNorScratchWhenItsParentEndsWithoutStoppingIt() throws Exception {
        jarOf(Listens.class);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StartsChild.class.getName(), lib.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()));
            Path log = Path.of(out.readLine());
            Path scratch = Path.of(out.readLine());
            assertTrue(Files.exists(log) && Files.isDirectory(scratch), log + " and " + scratch);

            parent.destroy(); // SIGTERM: the parent ends without stopping its child, as a test JVM that exits does

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((Files.exists(log) || Files.exists(scratch)) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(Files.exists(log), "log deleted by the child: " + log);
            assertFalse(Files.exists(scratch), "scratch deleted by the child: " + scratch);
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void shouldKeepTheLogButNotTheScratchOfAChildThatCannotStart() throws Exception {
        jarOf(Listens.class);
        Scratch work = Scratch.create("child-jvm-test-");
        Path scratch = work.path();
        int port = ChildJvm.freePort();
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> ChildJvm.startIn(work,
                "test server", lib, List.of("-Xmx32m"), Listens.class.getName(), List.of("not-a-port"), port,
                Duration.ofSeconds(60)));

        Path log = Path.of(failed.getMessage().substring(failed.getMessage().indexOf("see ") + 4));
        assertTrue(Files.readString(log).contains("NumberFormatException"), failed.getMessage());
        assertFalse(Files.exists(scratch), "scratch deleted: " + scratch);
        Files.delete(log);
    }

    /** The class, in a jar of its own in {@link #lib} (a child's classpath is the jars of a folder). */
    private void jarOf(Class<?> type) throws IOException {
        String entry = type.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("child.jar")));
                var in = type.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        }
    }
}
