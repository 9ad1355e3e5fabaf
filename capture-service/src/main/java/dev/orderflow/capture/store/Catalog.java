package dev.orderflow.capture.store;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import io.quarkus.logging.Log;

/**
 * Keeps each channel's catalog item current: the stored range, and {@code confirmed_until}, the time before which
 * the table holds every event of the channel: never past a window not yet stored ({@link Windows#confirmedUntil}),
 * nor past the start of a window in which the capture is not receiving and whose gap record is not written yet
 * (the {@code openGaps} the feed reports). Coverage never answers {@code complete} past it.
 */
@ApplicationScoped
public class Catalog {
    private final Windows windows;
    private final Writer writer;
    private final TableClient table;
    private final long intervalMillis;
    private final Map<Windows.Stream, Long> written = new HashMap<>();
    private volatile boolean running;
    private Thread thread;

    public Catalog(Windows windows, Writer writer, TableClient table, CaptureConfig config) {
        this.windows = windows;
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
        Map<Windows.Stream, long[]> ranges = writer.ranges();
        Map<Windows.Stream, Long> streams = new HashMap<>(openGaps);
        ranges.keySet().forEach(s -> streams.putIfAbsent(s, Long.MAX_VALUE));
        long now = Clock.nowMicros();
        for (Map.Entry<Windows.Stream, Long> e : streams.entrySet()) {
            if (e.getValue() == Long.MIN_VALUE) {
                continue; // a restart still waits to learn where the earlier run stopped
            }
            long confirmed = Math.min(windows.confirmedUntil(e.getKey()), e.getValue());
            Long before = written.get(e.getKey());
            boolean receiving = e.getValue() == Long.MAX_VALUE;
            if (before != null && before >= confirmed && !ranges.containsKey(e.getKey()) && !receiving) {
                continue; // nothing to say: while receiving, receiving#<host> is always worth saying (a window of a
                          // quiet channel holds confirmed_until back for up to its 10 s)
            }
            table.updateCatalog(e.getKey().pair(), e.getKey().channel(), ranges.remove(e.getKey()), now, confirmed,
                    receiving ? now : null);
            written.put(e.getKey(), confirmed);
        }
    }
}
