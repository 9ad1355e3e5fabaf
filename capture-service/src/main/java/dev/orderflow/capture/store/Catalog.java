package dev.orderflow.capture.store;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.WatermarkClock;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;

/**
 * Keeps this host's catalog item current ({@link CatalogItems}): per channel, the range it stored, and
 * {@code confirmed_until}, the time before which the table holds every event of the channel it received: never past
 * a window not yet stored ({@link Windows#confirmedUntil}), nor past the start of a window in which the capture is
 * not receiving and whose gap record is not written yet (the {@code openGaps} the feed reports). Coverage never
 * answers {@code complete} past it. The item is rewritten whole each interval in which anything moved (while a
 * channel is received, its time of receiving always does); it is first read, so that the channels of earlier runs
 * stay in it, and nothing is written until that read succeeded.
 */
@ApplicationScoped
public class Catalog {
    private final Windows windows;
    private final WatermarkClock clock;
    private final Writer writer;
    private final TableClient table;
    private final long intervalMillis;
    /** This host's points by {@code "<pair>#<channel>"}, as last written; {@code null} until read from the table. */
    private Map<String, CatalogItems.Points> points;
    /** The last write of the points failed: the next update writes them even if nothing moved since. */
    private boolean unwritten;
    private volatile boolean running;
    private Thread thread;

    public Catalog(Windows windows, Writer writer, TableClient table, CaptureConfig config, WatermarkClock clock) {
        this.windows = windows;
        this.clock = clock;
        this.writer = writer;
        this.table = table;
        this.intervalMillis = config.writer().catalogInterval().toMillis();
    }

    /**
     * Starts updating every {@code catalog-interval}; {@code openGaps} gives, per channel the capture follows, the
     * time from which it is not receiving ({@code Long.MAX_VALUE} while it is).
     */
    public void start(Supplier<Map<Windows.Stream, Long>> openGaps) {
        running = true;
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                    update(openGaps.get());
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    Log.warnf("Catalog update failed; next try in %d ms: %s", intervalMillis, e.toString());
                }
            }
        }, "capture-catalog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread and writes the catalog once more (at shutdown, after the writer). */
    public void stop(Map<Windows.Stream, Long> openGaps) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        try {
            update(openGaps);
        } catch (RuntimeException e) {
            Log.warnf("Last catalog update failed: %s", e.toString());
        }
    }

    synchronized void update(Map<Windows.Stream, Long> openGaps) {
        if (points == null) {
            points = new TreeMap<>(table.catalogPoints());
        }
        Map<Windows.Stream, long[]> ranges = writer.ranges();
        Map<Windows.Stream, Long> streams = new HashMap<>(openGaps);
        ranges.keySet().forEach(s -> streams.putIfAbsent(s, Long.MAX_VALUE));
        long now = clock.nowMicros(); // as the windows were sealed by
        boolean moved = false;
        for (Map.Entry<Windows.Stream, Long> e : streams.entrySet()) {
            if (e.getValue() == Long.MIN_VALUE) {
                continue; // a restart still waits to learn where the earlier run stopped
            }
            String stream = TableLayout.chunkPk(e.getKey().pair(), e.getKey().channel());
            long[] range = ranges.remove(e.getKey());
            CatalogItems.Points before = points.get(stream);
            CatalogItems.Points latest = new CatalogItems.Points(range == null ? null : range[0],
                    range == null ? null : range[1], Math.min(windows.confirmedUntil(e.getKey()), e.getValue()),
                    e.getValue() == Long.MAX_VALUE ? now : null);
            CatalogItems.Points after = before == null ? latest : before.followedBy(latest);
            if (!after.equals(before)) {
                points.put(stream, after);
                moved = true;
            }
        }
        if (moved || unwritten) {
            unwritten = true;
            table.writeCatalog(now, points);
            unwritten = false;
        }
    }
}
