package dev.orderflow.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a child process, stopped with SIGTERM and
 * killed with SIGKILL: nothing that was received (SIGTERM) or reached the journal (SIGKILL) is lost or doubled.
 */
@EnabledIfSystemProperty(named = "capture.packaged.it", matches = "true",
        disabledReason = "needs the packaged service: runs in failsafe's integration-test phase")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CaptureProcessIT {
    private static final List<String> PAIRS = List.of("btcusd", "ethusd");
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);
    private static final Path LOG = Path.of("target/capture-process-it.log");

    /** The process reaches DynamoDB Local only through the parts' front: template.yaml's capture role, enforced. */
    private static PackagedCapture.Parts parts;
    private static Ledger ledger;
    private static Path journal;
    private PackagedCapture capture;

    @BeforeAll
    static void startParts() throws IOException {
        parts = new PackagedCapture.Parts(PAIRS, "orderflow_it", 11);
        ledger = parts.ledger;
        journal = TestDirs.create("capture-it-journal");
    }

    @AfterAll
    static void stopParts() {
        parts.close();
    }

    @AfterEach
    void killLeftover() {
        if (capture != null) {
            capture.killIfAlive();
        }
    }

    @Test
    void shouldStoreEverythingReceivedAndExitWithinTheBoundOnSigterm() throws Exception {
        start();
        Map<String, Integer> sentBefore = sentCounts();
        ledger.emit(PAIRS, 200);
        capture.awaitReceivedEverythingSent(); // received, not yet written (windows seal 5 s after they begin)

        long tookMs = capture.stop(); // SIGTERM
        assertTrue(tookMs <= 10_000, "SIGTERM to exit took " + tookMs + " ms");
        int exit = capture.process().exitValue();
        assertTrue(exit == 0 || exit == 143,
                "a JVM ended by SIGTERM exits with 143 after its shutdown hooks: " + exit);

        for (String channel : CHANNELS) {
            ledger.assertAccountedFor(channel);
            List<ObjectNode> sent = ledger.sent(channel);
            assertEquals(Set.copyOf(sent.subList(sentBefore.get(channel), sent.size())).size(),
                    sent.size() - sentBefore.get(channel));
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            for (ObjectNode frame : sent.subList(sentBefore.get(channel), sent.size())) {
                assertTrue(stored.contains(frame), channel + ": received before SIGTERM, not stored: " + frame);
            }
        }
        assertEquals(0, capture.journalBytes(), "a clean stop leaves no unconfirmed journal");
    }

    @Test
    void shouldReplayTheJournalAfterSigkillSoThatNothingReceivedIsLost() throws Exception {
        start();
        Map<String, Integer> sentBefore = sentCounts();
        parts.front.deny("dynamodb:PutItem"); // nothing can be stored: everything received waits in the journal
        try {
            ledger.emit(PAIRS, 300);
            capture.awaitReceivedEverythingSent();

            capture.kill(); // SIGKILL
        } finally {
            parts.front.allow("dynamodb:PutItem");
        }
        assertTrue(capture.journalBytes() > 0, "the killed process left unconfirmed frames in the journal");
        long sentOrders = ledger.sent("live_orders_btcusd").size();
        long storedBeforeRestart = ledger.stored("live_orders_btcusd").size();
        assertTrue(storedBeforeRestart < sentOrders,
                "killed before storing everything (" + storedBeforeRestart + " of " + sentOrders + ")");

        capture.start();
        ledger.emit(PAIRS, 50);
        Await.until(Duration.ofSeconds(30), () -> CHANNELS.stream().allMatch(ledger::settled));
        for (String channel : CHANNELS) {
            ledger.assertAccountedFor(channel); // nothing doubled; anything missing lies in a recorded window
            List<ObjectNode> sent = ledger.sent(channel);
            Set<JsonNode> stored = Set.copyOf(Ledger.frames(ledger.stored(channel)));
            for (ObjectNode frame : sent.subList(sentBefore.get(channel), sent.size())) {
                assertTrue(stored.contains(frame), channel + ": received before SIGKILL, lost: " + frame);
            }
        }
        capture.stop();
    }

    @Test
    void shouldRefuseToStartASecondCaptureOnAJournalAnotherOneHolds() throws Exception {
        start();
        Path log = Path.of("target/capture-process-it-second.log");
        Files.deleteIfExists(log);
        Process second = capture.launch(PackagedCapture.freePort(), log);
        try {
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second capture gave up");
            String output = Files.readString(log);
            assertTrue(second.exitValue() != 0, "exit status " + second.exitValue() + ":\n" + output);
            assertTrue(output.contains("is in use by another capture (pid " + capture.process().pid() + ";"),
                    output);
            assertTrue(capture.process().isAlive(), "the first capture goes on");
        } finally {
            second.destroyForcibly();
        }
        capture.stop();
    }

    private static Map<String, Integer> sentCounts() {
        Map<String, Integer> counts = new HashMap<>();
        CHANNELS.forEach(c -> counts.put(c, ledger.sent(c).size()));
        return counts;
    }

    /** A new process on the shared journal. */
    private void start() throws IOException {
        capture = new PackagedCapture(parts, journal, LOG).start();
    }
}
