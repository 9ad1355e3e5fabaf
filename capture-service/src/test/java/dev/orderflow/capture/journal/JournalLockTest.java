package dev.orderflow.capture.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalLockTest {
    @TempDir
    Path dir;

    private Process other;

    @AfterEach
    void stopOther() {
        if (other != null) {
            other.destroyForcibly();
        }
    }

    @Test
    void shouldRefuseADirectoryAnotherProcessHoldsNamingItsPidAndLockItOnceReleased() throws Exception {
        other = holder(dir);
        BufferedReader said = reader(other);
        assertEquals("locked", said.readLine());

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> JournalLock.acquire(dir));
        assertTrue(refused.getMessage().contains(dir.toAbsolutePath().toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("pid " + other.pid()), refused.getMessage());

        OutputStream input = other.getOutputStream();
        input.write('\n');
        input.flush();
        assertEquals("released", said.readLine());

        try (JournalLock lock = JournalLock.acquire(dir)) {
            assertEquals(dir.toAbsolutePath().normalize(), lock.dir());
        }
    }

    @Test
    void shouldLockADirectoryWhoseHolderWasKilled() throws Exception {
        other = holder(dir);
        assertEquals("locked", reader(other).readLine());

        other.destroyForcibly(); // SIGKILL: the operating system drops its lock
        assertTrue(other.waitFor(10, TimeUnit.SECONDS));

        JournalLock.acquire(dir).close();
    }

    @Test
    void shouldRefuseASecondLockInThisProcessUntilTheFirstIsReleased() {
        JournalLock first = JournalLock.acquire(dir);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> JournalLock.acquire(dir));
        assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
        first.close();
        JournalLock.acquire(dir).close();
    }

    @Test
    void shouldNotOpenAJournalWhoseDirectoryAnotherJournalHoldsUntilItIsClosed() {
        Journal first = journal();
        first.open(e -> { });
        Journal second = journal();
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> second.open(e -> { }));
        assertTrue(refused.getMessage().contains("one capture per journal"), refused.getMessage());
        first.close();

        second.open(e -> { });
        second.close();
    }

    private Journal journal() {
        return new Journal(dir, SegmentFiles.DISK, 20_000_000L, 1000, 1 << 20, Long.MAX_VALUE / 4, 1L << 30,
                new SimpleMeterRegistry());
    }

    private static Process holder(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldsJournalLock.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }
}
