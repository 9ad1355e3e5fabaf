package dev.orderflow.parentwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParentWatchTest {
    private Process parent;
    private Process child;

    @AfterEach
    void killLeftovers() {
        for (Process p : new Process[] {parent, child}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void shouldNoticeThatTheWatchedProcessIsGoneWhenItIsKilled() throws Exception {
        parent = new ProcessBuilder("sleep", "120").start();
        CountDownLatch gone = new CountDownLatch(1);
        ParentWatch.watch(parent.pid(), gone::countDown);
        assertEquals(1, gone.getCount(), "alive: not gone yet");

        parent.destroyForcibly(); // SIGKILL

        assertTrue(gone.await(5, TimeUnit.SECONDS), "noticed within 5 s");
    }

    @Test
    void shouldNoticeAtOnceWhenThereIsNoSuchProcess() throws Exception {
        parent = new ProcessBuilder("true").start();
        parent.waitFor();
        CountDownLatch gone = new CountDownLatch(1);
        ParentWatch.watch(parent.pid(), gone::countDown);
        assertTrue(gone.await(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldEndAJvmRunningItsShutdownHooksWhenItsParentIsKilled() throws Exception {
        parent = new ProcessBuilder("sleep", "120").start();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-D" + ParentWatch.PARENT_PID + "=" + parent.pid(),
                "-cp", System.getProperty("java.class.path"), WatchedMain.class.getName())
                .redirectErrorStream(true).start();
        String first = readLine(child);
        assertEquals("watching", first);

        parent.destroyForcibly();

        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child exited within 10 s of its parent's SIGKILL");
        assertEquals(ParentWatch.EXIT_STATUS, child.exitValue());
        String rest = new String(child.getInputStream().readAllBytes());
        assertTrue(rest.contains("shutdown hook ran"), rest);
    }

    @Test
    void shouldEndAJvmWhoseMainKnowsNothingOfItThroughTheAgent() throws Exception {
        parent = new ProcessBuilder("sleep", "120").start();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-javaagent:" + ParentWatch.agentJar(),
                "-D" + ParentWatch.PARENT_PID + "=" + parent.pid(),
                "-cp", System.getProperty("java.class.path"), Sleeps.class.getName())
                .redirectErrorStream(true).start();
        assertEquals("sleeping", readLine(child));

        parent.destroyForcibly();

        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child exited within 10 s of its parent's SIGKILL");
        assertEquals(ParentWatch.EXIT_STATUS, child.exitValue());
    }

    @Test
    void shouldNameTheAgentAndThisProcessForAChild() {
        assertEquals(List.of("-javaagent:" + ParentWatch.agentJar(),
                "-D" + ParentWatch.PARENT_PID + "=" + ProcessHandle.current().pid()), ParentWatch.childArguments());
        assertTrue(Files.isRegularFile(ParentWatch.agentJar()));
    }

    private static String readLine(Process process) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = process.getInputStream().read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString();
    }
}
