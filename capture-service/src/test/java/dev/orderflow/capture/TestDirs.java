package dev.orderflow.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scratch directories of the tests (journals, dead-letter areas, data), made under the module's {@code target/} so
 * that a build leaves nothing in the machine's temporary directory and {@code mvn clean} removes them.
 */
public final class TestDirs {
    private static final Path ROOT = Path.of("target", "test-scratch").toAbsolutePath();

    private TestDirs() {
    }

    /** A new, empty directory whose name starts with {@code prefix}; an absolute path. */
    public static Path create(String prefix) throws IOException {
        Files.createDirectories(ROOT);
        return Files.createTempDirectory(ROOT, prefix);
    }
}
