package dev.orderflow.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;

/**
 * The packaged service across restarts: the downtime of a clean restart is recorded from the catalog although the
 * journal is empty, and two captures writing the same windows, one of them killed and restarted now and then, leave
 * the union in the table, each event once. Each test has its own DynamoDB Local, table and simulator.
 */
@EnabledIfSystemProperty(named = "capture.packaged.it", matches = "true",
        disabledReason = "needs the packaged service: runs in failsafe's integration-test phase")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CaptureRestartIT {
    private static final List<String> PAIRS = List.of("btcusd", "ethusd");
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);

    private PackagedCapture.Parts parts;
    private Ledger ledger;
    private final List<PackagedCapture> captures = new ArrayList<>();

    @BeforeEach
    void startParts() {
        parts = new PackagedCapture.Parts(PAIRS, "orderflow_it", 23);
        ledger = parts.ledger;
    }

    @AfterEach
    void stopParts() {
        captures.forEach(PackagedCapture::killIfAlive);
        parts.close();
    }

    @Test
    void shouldRecordTheDowntimeOfARestartWhoseJournalWasEmpty() throws Exception {
        PackagedCapture capture = capture("downtime");
        capture.start();
        ledger.emit(PAIRS, 200);
        Await.until(Duration.ofSeconds(30), () -> CHANNELS.stream().allMatch(
                c -> ledger.stored(c).size() == ledger.sent(c).size() && ledger.settled(c)));
        Map<String, Integer> sentBeforeStop = sentCounts();
        Map<String, Long> lastStoredBeforeStop = new HashMap<>();
        for (String channel : CHANNELS) {
            assertTrue(sentBeforeStop.get(channel) > 0, channel + ": nothing sent before the stop");
            lastStoredBeforeStop.put(channel, ledger.stored(channel).stream()
                    .mapToLong(CapturedEvent::microtimestamp).max().orElseThrow());
        }

        capture.stop(); // SIGTERM
        assertEquals(List.of(), segmentsWithRecords(capture.journal()), "a clean stop leaves the journal empty");

        ledger.emit(PAIRS, 100); // no capture runs: lost, and must lie in the recorded downtime
        Map<String, Integer> sentWhileDown = sentCounts();
        capture.start(); // same journal, empty
        ledger.emit(PAIRS, 200);
        Await.until(Duration.ofSeconds(30), () -> CHANNELS.stream().allMatch(c -> ledger.settled(c)
                && storedAll(c, ledger.sent(c).subList(sentWhileDown.get(c), ledger.sent(c).size()))));

        for (String channel : CHANNELS) {
            List<ObjectNode> sent = ledger.sent(channel);
            List<ObjectNode> down = sent.subList(sentBeforeStop.get(channel), sentWhileDown.get(channel));
            assertTrue(!down.isEmpty() && sentWhileDown.get(channel) < sent.size(),
                    channel + ": events sent while down and after the restart");
            List<GapRecord> disconnects = ledger.gaps(channel).stream()
                    .filter(g -> g.kind() == GapRecord.Kind.DISCONNECT).toList();
            assertEquals(1, disconnects.size(), channel + ": one disconnect record: " + disconnects);
            GapRecord gap = disconnects.get(0);
            assertTrue(gap.fromMicros() <= lastStoredBeforeStop.get(channel), channel + ": " + gap
                    + " starts after the last event stored before the stop (" + lastStoredBeforeStop.get(channel)
                    + ")");
            ObjectNode firstAfter = sent.get(sentWhileDown.get(channel));
            assertEquals(Ledger.id(firstAfter), gap.firstEventIdAfter(), channel + ": " + gap);
            assertEquals(Frames.microtimestamp(firstAfter), gap.toMicros(),
                    channel + ": ends at the first event stored after the restart: " + gap);
            for (ObjectNode frame : down) {
                long at = Frames.microtimestamp(frame);
                assertTrue(gap.fromMicros() <= at && at <= gap.toMicros(),
                        channel + ": sent while down, outside " + gap + ": " + frame);
            }
            // nothing doubled; what is missing is exactly what was sent while no capture ran
            assertEquals(Set.copyOf(down), Set.copyOf(ledger.assertAccountedFor(channel)), channel);
        }
        capture.stop();
    }

    @Test
    void shouldStoreTheUnionWhenTwoCapturesWriteTheSameWindowsAndOneIsKilledAndRestarted() throws Exception {
        PackagedCapture[] hosts = {capture("host-a"), capture("host-b")};
        for (PackagedCapture host : hosts) {
            host.start();
        }
        Random random = new Random(20_240_611L);
        int victim = random.nextInt(hosts.length); // then alternating, so that each one is killed
        for (int round = 0; round < 4; round++, victim = 1 - victim) {
            ledger.emit(PAIRS, 150);
            // in the victim's journal, its windows not sealed yet; the other one stores them meanwhile
            hosts[victim].awaitReceivedEverythingSent();
            hosts[victim].kill(); // SIGKILL
            ledger.emit(PAIRS, 50); // only the other one is running: it alone receives these
            hosts[1 - victim].awaitReceivedEverythingSent();
            hosts[victim].start(); // replays its journal into windows the other one has written or is writing
        }
        ledger.emit(PAIRS, 150); // both running
        for (PackagedCapture host : hosts) {
            host.awaitReceivedEverythingSent();
        }
        // At least one capture ran in every round: the union holds every event sent, each once.
        try {
            Await.until(Duration.ofSeconds(60), () -> ledger.unionProblems(CHANNELS).isEmpty());
        } catch (AssertionError notSettled) {
            throw new AssertionError("the table does not hold the union:\n" + ledger.unionProblems(CHANNELS), notSettled);
        }
        double merged = 0;
        for (PackagedCapture host : hosts) {
            merged += Math.max(0, host.metric("capture_windows_merged_total"));
        }
        assertTrue(merged > 0, "windows merged with what the other capture stored");
        for (PackagedCapture host : hosts) {
            host.stop();
        }
        for (String channel : CHANNELS) {
            assertEquals(List.of(), ledger.assertAccountedFor(channel), channel + ": sent while a capture ran");
        }
    }

    private PackagedCapture capture(String name) throws IOException {
        Path log = Path.of("target/capture-restart-it-" + name + ".log");
        Files.deleteIfExists(log);
        PackagedCapture capture = new PackagedCapture(parts, TestDirs.create("capture-it-" + name), log);
        captures.add(capture);
        return capture;
    }

    private Map<String, Integer> sentCounts() {
        Map<String, Integer> counts = new HashMap<>();
        CHANNELS.forEach(c -> counts.put(c, ledger.sent(c).size()));
        return counts;
    }

    private boolean storedAll(String channel, List<ObjectNode> frames) {
        return Set.copyOf(Ledger.frames(ledger.stored(channel))).containsAll(frames);
    }

    /** Journal segments holding records (the lock file and the dead-letter area aside). */
    private static List<Path> segmentsWithRecords(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal") && p.toFile().length() > 0)
                    .toList();
        }
    }

}
