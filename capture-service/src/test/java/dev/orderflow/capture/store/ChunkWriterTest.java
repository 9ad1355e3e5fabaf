package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.Await;
import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.capture.DynamoDbLocalResource;
import dev.orderflow.capture.SimulatorResource;
import dev.orderflow.capture.TableReader;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The writer against DynamoDB Local, on pairs of its own so that the running capture does not interfere. */
@QuarkusTest
@WithTestResource(value = DynamoDbLocalResource.class, parallel = true)
@WithTestResource(value = SimulatorResource.class, parallel = true)
class ChunkWriterTest {
    private static final AtomicInteger PAIRS = new AtomicInteger();
    private static final long W = 1_790_000_000_000_000L;

    @Inject
    ChunkWriter writer;

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    CaptureConfig config;

    @Inject
    MeterRegistry registry;

    private final String pair = "wtest" + PAIRS.incrementAndGet();
    private int nextId;

    @Test
    void shouldOverwriteTheSameItemWhenAWindowIsRewrittenAndCountEachEventOnce() {
        CapturedEvent a = event(W + 10);
        CapturedEvent b = event(W + 20);
        writer.submit(new WindowJob(pair, Channel.ORDERS, W, List.of(a), 0, false));
        writer.submit(new WindowJob(pair, Channel.ORDERS, W, List.of(a, b), 1, false));

        Await.until(Duration.ofSeconds(10), () -> stored().size() == 2 && storedCount() == 2);
        assertEquals(frames(List.of(a, b)), frames(stored()));
        assertFalse(TableReader.item(dynamoDb, config.table().name(), TableLayout.chunkPk(pair, Channel.ORDERS),
                TableLayout.chunkSk(W, 0)).isEmpty());
        assertEquals(2.0, storedCount());
    }

    @Test
    void shouldMergeWithWhatTheTableHoldsWithoutDuplicates() {
        CapturedEvent a = event(W + 10);
        CapturedEvent b = event(W + 20);
        CapturedEvent c = event(W + 30);
        writer.submit(new WindowJob(pair, Channel.TRADES, W, List.of(a, b), 0, false));
        Await.until(Duration.ofSeconds(10), () -> stored(Channel.TRADES).size() == 2);

        // a restarted process replays b and receives c for the same window
        writer.submit(new WindowJob(pair, Channel.TRADES, W, List.of(b, c), 0, true));
        Await.until(Duration.ofSeconds(10), () -> stored(Channel.TRADES).size() == 3);
        assertEquals(frames(List.of(a, b, c)), frames(stored(Channel.TRADES)));

        writer.submit(new WindowJob(pair, Channel.TRADES, W, List.of(a, c), 0, true));
        CapturedEvent marker = event(W + 2_000_000);
        writer.submit(new WindowJob(pair, Channel.TRADES, W + 2_000_000, List.of(marker), 0, false));
        Await.until(Duration.ofSeconds(10), () -> stored(Channel.TRADES).size() == 4);
        assertEquals(frames(List.of(a, b, c, marker)), frames(stored(Channel.TRADES)));
    }

    @Test
    void shouldNotLoseEventsWhenAMergeFollowsUnwrittenJobsOfTheSameWindow() {
        CapturedEvent a = event(W + 10);
        CapturedEvent b = event(W + 20);
        CapturedEvent c = event(W + 30);
        // queued back to back, so the writer usually takes them in one round
        writer.submit(new WindowJob(pair, Channel.ORDERS, W, List.of(a, b), 0, false));
        writer.submit(new WindowJob(pair, Channel.ORDERS, W, List.of(c), 0, true));
        CapturedEvent marker = event(W + 2_000_000);
        writer.submit(new WindowJob(pair, Channel.ORDERS, W + 2_000_000, List.of(marker), 0, false));

        Await.until(Duration.ofSeconds(10), () -> stored().contains(marker));
        assertEquals(frames(List.of(a, b, c, marker)), frames(stored()));
    }

    @Test
    void shouldWriteLargeWindowsAsPartsAndManyWindowsInSeveralBatches() {
        List<CapturedEvent> big = new ArrayList<>();
        for (int i = 0; i < TableLayout.MAX_EVENTS_PER_PART + 5; i++) {
            big.add(event(W + i));
        }
        writer.submit(new WindowJob(pair, Channel.ORDERS, W, big, 0, false));
        List<CapturedEvent> all = new ArrayList<>(big);
        for (int w = 1; w <= 40; w++) {
            CapturedEvent e = event(W + w * TableLayout.WINDOW_MICROS);
            all.add(e);
            writer.submit(new WindowJob(pair, Channel.ORDERS, W + w * TableLayout.WINDOW_MICROS, List.of(e), 0, false));
        }

        Await.until(Duration.ofSeconds(20), () -> stored().size() == all.size());
        assertEquals(frames(all), frames(stored()));
        assertFalse(TableReader.item(dynamoDb, config.table().name(), TableLayout.chunkPk(pair, Channel.ORDERS),
                TableLayout.chunkSk(W, 1)).isEmpty(), "second part of the big window");
    }

    @Test
    void shouldKeepBadFramesAsideInTheTable() {
        long received = Clock.nowMicros();
        String raw = "{\"event\":\"trade\",\"channel\":\"" + pair + "\",\"data\":";
        writer.keepAside(TableLayout.badFrameItem(received, 424242, raw, "invalid_json"));

        String pk = TableLayout.badFramesPk(received);
        String sk = String.format("%016d#%06d", received, 424242);
        Await.until(Duration.ofSeconds(10), () -> !TableReader.item(dynamoDb, config.table().name(), pk, sk).isEmpty());
        var item = TableReader.item(dynamoDb, config.table().name(), pk, sk);
        assertEquals(raw, item.get(TableLayout.BAD_RAW).s());
        assertEquals("invalid_json", item.get(TableLayout.BAD_REASON).s());
    }

    private List<CapturedEvent> stored() {
        return stored(Channel.ORDERS);
    }

    private List<CapturedEvent> stored(Channel channel) {
        return TableReader.events(dynamoDb, config.table().name(), pair, channel);
    }

    private double storedCount() {
        var counter = registry.find("capture.events.stored.by.channel").tag("pair", pair).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<ObjectNode> frames(List<CapturedEvent> events) {
        return events.stream().map(CapturedEvent::frame).toList();
    }

    private CapturedEvent event(long microtimestamp) {
        ObjectNode frame = Frames.MAPPER.createObjectNode();
        frame.putObject("data").put("id_str", pair + "-" + nextId++)
                .put("microtimestamp", Long.toString(microtimestamp))
                .put("price", new java.math.BigDecimal("70123.40"));
        frame.put("channel", "live_orders_" + pair).put("event", "order_created");
        return new CapturedEvent(microtimestamp, Clock.nowMicros(), frame);
    }
}
