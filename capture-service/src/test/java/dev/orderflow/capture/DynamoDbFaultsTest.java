package dev.orderflow.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.store.Windows;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB unavailable (DynamoDB Local stopped, then started again on the same port and data), throttling (the front
 * answering DynamoDB's throttling error) and a permission taken away (the front enforcing template.yaml's policy
 * without it): receiving goes on, everything waits in the journal, memory holds at most
 * {@code capture.writer.max-held-bytes} (the rest is read back from the journal), and once DynamoDB answers again
 * every received event is stored exactly once.
 */
@QuarkusTest
@org.junit.jupiter.api.Timeout(600)
@WithTestResource(value = ProxiedDynamoDbResource.class, parallel = true)
@WithTestResource(value = FaultSimulatorResource.class, parallel = true)
class DynamoDbFaultsTest {
    /**
     * The outage our promise names is 60 s; what the writer does does not change after the first few seconds: its
     * retry backoff is capped (500 ms in tests), and the journal's backlog only grows. 60 s would add 40 s of
     * waiting to the module's test time and nothing else.
     */
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final List<String> PAIRS = SimulatorResource.PAIRS;
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    CaptureConfig config;

    @Inject
    Journal journal;

    @Inject
    Windows windows;

    @Inject
    MeterRegistry registry;

    @Test
    void shouldKeepReceivingWithBoundedMemoryDuringADynamoDbOutageAndStoreEverythingOnceItIsBack() {
        long bound = windows.maxHeldBytes();
        assertEquals(ProxiedDynamoDbResource.MAX_HELD_BYTES, bound);
        Ledger ledger = ready();
        ledger.emit(PAIRS, 20);
        settle(ledger);
        boolean wasBehind = false;

        ProxiedDynamoDbResource.outage();
        long emitted = 0;
        long mostPending = 0;
        try {
            long outageEnds = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < outageEnds) {
                ledger.emit(PAIRS, 20);
                emitted += 20L * PAIRS.size();
                for (int i = 0; i < 10; i++) {
                    Await.sleep(100);
                    mostPending = Math.max(mostPending, windows.heldBytes());
                    wasBehind |= windows.behind();
                }
            }
            assertTrue(emitted * 300 > 2 * bound, "the outage outgrows the bound");
            assertTrue(mostPending <= bound, "bytes held in memory: at most " + bound + ", seen " + mostPending);
            assertTrue(wasBehind, "past the bound, records waited in the journal");
            assertTrue(journal.backlogRecords() > 0, "the events wait in the journal");
            assertEquals(200, given().get("/q/health/live").statusCode());
        } finally {
            ProxiedDynamoDbResource.restore();
        }

        settle(ledger);
        for (String channel : CHANNELS) {
            assertEquals(List.of(), ledger.assertAccountedFor(channel), channel);
        }
        Await.until(Duration.ofSeconds(10),
                () -> !windows.behind() && journal.backlogRecords() == 0 && windows.heldBytes() == 0);
    }

    @Test
    void shouldRetryThrottledWritesUntilEverythingIsStored() {
        Ledger ledger = ready();
        long throttledBefore = ProxiedDynamoDbResource.throttledAnswers();
        ProxiedDynamoDbResource.throttle(true);
        try {
            for (int i = 0; i < 5; i++) {
                ledger.emit(PAIRS, 20);
                Await.sleep(1_000);
            }
            Await.until(Duration.ofSeconds(20), () -> ProxiedDynamoDbResource.throttledAnswers() > throttledBefore + 3);
        } finally {
            ProxiedDynamoDbResource.throttle(false);
        }

        settle(ledger);
        for (String channel : CHANNELS) {
            assertEquals(List.of(), ledger.assertAccountedFor(channel), channel);
        }
    }

    @Test
    void shouldTakeAPutWhoseAnswerWasLostAsStoredWhenItsRetryFindsItThereNotMergeTheWindow() {
        Ledger ledger = ready();
        ledger.emit(PAIRS, 20);
        settle(ledger);
        double merged = registry.counter("capture.windows.merged").count();
        double foundStored = registry.counter("capture.writes.found.stored").count();
        long lostBefore = ProxiedDynamoDbResource.lostAnswers();
        // the next puts are stored, and the writer is told DynamoDB failed: it tries them again
        ProxiedDynamoDbResource.loseAnswers(6);
        try {
            Await.until(Duration.ofSeconds(30), () -> {
                ledger.emit(PAIRS, 10);
                Await.sleep(300);
                return ProxiedDynamoDbResource.lostAnswers() >= lostBefore + 6
                        && registry.counter("capture.writes.found.stored").count() > foundStored;
            });
        } finally {
            ProxiedDynamoDbResource.loseAnswers(0);
        }

        settle(ledger);
        for (String channel : CHANNELS) {
            assertEquals(List.of(), ledger.assertAccountedFor(channel), channel);
        }
        assertEquals(merged, registry.counter("capture.windows.merged").count(),
                "a retried put that finds its own item is stored: nothing to merge");
    }

    @Test
    void shouldKeepEverythingInTheJournalWhileAPermissionIsMissingAndStoreItOnceItIsGranted() {
        Ledger ledger = ready();
        ledger.emit(PAIRS, 20);
        settle(ledger);
        long deniedBefore = ProxiedDynamoDbResource.front().denied();
        java.util.Map<String, Integer> sentBefore = new java.util.HashMap<>();
        CHANNELS.forEach(c -> sentBefore.put(c, ledger.sent(c).size()));
        // Without PutItem nothing is written; without Query no window can be merged, nor a part written whose
        // previous part is not stored yet (its cut is then read). The memory bound is passed, so windows are cut.
        ProxiedDynamoDbResource.front().deny("dynamodb:PutItem", "dynamodb:Query");
        boolean wasBehind = false;
        try {
            for (int i = 0; i < 8; i++) {
                ledger.emit(PAIRS, 40);
                for (int j = 0; j < 10; j++) {
                    Await.sleep(100);
                    wasBehind |= windows.behind();
                }
            }
            assertTrue(ProxiedDynamoDbResource.front().denied() > deniedBefore, "AccessDeniedException answered");
            assertTrue(wasBehind, "past the bound, records waited in the journal");
            assertTrue(journal.backlogRecords() > 0, "nothing refused was deleted: it waits in the journal");
            assertEquals(0.0, registry.counter("capture.items.dead.lettered").count(), "a permission is not a refusal");
            Await.sleep(2 * config.writer().catalogInterval().toMillis()); // the catalog was updated meanwhile
            for (String channel : CHANNELS) {
                long firstUnstored = ledger.sent(channel).subList(sentBefore.get(channel), ledger.sent(channel).size())
                        .stream().mapToLong(dev.orderflow.storage.Frames::microtimestamp).min().orElseThrow();
                dev.orderflow.storage.Channel.WireChannel c = dev.orderflow.storage.Channel.parseWire(channel)
                        .orElseThrow();
                long confirmed = TableReader.catalog(dynamoDb, config.table().name(), config.host().id(), c.pair(),
                        c.channel()).confirmedUntilMicros();
                assertTrue(confirmed <= firstUnstored, channel + ": confirmed_until " + confirmed
                        + " passes an event not stored yet at " + firstUnstored);
            }
        } finally {
            ProxiedDynamoDbResource.front().allow("dynamodb:PutItem", "dynamodb:Query");
        }
        settle(ledger);
        for (String channel : CHANNELS) {
            assertEquals(List.of(), ledger.assertAccountedFor(channel), channel);
        }
        Await.until(Duration.ofSeconds(15), () -> !windows.behind() && journal.backlogRecords() == 0);
    }

    private Ledger ready() {
        Await.until(Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 200);
        return new Ledger(config.feed().restUrl(), dynamoDb, config.table().name());
    }

    private static void settle(Ledger ledger) {
        Await.until(Duration.ofSeconds(60), () -> CHANNELS.stream().allMatch(c -> {
            try {
                return ledger.settled(c);
            } catch (RuntimeException dynamoDbNotBackYet) {
                return false;
            }
        }));
    }
}
