package dev.orderflow.pipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Frame;
import dev.orderflow.simulator.world.L3Book;
import dev.orderflow.simulator.world.Market;
import dev.orderflow.simulator.world.PairSpec;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An hour of one pair's {@code live_orders} as the table holds it after a capture, made straight from the simulator's
 * market: every event distinct (its own order ids, amounts and event ids, as an hour of the exchange has), stamped as
 * the simulator's synthetic source stamps them ({@code rate} events per second with ±50 % jitter, whole
 * milliseconds, an action's events on one) and received 1 to 20 ms later, in parts cut as the capture cuts them
 * ({@link TableLayout#partFull}); plus an L3 snapshot every {@code snapshotInterval} of the book those events build,
 * and the pair's catalog entry.
 */
final class MarketHour {
    private MarketHour() {
    }

    /** The items, and how many order events they hold. */
    record Items(List<Map<String, AttributeValue>> items, long events) {
    }

    static Items of(String pair, long hourStart, double rate, long snapshotIntervalMicros, long seed) {
        Market market = new Market(PairSpec.of(pair), seed, hourStart);
        L3Book book = new L3Book();
        market.bookData().forEach(data -> book.apply("order_created", data));
        SplittableRandom random = new SplittableRandom(seed);
        Parts parts = new Parts(pair);
        long hourEnd = hourStart + Bench.HOUR_MICROS;
        long nextSnapshot = hourStart;
        double due = hourStart;
        while (due < hourEnd) {
            long micros = (long) due / 1000 * 1000;
            do {
                while (nextSnapshot <= micros) {
                    parts.items.addAll(TableLayout.toItems(new SnapshotRecord(pair, nextSnapshot, nextSnapshot,
                            "periodic", book.snapshot(2, nextSnapshot))));
                    nextSnapshot += snapshotIntervalMicros;
                }
                for (Frame frame : market.emitNext(micros)) {
                    if (frame.channel().startsWith("live_orders")) {
                        ObjectNode node = frame.node();
                        book.apply(node.get("event").asText(), node.get("data"));
                        parts.add(new CapturedEvent(micros, micros + random.nextLong(1_000, 20_001), node),
                                frame.text().length());
                    }
                }
                due += 1e6 / rate * (0.5 + random.nextDouble());
            } while (market.nextIsContinuation());
        }
        parts.close();
        parts.items.add(Tables.ordersCatalogItem(pair, hourStart, parts.lastMicros));
        return new Items(parts.items, parts.events);
    }

    /** Events in time order cut into slots and parts as the capture's windows cut them. */
    private static final class Parts {
        final String pair;
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        List<CapturedEvent> open = new ArrayList<>();
        long slot = Long.MIN_VALUE;
        int part;
        long frameBytes;
        long events;
        long lastMicros;

        Parts(String pair) {
            this.pair = pair;
        }

        void add(CapturedEvent event, int bytes) {
            long at = event.microtimestamp();
            if (TableLayout.slotStart(at) != slot) {
                close();
                slot = TableLayout.slotStart(at);
                part = 0;
            }
            open.add(event);
            frameBytes += bytes;
            events++;
            lastMicros = at;
            if (TableLayout.partFull(part, frameBytes, at - open.get(0).microtimestamp())
                    && part < TableLayout.MAX_PART) {
                close();
                part++;
            }
        }

        void close() {
            if (!open.isEmpty()) {
                items.add(TableLayout.toItem(new Chunk(pair, Channel.ORDERS, slot, part, open)));
                open = new ArrayList<>();
                frameBytes = 0;
            }
        }
    }
}
