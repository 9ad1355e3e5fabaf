package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.capture.Await;
import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.DynamoDbLocalResource;
import dev.orderflow.capture.FaultSimulatorResource;
import dev.orderflow.capture.TableReader;
import dev.orderflow.capture.TestDirs;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The writer against DynamoDB Local (through the capture role's permissions): refused work is kept and named, and
 * writers of the same windows converge to the union. Each test writes its own pair, beside the running capture.
 */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = FaultSimulatorResource.class, parallel = true)
@Timeout(180)
class WriterTest {
    private static final long T = 1_790_000_000_000_000L;

    @Inject
    TableClient table;

    @Inject
    CaptureConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    DynamoDbClient dynamoDb;

    @Test
    void shouldStoreTheOtherWindowsAndKeepAWindowThatCannotBeStoredInTheDeadLetterArea() throws Exception {
        Path dir = TestDirs.create("dead-letter");
        DeadLetters deadLetters = new DeadLetters(dir, registry);
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Writer writer = new Writer(windows, table, deadLetters, config, registry);
        writer.start();
        String pair = "ltcusd";
        for (int w = 0; w < 6; w++) {
            for (int i = 0; i < 5; i++) {
                windows.accept(event(pair, w * 1_000_000L + i * 1_000, "w" + w + "e" + i, w == 3 && i == 2 ? 600_000 : 0));
            }
        }
        windows.sealAll();
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() == 0);
        writer.stop();

        List<CapturedEvent> stored = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS);
        List<Path> files = files(dir);
        assertEquals(1, files.size());
        String line = Files.readString(files.get(0));
        assertTrue(line.contains(TableLayout.chunkPk(pair, Channel.ORDERS)) && line.contains("does not fit"), line);

        RecordingQueue again = new RecordingQueue(registry);
        deadLetters.replayInto(again.intake);
        List<CapturedEvent> refused = again.events();
        assertTrue(files(dir).get(0).getFileName().toString().endsWith(".replayed"));
        assertTrue(refused.stream().anyMatch(e -> e.frame().path("event_id").asText().equals("w3e2")));
        assertTrue(stored.stream().noneMatch(e -> e.frame().path("event_id").asText().equals("w3e2")));
        assertFalse(stored.isEmpty(), "the other part is stored");
        assertEquals(30, stored.size() + refused.size(), "every event stored or kept, each once");
        long from = refused.stream().mapToLong(CapturedEvent::microtimestamp).min().orElseThrow();
        Map<String, AttributeValue> gap = TableReader.item(dynamoDb, config.table().name(),
                GapItems.gapsPk(pair, Channel.ORDERS), GapItems.gapSk(from, GapRecord.Kind.NOT_STORED, List.of(Hosts.DEFAULT)));
        assertEquals("not_stored", gap.get(GapItems.GAP_KIND).s(), "a gap record names the refused part");
        assertEquals(refused.stream().mapToLong(CapturedEvent::microtimestamp).max().orElseThrow() + 1,
                Long.parseLong(gap.get(GapItems.GAP_TO).n()));
    }

    @Test
    void shouldStoreTheLateEventsOfAWindowSealedDuringAStallAsMorePartsWithoutMergingIt() throws Exception {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Writer writer = new Writer(windows, table, new DeadLetters(TestDirs.create("late-parts"), registry), config,
                registry);
        writer.start();
        String pair = "manausd";
        double mergedBefore = registry.counter("capture.windows.merged").count();
        int beforeStall = 600; // more than a first part's worth of frames: the window has two parts when sealed
        for (int i = 0; i < beforeStall; i++) {
            windows.accept(event(pair, i * 1_000L, "e" + i, 0));
        }
        // the capture stalls: nothing received for more than the grace while the clock passes the window's end, so
        // the channel looks quiet and the window is sealed; the rest of its events were on their way meanwhile
        windows.tick(T + 10_300_001);
        int late = 600;
        for (int i = beforeStall; i < beforeStall + late; i++) {
            byte[] frame = frame(pair, i * 1_000L, "e" + i, 0).getBytes(StandardCharsets.UTF_8);
            windows.accept(new Input.Event(pair, Channel.ORDERS, new Held(-1, T + 10_400_000 + i, T + i * 1_000L,
                    frame)));
        }
        windows.tick(T + 20_300_001);
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() == 0);
        writer.stop();

        List<CapturedEvent> stored = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS);
        assertEquals(java.util.stream.IntStream.range(0, beforeStall + late).mapToObj(i -> "e" + i).toList(),
                stored.stream().map(e -> e.frame().path("event_id").asText()).toList(), "each event once, in order");
        assertEquals(mergedBefore, registry.counter("capture.windows.merged").count(),
                "the late events are parts after the sealed ones: no part number taken, nothing merged");
    }

    @Test
    void shouldKeepARefusedWindowHeldWhileItsGapRecordCannotBeStored() throws Exception {
        Path dir = TestDirs.create("dead-letter-no-gap");
        DeadLetters deadLetters = new DeadLetters(dir, registry);
        Windows windows = new Windows(300_000, 1L << 30, registry);
        String pair = "dogeusd";
        TableClient refusingGaps = refusingGapRecords(pair, () -> true);
        double unrecorded = registry.counter("capture.gaps.unrecorded").count();
        Writer writer = new Writer(windows, refusingGaps, deadLetters, config, registry);
        writer.start();
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < (w == 1 ? 1 : 5); i++) { // the middle window: one event, too large for an item
                windows.accept(event(pair, w * 1_000_000L + i * 1_000, "w" + w + "e" + i, w == 1 ? 600_000 : 0));
            }
        }
        windows.sealAll();
        Await.until(Duration.ofSeconds(60), () -> registry.counter("capture.gaps.unrecorded").count() > unrecorded);
        // every other part stored: what is held is the refused part (its large event and what shares its part)
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() < 650_000);
        writer.stop();

        assertTrue(windows.heldBytes() > 600_000, "the refused part is not released: the journal keeps it");
        assertEquals(1, files(dir).size(), "kept in the dead-letter area");
        // a replay into a journal without room leaves the file as it is
        RecordingQueue full = new RecordingQueue(registry, 1_000, 1L << 30);
        full.journal.append(dev.orderflow.capture.journal.Journal.CONTROL, 0, new byte[2_000]); // at its bound
        deadLetters.replayInto(full.intake);
        assertFalse(files(dir).get(0).getFileName().toString().endsWith(".replayed"), "not replayed: kept");
        RecordingQueue again = new RecordingQueue(registry);
        deadLetters.replayInto(again.intake);
        assertTrue(files(dir).get(0).getFileName().toString().endsWith(".replayed"));
        assertEquals(11, TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).size()
                + again.events().size(), "every event stored or kept");
        assertEquals(0, dynamoDb.query(q -> q.tableName(config.table().name()).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(GapItems.gapsPk(pair,
                        Channel.ORDERS))))).count(), "no gap record could be stored");
    }

    @Test
    void shouldTryAHeldWindowAgainAndReleaseItOnceItsGapRecordIsStoredKeepingItAsideOnce() throws Exception {
        Path dir = TestDirs.create("dead-letter-gap-later");
        DeadLetters deadLetters = new DeadLetters(dir, registry);
        Windows windows = new Windows(300_000, 1L << 30, registry);
        String pair = "adausd";
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
        TableClient refusingGapsTwice = refusingGapRecords(pair, () -> refusals.incrementAndGet() <= 2);
        Writer writer = new Writer(windows, refusingGapsTwice, deadLetters, config, registry);
        writer.start();
        windows.accept(event(pair, 0, "big", 600_000)); // too large for an item: refused for good
        windows.sealAll();
        // tried again (config: retry-held-after 1s) until the gap record is stored, then released
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() == 0);
        writer.stop();

        assertEquals(3, refusals.get(), "refused twice, stored the third time");
        assertEquals("not_stored", TableReader.item(dynamoDb, config.table().name(), GapItems.gapsPk(pair,
                Channel.ORDERS), GapItems.gapSk(T, GapRecord.Kind.NOT_STORED, List.of(Hosts.DEFAULT)))
                .get(GapItems.GAP_KIND).s());
        assertEquals(1, files(dir).size());
        assertEquals(1, Files.readAllLines(files(dir).get(0)).size(), "kept in the dead-letter area once");
    }

    @Test
    void shouldKeepWritingOtherWindowsWhenOneFailsWithAnError() throws Exception {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        String broken = "xlmusd";
        String fine = "sandusd";
        TableClient failing = new TableClient(dynamoDb, config, registry) {
            @Override
            public boolean putAll(List<Conditional> items) {
                if (items.stream().anyMatch(c -> c.item().get(TableLayout.PK).s()
                        .equals(TableLayout.chunkPk(broken, Channel.ORDERS)))) {
                    throw new StackOverflowError("a bug in the writer");
                }
                return super.putAll(items);
            }
        };
        double errors = registry.counter("capture.writer.errors").count();
        Writer writer = new Writer(windows, failing, new DeadLetters(TestDirs.create("dl-error"), registry), config,
                registry);
        writer.start();
        for (int w = 0; w < 2 * config.writer().threads(); w++) { // more failing windows than writer threads
            windows.accept(event(broken, w * 20_000_000L, "b" + w, 0));
        }
        windows.sealAll();
        Await.until(Duration.ofSeconds(60), () -> registry.counter("capture.writer.errors").count()
                >= errors + 2 * config.writer().threads());
        windows.accept(event(fine, 0, "f0", 0));
        windows.sealAll();
        Await.until(Duration.ofSeconds(60), () -> TableReader.events(dynamoDb, config.table().name(), fine,
                Channel.ORDERS).size() == 1);
        writer.stop();
        assertTrue(windows.heldBytes() > 0, "the failed windows stay held: the journal keeps them");
    }

    @Test
    void shouldConvergeToTheUnionWhenTwoWritersWriteTheSameWindowsAtOnce() throws Exception {
        String pair = "xrpusd";
        Random random = new Random(7);
        Windows a = new Windows(300_000, 1L << 30, registry);
        Windows b = new Windows(300_000, 1L << 30, registry);
        Writer writerA = new Writer(a, table, new DeadLetters(TestDirs.create("dl-a"), registry), config,
                registry);
        Writer writerB = new Writer(b, table, new DeadLetters(TestDirs.create("dl-b"), registry), config,
                registry);
        Map<Long, Set<String>> expected = new HashMap<>();
        for (int w = 0; w < 20; w++) {
            for (int i = 0; i < 30; i++) {
                long offset = w * 1_000_000L + i * 10_000;
                String id = "w" + w + "e" + i;
                boolean toA = random.nextInt(10) < 6;
                boolean toB = !toA || random.nextInt(10) < 5;
                if (toA) {
                    a.accept(event(pair, offset, id, 0));
                }
                if (toB) {
                    b.accept(event(pair, offset, id, 0));
                }
                expected.computeIfAbsent(T + w * 1_000_000L, k -> new LinkedHashSet<>()).add(id);
            }
        }
        a.sealAll();
        b.sealAll();
        writerA.start();
        writerB.start();
        Await.until(Duration.ofSeconds(90), () -> a.heldBytes() == 0 && b.heldBytes() == 0);
        writerA.stop();
        writerB.stop();

        Map<Long, List<String>> stored = new HashMap<>();
        for (CapturedEvent e : TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS)) {
            stored.computeIfAbsent(TableLayout.layout1WindowStart(e.microtimestamp()), k -> new ArrayList<>())
                    .add(e.frame().path("event_id").asText());
        }
        assertEquals(expected.keySet(), stored.keySet());
        expected.forEach((window, ids) -> assertEquals(List.copyOf(ids), stored.get(window),
                "window " + window + ": the union, each event once, in time order"));
    }

    @Test
    void shouldStoreTheQuietWindowsOfSeveralChannelsAsSectionsOfSharedItems() throws Exception {
        List<String> pairs = List.of("qa1usd", "qa2usd", "qa3usd", "qa4usd", "qa5usd", "qa6usd");
        Windows windows = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, true, registry);
        Writer writer = new Writer(windows, table, new DeadLetters(TestDirs.create("dl-quiet"), registry), config,
                registry);
        for (String pair : pairs) {
            for (int w = 0; w < 3; w++) {
                for (int i = 0; i < 4; i++) {
                    windows.accept(event(pair, w * TableLayout.SLOT_MICROS + i * 1_000_000L, pair + "w" + w + "e" + i,
                            0));
                }
            }
        }
        windows.sealAll();
        writer.start();
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() == 0);
        writer.stop();

        Set<Integer> groups = new java.util.TreeSet<>();
        for (String pair : pairs) {
            List<String> ids = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                    .map(e -> e.frame().path("event_id").asText()).toList();
            List<String> expected = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                for (int i = 0; i < 4; i++) {
                    expected.add(pair + "w" + w + "e" + i);
                }
            }
            assertEquals(expected, ids, pair + ": every event once, in time order");
            assertTrue(dynamoDb.query(b -> b.tableName(config.table().name()).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.chunkPk(pair,
                            Channel.ORDERS))))).items().isEmpty(), pair + ": no item of its own");
            groups.add(dev.orderflow.storage.QuietItems.group(pair, Channel.ORDERS));
        }
        for (int group : groups) {
            for (int w = 0; w < 3; w++) {
                Map<String, AttributeValue> item = TableReader.item(dynamoDb, config.table().name(),
                        dev.orderflow.storage.QuietItems.pk(group),
                        dev.orderflow.storage.QuietItems.sk(T + w * TableLayout.SLOT_MICROS));
                assertFalse(item.isEmpty(), "one shared item per group and slot");
            }
        }
        assertTrue(groups.size() < pairs.size(), "channels share items: " + groups);
    }

    @Test
    void shouldReadEachEventOnceWhenOneHostStoredASlotAsASectionAndAnotherAsItemsOfItsOwn() throws Exception {
        String pair = "qbusd";
        Random random = new Random(11);
        Windows shared = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, true, registry);
        Windows own = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, false, registry);
        Windows sharedToo = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, true, registry);
        List<Windows> all = List.of(shared, own, sharedToo);
        List<Writer> writers = new ArrayList<>();
        for (Windows windows : all) {
            writers.add(new Writer(windows, table, new DeadLetters(TestDirs.create("dl-both"), registry), config,
                    registry));
        }
        List<String> expected = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            for (int i = 0; i < 6; i++) {
                String id = "w" + w + "e" + i;
                Input.Event event = event(pair, w * TableLayout.SLOT_MICROS + i * 100_000L, id, 0);
                int to = random.nextInt(4);
                for (int h = 0; h < all.size(); h++) {
                    if (to == h || to == 3) {
                        all.get(h).accept(event);
                    }
                }
                expected.add(id);
            }
        }
        all.forEach(Windows::sealAll);
        writers.forEach(Writer::start);
        Await.until(Duration.ofSeconds(90), () -> all.stream().allMatch(w -> w.heldBytes() == 0));
        writers.forEach(Writer::stop);

        List<String> ids = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                .map(e -> e.frame().path("event_id").asText()).toList();
        assertEquals(expected, ids, "the union of sections and items of its own, each event once, in time order");
    }

    @Test
    void shouldStoreWhatAHostThatReadsFirstAloneReceivedAndAddOnlyWhatTheTableLacks() throws Exception {
        String pair = "ltcbtc";
        Windows a = new Windows(300_000, 1L << 30, registry);
        Windows b = new Windows(300_000, 1L << 30, registry);
        Writer writerA = new Writer(a, table, new DeadLetters(TestDirs.create("dl-a"), registry), config,
                registry);
        Writer writerB = new Writer(b, table, new DeadLetters(TestDirs.create("dl-b"), registry),
                readingFirst(config, "b"), registry);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "e" + i;
            b.accept(event(pair, i * 10_000L, id, 0)); // window 0: only b received it (a was down)
            if (i % 4 != 0) {
                a.accept(event(pair, 10_000_000L + i * 10_000L, "w1" + id, 0)); // window 1: a lacks a quarter
            }
            b.accept(event(pair, 10_000_000L + i * 10_000L, "w1" + id, 0));
            expected.add(id);
        }
        for (int i = 0; i < 40; i++) {
            expected.add("w1e" + i);
        }
        a.sealAll();
        writerA.start();
        Await.until(Duration.ofSeconds(30), () -> a.heldBytes() == 0);
        b.sealAll();
        writerB.start();
        Await.until(Duration.ofSeconds(30), () -> b.heldBytes() == 0);
        writerA.stop();
        writerB.stop();

        List<String> stored = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                .map(e -> e.frame().path("event_id").asText()).toList();
        assertEquals(expected, stored, "the union, each event once, in time order");
    }

    /** The configuration of a host that waits, then reads first ({@code capture.host.write-delay} above 0). */
    private static CaptureConfig readingFirst(CaptureConfig config, String id) {
        return host(config, id, Duration.ofMillis(1));
    }

    /** The configuration of another host, {@code id}, with the write delay given. */
    private static CaptureConfig host(CaptureConfig config, String id, Duration writeDelay) {
        CaptureConfig.Host host = (CaptureConfig.Host) java.lang.reflect.Proxy.newProxyInstance(
                CaptureConfig.class.getClassLoader(), new Class<?>[] {CaptureConfig.Host.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "writeDelay" -> writeDelay;
                    default -> method.invoke(config.host(), args);
                });
        return (CaptureConfig) java.lang.reflect.Proxy.newProxyInstance(CaptureConfig.class.getClassLoader(),
                new Class<?>[] {CaptureConfig.class},
                (proxy, method, args) -> method.getName().equals("host") ? host : method.invoke(config, args));
    }

    @Test
    void shouldMergeIntoAnItemWrittenBeforeItemsCarriedAVersion() throws Exception {
        String pair = "bchusd";
        List<CapturedEvent> old = List.of(captured(pair, 100, "a"), captured(pair, 200, "b"));
        Map<String, AttributeValue> legacy = new HashMap<>(TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, 0, old)));
        legacy.remove(TableLayout.WRITE_VERSION);
        dynamoDb.putItem(r -> r.tableName(config.table().name()).item(legacy));

        Windows windows = new Windows(300_000, 1L << 30, registry);
        Writer writer = new Writer(windows, table, new DeadLetters(TestDirs.create("dl"), registry), config,
                registry);
        windows.accept(event(pair, 200, "b", 0));
        windows.accept(event(pair, 300, "c", 0));
        windows.sealAll();
        writer.start();
        Await.until(Duration.ofSeconds(30), () -> windows.heldBytes() == 0);
        writer.stop();

        assertEquals(List.of("a", "b", "c"), TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS)
                .stream().map(e -> e.frame().path("event_id").asText()).toList());
        Map<String, AttributeValue> item = TableReader.item(dynamoDb, config.table().name(),
                TableLayout.chunkPk(pair, Channel.ORDERS), TableLayout.chunkSk(T, 0));
        assertEquals("1", item.get(TableLayout.WRITE_VERSION).n());
    }

    @Test
    void shouldCountEveryEventOfAWindowWrittenInTwoPiecesWhenTheSecondNeedsMoreParts() throws Exception {
        String pair = "adausd";
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Writer writer = new Writer(windows, table, new DeadLetters(TestDirs.create("dl"), registry), config,
                registry);
        writer.start();
        windows.accept(event(pair, 100, "a", 0));
        windows.accept(event(pair, 200, "b", 0));
        windows.sealAll();
        Await.until(Duration.ofSeconds(30), () -> windows.heldBytes() == 0);
        // the window's second piece (cut off by the memory bound) is too large for one part
        for (int i = 0; i < 6; i++) {
            windows.accept(event(pair, 300 + i, "c" + i, 120_000));
        }
        windows.sealAll();
        Await.until(Duration.ofSeconds(60), () -> windows.heldBytes() == 0);
        writer.stop();

        assertEquals(List.of("a", "b", "c0", "c1", "c2", "c3", "c4", "c5"),
                TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                        .map(e -> e.frame().path("event_id").asText()).toList());
        assertEquals(8.0, registry.get("capture.events.stored.by.channel").tag("pair", pair).counter().count(),
                "every event is counted as stored once");
    }

    @Test
    void shouldRewriteFromTheEarlierCopyWhenAStoredPartRepeatsEventsOfTheOneBefore() throws Exception {
        // as two writers leave a window when one merges while the other puts its next part: part 2 rewritten with
        // events that part 3, put by the other, holds too (and one that part 3 has before part 2's last)
        String pair = "uniusd";
        List<List<String>> cut = List.of(List.of("a0", "a1"), List.of("a2", "a3"), List.of("a4", "a5", "a6", "a8"),
                List.of("a5", "a6", "a7", "a9"));
        for (int p = 0; p < cut.size(); p++) {
            List<CapturedEvent> events = new ArrayList<>();
            for (String id : cut.get(p)) {
                events.add(captured(pair, Long.parseLong(id.substring(1)) * 1_000, id));
            }
            Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, p, events), 2);
            dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        }
        StoredParts parts = new StoredParts(table, Hosts.DEFAULT, registry.counter("test.items"),
                registry.counter("test.bytes"));
        Job.Window job = new Job.Window(pair, Channel.ORDERS, T, 3, T + 5_000, List.of(), Long.MAX_VALUE, 0, true);

        assertEquals(List.of(), parts.merge(job, List.of()), "nothing new to add");

        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"),
                TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                        .map(e -> e.frame().path("event_id").asText()).toList(), "each event once, in time order");
    }

    @Test
    void shouldFindARepeatWithinOneMicrosecondAcrossPartsAndAddOnlyWhatTheTableLacks() throws Exception {
        // parts in time order, yet b2 stored twice: its copies share a µs with the events between them (a merge
        // keeps the identities of the latest µs only, and those within the span of the events it adds)
        String pair = "filusd";
        List<List<String[]>> cut = List.of(
                List.of(new String[] {"b1", "1"}, new String[] {"b2", "2"}),
                List.of(new String[] {"b3", "2"}, new String[] {"b2", "2"}),
                List.of(new String[] {"b4", "2"}, new String[] {"b5", "3"}));
        for (int p = 0; p < cut.size(); p++) {
            List<CapturedEvent> events = new ArrayList<>();
            for (String[] e : cut.get(p)) {
                events.add(captured(pair, Long.parseLong(e[1]) * 1_000, e[0]));
            }
            Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, p, events), 1);
            dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        }
        StoredParts parts = new StoredParts(table, Hosts.DEFAULT, registry.counter("test.items"),
                registry.counter("test.bytes"));
        Job.Window job = new Job.Window(pair, Channel.ORDERS, T, 2, T + 3_000, List.of(), Long.MAX_VALUE, 0, true);

        List<CapturedEvent> added = parts.merge(job, List.of(captured(pair, 3_000, "b5"), captured(pair, 3_000, "b6"),
                captured(pair, 1_000, "b1")));

        assertEquals(List.of("b6"), added.stream().map(e -> e.frame().path("event_id").asText()).toList(),
                "only what the table lacked");
        List<String> stored = TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                .map(e -> e.frame().path("event_id").asText()).toList();
        assertEquals(Set.of("b1", "b2", "b3", "b4", "b5", "b6"), Set.copyOf(stored));
        assertEquals(6, stored.size(), "each event once: " + stored);
    }

    @Test
    void shouldFindAnEventStoredWhenTheChunkEncodingDroppedTheTrailingZerosOfANumberBesideItsString()
            throws Exception {
        // "amount":0.04500000 beside "amount_str":"0.04500000" is stored as the string alone and decoded as 0.045:
        // equal as a tree to the frame received, so the same event
        String pair = "algousd";
        String text = "{\"data\":{\"id\":7,\"id_str\":\"7\",\"microtimestamp\":\"" + (T + 1_000)
                + "\",\"amount\":0.04500000,\"amount_str\":\"0.04500000\",\"price\":70123.40,"
                + "\"price_str\":\"70123.40\"},\"channel\":\"live_orders_" + pair + "\",\"event\":\"order_created\","
                + "\"event_id\":\"z1\"}";
        CapturedEvent received = new CapturedEvent(T + 1_000, T + 1_500, Frames.parse(text));
        Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, 0,
                List.of(received)), 1);
        dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        StoredParts parts = new StoredParts(table, Hosts.DEFAULT, registry.counter("test.items"),
                registry.counter("test.bytes"));
        Job.Window job = new Job.Window(pair, Channel.ORDERS, T, 0, T + 1_000, List.of(), Long.MAX_VALUE, 0, true);

        assertEquals(List.of(), parts.merge(job, List.of(received)), "already stored");
        assertEquals(1, TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).size());
    }

    @Test
    void shouldGiveUpAMergeThatCannotSettleInsteadOfWritingWithoutEnd() throws Exception {
        // four stored parts repeating one event (as the bug of "Events of one millisecond stored twice" left some
        // windows): the union has fewer events than parts to rewrite, so the repeats would be read back every round
        String pair = "atomusd";
        for (int p = 0; p < 4; p++) {
            Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, p,
                    List.of(captured(pair, 1_000, "a1"))), 1);
            dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        }
        Counter items = registry.counter("test.items.unsettled");
        StoredParts parts = new StoredParts(table, Hosts.DEFAULT, items, registry.counter("test.bytes"));
        Job.Window job = new Job.Window(pair, Channel.ORDERS, T, 0, T, List.of(), Long.MAX_VALUE, 0, true);

        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> parts.merge(job, List.of(captured(pair, 2_000, "a2"))));
        assertTrue(refused.getMessage().contains("did not settle"), refused.getMessage());
        assertTrue(items.count() <= 2 * StoredParts.MAX_ROUNDS, "writes bounded: " + items.count());
    }

    @Test
    void shouldPutEventsWithinTheStoredSpanIntoThePartsThatSpanThemLeavingTheOthersAsTheyAre() throws Exception {
        // as a host that connected a little before the first finds the window: its first events go into part 0, a
        // late one into the part whose span holds it, and the other parts (and the cut) are left alone
        String pair = "linkusd";
        List<List<String>> cut = List.of(List.of("a2", "a3"), List.of("a4", "a6"), List.of("a7", "a8"));
        for (int p = 0; p < cut.size(); p++) {
            List<CapturedEvent> events = new ArrayList<>();
            for (String id : cut.get(p)) {
                events.add(captured(pair, Long.parseLong(id.substring(1)) * 1_000, id));
            }
            Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, p, events), 1);
            item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(Set.of("a")));
            dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        }
        StoredParts parts = new StoredParts(table, "b", registry.counter("test.items"),
                registry.counter("test.bytes"));
        Job.Window job = new Job.Window(pair, Channel.ORDERS, T, 0, T, List.of(), Long.MAX_VALUE, 0, true);

        List<CapturedEvent> added = parts.merge(job, List.of(captured(pair, 0, "a0"), captured(pair, 1_000, "a1"),
                captured(pair, 3_000, "a3"), captured(pair, 5_000, "a5")));

        assertEquals(List.of("a0", "a1", "a5"), added.stream().map(e -> e.frame().path("event_id").asText()).toList());
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"),
                TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS).stream()
                        .map(e -> e.frame().path("event_id").asText()).toList(), "each event once, in time order");
        List<String> versions = new ArrayList<>();
        List<Set<String>> hosts = new ArrayList<>();
        for (int p = 0; p < cut.size(); p++) {
            Map<String, AttributeValue> item = TableReader.item(dynamoDb, config.table().name(),
                    TableLayout.chunkPk(pair, Channel.ORDERS), TableLayout.chunkSk(T, p));
            versions.add(item.get(TableLayout.WRITE_VERSION).n());
            hosts.add(Hosts.chunkHosts(item));
        }
        assertEquals(List.of("2", "2", "1"), versions, "parts 0 and 1 rewritten, part 2 left as it was");
        assertEquals(Set.of("a", "b"), hosts.get(0));
        assertEquals(Set.of("a"), hosts.get(2));
        assertTrue(TableReader.item(dynamoDb, config.table().name(), TableLayout.chunkPk(pair, Channel.ORDERS),
                TableLayout.chunkSk(T, 3)).isEmpty(), "no part added");
    }

    @Test
    void shouldMergeWhenAPartIsFirstPutAfterAnotherHostPutItsEventsIntoAnEarlierPart() throws Exception {
        // as two hosts leave a window when one merges events of a busy millisecond into part 2 just before the other
        // puts its part 4 with the same events: part 3 between them is the other's own, untouched
        String pair = "aaveusd";
        List<List<String>> cut = List.of(List.of("a0", "a1"), List.of("a2", "a3"), List.of("a4", "x5"),
                List.of("y5", "z5"));
        for (int p = 0; p < cut.size(); p++) {
            putPart(pair, p, cut.get(p), "o");
        }
        StoredParts r = new StoredParts(table, "r", registry.counter("test.items"), registry.counter("test.bytes"));
        assertEquals(List.of("w5", "v5"), ids(r.merge(window(pair, 0), List.of(captured(pair, 5_000, "w5"),
                captured(pair, 5_000, "v5")))), "the events of the busy millisecond go into part 2");
        List<Held> part4 = List.of(held(pair, 5_000, "w5"), held(pair, 5_000, "v5"), held(pair, 6_000, "a6"));
        Map<String, AttributeValue> item = putPart(pair, 4, List.of("w5", "v5", "a6"), "o");
        StoredParts o = new StoredParts(table, "o", registry.counter("test.items"), registry.counter("test.bytes"));

        assertTrue(o.overlapsEarlier(window(pair, 4), item, part4, part -> part != 2),
                "part 2, rewritten by the other host, holds events of part 4");
        o.merge(window(pair, 4), List.of());

        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "x5", "w5", "v5", "y5", "z5", "a6"),
                ids(TableReader.events(dynamoDb, config.table().name(), pair, Channel.ORDERS)),
                "each event once, in time order");
    }

    @Test
    void shouldMergeWhenAPartFollowsAnotherHostsPartWhoseNumberItFoundTaken() throws Exception {
        // the other host cut the window ahead of this one: e5 went into its part 1, while this host's cut puts it
        // into part 3; this host's part 2 found its number taken and its events stored (nothing to write)
        String pair = "crvusd";
        putPart(pair, 0, List.of("a0", "a1"), "x");
        putPart(pair, 1, List.of("a2", "e5"), "x");
        putPart(pair, 2, List.of("f5", "g5"), "x");
        StoredParts o = new StoredParts(table, "o", registry.counter("test.items"), registry.counter("test.bytes"));
        assertEquals(List.of(), o.mergeAfterConflict(window(pair, 2), List.of(captured(pair, 5_000, "f5"),
                captured(pair, 5_000, "g5"))), "every event of its part 2 is stored already");
        Map<String, AttributeValue> part3 = putPart(pair, 3, List.of("e5", "h6"), "o");

        assertTrue(o.overlapsEarlier(window(pair, 3), part3, List.of(held(pair, 5_000, "e5"), held(pair, 6_000, "h6")),
                part -> part == 3), "part 1, two parts back, holds e5");
    }

    @Test
    void shouldFindAnOverlapOnlyWhereAPartBeforeHoldsOneOfItsEvents() throws Exception {
        String pair = "sushiusd";
        putPart(pair, 0, List.of("a0", "a1"), "a");
        putPart(pair, 1, List.of("a1x", "a2"), "a"); // shares the millisecond of part 0's last
        putPart(pair, 3, List.of("a4", "a5"), "a");
        Map<String, AttributeValue> part2 = putPart(pair, 2, List.of("a2x", "a3"), "a");
        StoredParts a = new StoredParts(table, "a", registry.counter("test.items"), registry.counter("test.bytes"));

        List<Held> ours = List.of(held(pair, 2_000, "a2x"), held(pair, 3_000, "a3"));
        assertFalse(a.overlapsEarlier(window(pair, 2), part2, ours, part -> true), "its own cut in a row");
        assertFalse(a.overlapsEarlier(window(pair, 2), part2, ours, part -> part != 1),
                "part 1 read whole: it shares no event");
        assertTrue(a.overlapsEarlier(window(pair, 2), part2, List.of(held(pair, 2_000, "a2"),
                held(pair, 3_000, "a3")), part -> part != 1), "part 1 holds a2 too");
        assertFalse(a.overlapsEarlier(window(pair, 4), putPart(pair, 4, List.of("a5x"), "a"),
                List.of(held(pair, 5_000, "a5x")), part -> true), "part 3, its own, ends in that ms");
        assertTrue(a.overlapsEarlier(window(pair, 4), TableReader.item(dynamoDb, config.table().name(),
                TableLayout.chunkPk(pair, Channel.ORDERS), TableLayout.chunkSk(T, 4)),
                List.of(held(pair, 5_000, "a5")), part -> part != 3), "part 3 holds a5 too");
        Map<String, AttributeValue> part6 = putPart(pair, 6, List.of("a5", "a6"), "b");
        List<Held> six = List.of(held(pair, 5_000, "a5"), held(pair, 6_000, "a6"));
        assertFalse(a.overlapsEarlier(window(pair, 6), part6, six, part -> false),
                "part 5 on its way, part 4 lies in that ms and holds none of its events; never merged: the walk ends");
        table.markMerged(pair, Channel.ORDERS, T);
        assertTrue(a.overlapsEarlier(window(pair, 6), part6, six, part -> false),
                "merged: the walk goes on past part 4, and part 3 holds a5");
    }

    /** Puts one part (write version 1) of the test window, its events at the milliseconds their ids end with. */
    private Map<String, AttributeValue> putPart(String pair, int part, List<String> ids, String host)
            throws IOException {
        List<CapturedEvent> events = new ArrayList<>();
        for (String id : ids) {
            events.add(captured(pair, millis(id) * 1_000, id));
        }
        Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(pair, Channel.ORDERS, T, part, events), 1);
        item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(Set.of(host)));
        dynamoDb.putItem(r -> r.tableName(config.table().name()).item(item));
        return item;
    }

    private static long millis(String id) {
        return Long.parseLong(id.replaceAll("[^0-9]", ""));
    }

    private static Job.Window window(String pair, int part) {
        return new Job.Window(pair, Channel.ORDERS, T, part, T, List.of(), Long.MAX_VALUE, 0, true);
    }

    private static Held held(String pair, long offset, String id) {
        return new Held(-1, T + offset + 500, T + offset, frame(pair, offset, id, 0).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> ids(List<CapturedEvent> events) {
        return events.stream().map(e -> e.frame().path("event_id").asText()).toList();
    }

    @Test
    void shouldKeepOneCatalogItemForTheHostWithTheChannelsOfItsEarlierRuns() throws Exception {
        String pair = "dotusd";
        CaptureConfig k = host(config, "k", Duration.ZERO);
        dynamoDb.putItem(r -> r.tableName(config.table().name()).item(CatalogItems.hostItem("k", T,
                Map.of("xrpeur#trades", new CatalogItems.Points(T - 900, T - 800, T - 700, T - 650)))));
        TableClient tableK = new TableClient(dynamoDb, k, registry);
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Writer writer = new Writer(windows, tableK, new DeadLetters(TestDirs.create("dl"), registry), k,
                registry);
        writer.start();
        windows.accept(event(pair, 100, "a", 0));
        windows.accept(event(pair, 200, "b", 0));
        windows.sealAll();
        Await.until(Duration.ofSeconds(30), () -> windows.heldBytes() == 0);
        writer.stop();

        new Catalog(windows, writer, tableK, k, new dev.orderflow.capture.WatermarkClock()).update(Map.of(new Windows.Stream(pair, Channel.ORDERS), Long.MAX_VALUE));

        Map<String, CatalogItems.Entry> entries = new HashMap<>();
        CatalogItems.all(dynamoDb::query, config.table().name(), true).forEach(e -> entries.put(e.stream(), e));
        CatalogItems.Entry dot = entries.get("dotusd#orders");
        assertEquals(new Hosts.Span(T + 100, T + 200, dot.hosts().get("k").confirmedUntilMicros()),
                dot.hosts().get("k"), "the range the host stored");
        assertEquals(windows.confirmedUntil(new Windows.Stream(pair, Channel.ORDERS)),
                dot.hosts().get("k").confirmedUntilMicros(), "the window step's watermark");
        assertTrue(dot.receiving().containsKey("k"), "the host says it receives the channel");
        assertEquals(new Hosts.Span(T - 900, T - 800, T - 700), entries.get("xrpeur#trades").hosts().get("k"),
                "a channel of an earlier run stays in the host's item");
        assertEquals(T - 650, entries.get("xrpeur#trades").receiving().get("k"));
        assertEquals(new TableClient.StoredEnd(java.util.OptionalLong.of(T - 800), T - 650),
                tableK.catalogEnds().get("xrpeur#trades"), "a restart's downtime starts where the host last received");
    }

    private static Input.Event event(String pair, long offset, String id, int padding) {
        byte[] frame = frame(pair, offset, id, padding).getBytes(StandardCharsets.UTF_8);
        return new Input.Event(pair, Channel.ORDERS, new Held(-1, T + offset + 500, T + offset, frame));
    }

    private static CapturedEvent captured(String pair, long offset, String id) throws IOException {
        return new CapturedEvent(T + offset, T + offset + 500, Frames.parse(frame(pair, offset, id, 0)));
    }

    private static String frame(String pair, long offset, String id, int padding) {
        return "{\"event\":\"order_created\",\"channel\":\"live_orders_" + pair + "\",\"event_id\":\"" + id
                + "\",\"data\":{\"id\":1,\"microtimestamp\":\"" + (T + offset) + "\",\"price_str\":\"1.50\""
                + (padding > 0 ? ",\"note\":\"" + noise(padding) + "\"" : "") + "}}";
    }

    /** Text that does not compress: a frame this long cannot fit in any item. */
    private static String noise(int length) {
        Random random = new Random(length);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** A table that refuses the gap records of {@code pair}'s orders while {@code refuse} says so. */
    private TableClient refusingGapRecords(String pair, java.util.function.BooleanSupplier refuse) {
        return new TableClient(dynamoDb, config, registry) {
            @Override
            public void put(Map<String, AttributeValue> item) {
                if (item.get(TableLayout.PK).s().equals(GapItems.gapsPk(pair, Channel.ORDERS))
                        && refuse.getAsBoolean()) {
                    throw new IllegalStateException("the gap record is refused");
                }
                super.put(item);
            }
        };
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }
}
