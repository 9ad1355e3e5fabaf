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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.UnionGaps;

/**
 * Two packaged capture hosts ({@code a}, and {@code b} reading before it writes) on one table, one simulator: each
 * fault hits one host at a time (SIGKILL and restart, a dropped connection, silence, {@code bts:request_reconnect},
 * refused reconnects, DynamoDB stalling, then throttling, only that host) while the other runs. The table must hold every event sent,
 * each once, and the record must have no gap but the one the exchange made ({@code skip}: both hosts miss it); then
 * both hosts stop at once, and that downtime is one gap of the record.
 */
@EnabledIfSystemProperty(named = "capture.packaged.it", matches = "true",
        disabledReason = "needs the packaged service: runs in failsafe's integration-test phase")
@Timeout(value = 720, unit = TimeUnit.SECONDS)
class TwoHostsIT {
    private static final List<String> PAIRS = List.of("btcusd", "ethusd");
    private static final List<String> CHANNELS = Ledger.channels(PAIRS);
    private static final String SKIPPED = "live_orders_btcusd";
    /** The skipped orders' pair's trades: the same window is recorded there (trades carry no chain). */
    private static final String SKIPPED_TRADES = "live_trades_btcusd";
    private static final long CATALOG_INTERVAL_MS = 1_000;
    /** Rounds of every fault, each host in turn; the exchange's skip comes in the last. */
    private static final int ROUNDS = 2;

    private PackagedCapture.Parts parts;
    private Ledger ledger;
    private IamFront frontB;
    private volatile boolean throttleB;
    private volatile boolean stallB;
    private final List<PackagedCapture> captures = new ArrayList<>();

    @BeforeEach
    void startParts() {
        parts = new PackagedCapture.Parts(PAIRS, "orderflow_hosts", 31);
        ledger = parts.ledger;
        frontB = IamFront.forRole(parts.dynamoDbLocal.endpoint(),
                CfnTemplate.repositoryRoot().resolve("template.yaml"), IamPolicy.CAPTURE_ROLE, parts.table);
        frontB.intercept(operation -> {
            for (int waited = 0; stallB && waited < 300; waited++) { // DynamoDB answers b nothing for a while
                Await.sleep(100);
            }
            return throttleB ? new IamFront.Answer(400, ProxiedDynamoDbResource.THROTTLED_BODY) : null;
        });
    }

    @AfterEach
    void stopParts() {
        captures.forEach(PackagedCapture::killIfAlive);
        frontB.close();
        parts.close();
    }

    @Test
    void shouldKeepOneGapFreeRecordWhileEachHostInTurnFailsAndOneGapWhenBothStop() throws Exception {
        PackagedCapture a = capture("a");
        PackagedCapture b = capture("b").through(frontB).with("CAPTURE_WRITE_DELAY", "3s");
        a.start();
        b.start();
        ledger.emit(PAIRS, 100);

        double reconnectsA;
        double reconnectsB;
        for (int round = 0; round < ROUNDS; round++) { // each round a minute of faults, one host at a time
            reconnectsB = b.metric("capture_reconnects_total");
            ledger.post("/sim/faults/drop?client=host%20b");
            ledger.emit(PAIRS, 100);
            b.awaitReconnected(reconnectsB);
            oneHostAtATime();
            reconnectsA = a.metric("capture_reconnects_total");
            ledger.post("/sim/faults/silence?seconds=4&client=host%20a");
            ledger.emit(PAIRS, 100);
            a.awaitReconnected(reconnectsA);
            oneHostAtATime();
            reconnectsB = b.metric("capture_reconnects_total");
            ledger.post("/sim/faults/request-reconnect?seconds=10&client=host%20b");
            ledger.emit(PAIRS, 100);
            b.awaitReconnected(reconnectsB);
            Await.until(Duration.ofSeconds(30), () -> { // b's old connection closed: the switch is over
                ledger.emit(PAIRS, 10);
                return ledger.connections() == 2;
            });
            oneHostAtATime();
            reconnectsA = a.metric("capture_reconnects_total");
            ledger.post("/sim/faults/refuse?seconds=3&client=host%20a");
            ledger.post("/sim/faults/drop?client=host%20a");
            ledger.emit(PAIRS, 100);
            a.awaitReconnected(reconnectsA);
            oneHostAtATime();
            b.kill(); // SIGKILL
            ledger.emit(PAIRS, 100);
            b.start();
            oneHostAtATime();
            stallB = true; // DynamoDB stalls for b alone: its calls hang
            ledger.emit(PAIRS, 100);
            Thread.sleep(4_000);
            stallB = false;
            throttleB = true; // then answers b alone with throttling
            ledger.emit(PAIRS, 100);
            if (round == ROUNDS - 1) {
                ledger.post("/sim/faults/skip?channel=" + SKIPPED + "&count=3"); // the exchange loses events: both miss them
            }
            ledger.emit(PAIRS, 100);
            Thread.sleep(3_000); // b's writes keep failing a while
            throttleB = false;
            ledger.emit(PAIRS, 100);
            oneHostAtATime();
        }

        awaitUnion("with each host failing in turn");
        for (String channel : CHANNELS) {
            List<GapRecord> gaps = awaitGaps(channel, skipped(channel) ? 1 : 0);
            if (skipped(channel)) {
                assertEquals(GapRecord.Kind.CHAIN_BREAK, gaps.get(0).kind(), gaps.toString());
                assertEquals(List.of("a", "b"), gaps.get(0).hosts(), gaps.toString());
            }
        }
        assertTrue(hostRecords() > 0, "the hosts recorded gaps of their own, which the union covers");
        Map<String, Double> writes = new HashMap<>();
        for (PackagedCapture host : List.of(a, b)) {
            writes.put(host == a ? "a" : "b", host.metric("capture_write_units_total"));
        }
        System.out.printf("TwoHostsIT: write units a %.0f, b %.0f (b reads before it writes)%n", writes.get("a"),
                writes.get("b"));

        Map<String, Integer> sentBeforeStop = sentCounts();
        a.stop();
        b.stop();
        ledger.emit(PAIRS, 50); // nobody receives these
        Map<String, Integer> sentWhileDown = sentCounts();
        a.start();
        b.start();
        // the exchange keeps trading: a channel's downtime is closed with its next event (a trade may take a while)
        ledger.awaitTrading(PAIRS,
                () -> CHANNELS.stream().allMatch(c -> unionGaps(c).size() == (skipped(c) ? 2 : 1)));
        a.awaitReceivedEverythingSent();
        b.awaitReceivedEverythingSent();
        for (String channel : CHANNELS) {
            List<GapRecord> gaps = awaitGaps(channel, skipped(channel) ? 2 : 1);
            GapRecord down = gaps.get(gaps.size() - 1);
            assertEquals(GapRecord.Kind.DISCONNECT, down.kind(), channel + ": " + gaps);
            List<ObjectNode> sent = ledger.sent(channel);
            for (ObjectNode frame : sent.subList(sentBeforeStop.get(channel), sentWhileDown.get(channel))) {
                long at = dev.orderflow.storage.Frames.microtimestamp(frame);
                assertTrue(down.fromMicros() <= at && at <= down.toMicros(), channel + ": sent while both were "
                        + "down, outside " + down);
            }
        }
        a.stop();
        b.stop();
    }

    /**
     * The hosts fail one at a time: the next fault starts after the last host is receiving again by more than the
     * margins the records give both hosts' own times ({@link Hosts#RECEIVING_MARGIN_MICROS}) and the catalog interval
     * (a killed host is known receiving up to its last catalog update), plus a second.
     */
    private static void oneHostAtATime() throws InterruptedException {
        Thread.sleep(2 * Hosts.RECEIVING_MARGIN_MICROS / 1_000 + CATALOG_INTERVAL_MS + 1_000);
    }

    private PackagedCapture capture(String host) throws IOException {
        Path log = Path.of("target/two-hosts-it-" + host + ".log");
        Files.deleteIfExists(log);
        PackagedCapture capture = new PackagedCapture(parts, TestDirs.create("capture-host-" + host), log)
                .with("CAPTURE_HOST_ID", host)
                .with("CAPTURE_FEED_SILENCE_TIMEOUT", "2s")
                .with("CAPTURE_FEED_PING_INTERVAL", "300ms")
                .with("CAPTURE_WRITER_WINDOW_GRACE", "300ms")
                .with("CAPTURE_WRITER_CATALOG_INTERVAL", CATALOG_INTERVAL_MS + "ms");
        captures.add(capture);
        return capture;
    }

    /** Waits until the table holds every event sent, each once, except those the exchange skipped. */
    private void awaitUnion(String when) {
        try {
            Await.until(Duration.ofSeconds(90), () -> ledger.unionProblems(CHANNELS).isEmpty());
        } catch (AssertionError notSettled) {
            throw new AssertionError("the table does not hold the union " + when + ":\n" + ledger.unionProblems(CHANNELS),
                    notSettled);
        }
    }

    /** The skipped orders channel and its pair's trades: both have the exchange's gap. */
    private static boolean skipped(String channel) {
        return channel.equals(SKIPPED) || channel.equals(SKIPPED_TRADES);
    }

    /** Waits until the record's gaps of a channel number {@code count}, and returns them. */
    private List<GapRecord> awaitGaps(String channel, int count) {
        try {
            Await.until(Duration.ofSeconds(60), () -> unionGaps(channel).size() == count);
        } catch (AssertionError notSettled) {
            throw new AssertionError(channel + ": expected " + count + " gaps of the record, found "
                    + unionGaps(channel) + "\nhost records: " + ledger.gaps(channel), notSettled);
        }
        return unionGaps(channel);
    }

    private List<GapRecord> unionGaps(String channel) {
        Channel.WireChannel c = Channel.parseWire(channel).orElseThrow();
        CatalogItems.Entry catalog = TableReader.catalog(parts.dynamoDb, parts.table, c.pair(), c.channel());
        return UnionGaps.of(c.pair(), c.channel(), ledger.gaps(channel), catalog == null ? Map.of() : catalog.hosts());
    }

    private long hostRecords() {
        return CHANNELS.stream().mapToLong(c -> ledger.gaps(c).size()).sum();
    }

    private Map<String, Integer> sentCounts() {
        Map<String, Integer> counts = new HashMap<>();
        CHANNELS.forEach(c -> counts.put(c, ledger.sent(c).size()));
        return counts;
    }
}
