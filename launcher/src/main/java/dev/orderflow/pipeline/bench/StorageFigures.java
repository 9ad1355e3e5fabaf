package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The figures of what a capture stored (write and read units, bytes per event, delays) and the one-item-per-event
 * baseline they are compared with.
 */
final class StorageFigures {
    private final PrintStream progress;
    private final Figures figures;

    StorageFigures(PrintStream progress, Figures figures) {
        this.progress = progress;
        this.figures = figures;
    }

    /** Write units, stored bytes, the one-item-per-event baseline and the queryable delay of one stream. */
    void report(String stream, String table, CaptureRuns.Counts counts, Prometheus metrics,
                List<Tables.StoredChunk> chunks, Tables tables) throws InterruptedException {
        String suffix = "synthetic".equals(stream) ? "" : "_" + stream;
        long events = chunks.stream().mapToLong(c -> c.chunk().events().size()).sum();
        long bytes = chunks.stream().mapToLong(Tables.StoredChunk::itemBytes).sum();
        if (events != counts.stored()) {
            progress.printf("bench: note: the table holds %,d events, the capture reports %,.0f stored%n", events,
                    counts.stored());
        }
        figures.figure("write_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.WRITE_UNITS) * 1000 / counts.stored(), "WCU");
        figures.figure("catalog_write_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.CATALOG_WRITE_UNITS) * 1000 / counts.stored(), "WCU");
        figures.figure("stored_bytes_per_event" + suffix, (double) bytes / events, "bytes");
        footprint(tables, table);
        progress.printf("bench: writing the same %,d events one item per event%n", events);
        String baseline = "bench_item_per_event_" + stream;
        tables.create(baseline);
        double units = tables.write(baseline, itemPerEvent(chunks));
        figures.figure("item_per_event_write_units_per_1000_events" + suffix, units * 1000 / events, "WCU");
        figures.figure("queryable_p99_ms" + suffix,
                metrics.sum(CaptureProcess.QUERYABLE_DELAY, Map.of("quantile", "0.99")) * 1000, "ms");
        for (String activity : List.of("busy", "quiet")) {
            figures.figure("queryable_p99_ms_" + activity + suffix, metrics.sum(
                    CaptureProcess.QUERYABLE_DELAY_BY_ACTIVITY,
                    Map.of("quantile", "0.99", "activity", activity)) * 1000, "ms");
        }
        figures.figure("read_units_per_1000_events" + suffix,
                metrics.sum(CaptureProcess.READ_UNITS) * 1000 / counts.stored(), "RCU");
        figures.figure("durable_p99_ms" + suffix,
                metrics.sum(CaptureProcess.DURABLE_DELAY, Map.of("quantile", "0.99")) * 1000, "ms");
    }

    /** Where the table's stored items go by kind, as progress (what a write-unit figure is made of). */
    private void footprint(Tables tables, String table) {
        tables.footprint(table).forEach((kind, sums) -> progress.printf(Locale.ROOT,
                "bench: stored %-14s %,9d items %,13d bytes %,9d write units to put each once (items of 1/2/3+ units:"
                        + " %d/%d/%d)%n", kind, sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]));
    }

    static List<Tables.StoredChunk> allChunks(Tables tables, String table) {
        return allChunks(tables, table, List.of(Bench.PAIR));
    }

    static List<Tables.StoredChunk> allChunks(Tables tables, String table, List<String> pairs) {
        List<Tables.StoredChunk> chunks = new ArrayList<>();
        for (String pair : pairs) {
            chunks.addAll(tables.chunks(table, pair, Channel.ORDERS));
            chunks.addAll(tables.chunks(table, pair, Channel.TRADES));
        }
        return chunks;
    }

    /** The events of the chunks as one item each: the frame as received, keyed by time and position. */
    private static List<Map<String, AttributeValue>> itemPerEvent(List<Tables.StoredChunk> chunks) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Tables.StoredChunk stored : chunks) {
            Chunk chunk = stored.chunk();
            int position = chunk.part() * TableLayout.MAX_EVENTS_PER_PART;
            for (CapturedEvent event : chunk.events()) {
                items.add(Map.of(
                        TableLayout.PK, AttributeValue.fromS(TableLayout.chunkPk(chunk.pair(), chunk.channel())),
                        TableLayout.SK, AttributeValue.fromS(String.format("%016d#%06d", event.microtimestamp(),
                                position++)),
                        "frame", AttributeValue.fromS(Frames.toJson(event.frame()))));
            }
        }
        return items;
    }
}
