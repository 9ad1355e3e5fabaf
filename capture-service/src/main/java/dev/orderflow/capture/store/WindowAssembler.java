package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;

/**
 * Groups events per (pair, channel) into the table's time windows, in arrival order, and hands a window to the
 * writer once the clock is past its end plus a grace period. A written window stays in memory for a while: an
 * event arriving late for it is added and the whole window written again under the same keys.
 *
 * <p>Called from the event loop ({@link #add}) and from a timer ({@link #tick}); never waits for DynamoDB.
 */
@ApplicationScoped
public class WindowAssembler {
    private final WriteQueue queue;
    private final long graceMicros;
    private final long retentionMicros;
    private final long startMicros;
    private final Map<Stream, TreeMap<Long, Window>> streams = new HashMap<>();
    private long lastFullQueueLogMicros;

    @Inject
    public WindowAssembler(WriteQueue queue, CaptureConfig config) {
        this(queue, config.writer().windowGrace().toNanos() / 1000, config.writer().lateRetention().toNanos() / 1000,
                Clock.nowMicros());
    }

    /**
     * @param startMicros windows that began before this instant may already be partly stored (by an earlier run)
     */
    public WindowAssembler(WriteQueue queue, long graceMicros, long retentionMicros, long startMicros) {
        this.queue = queue;
        this.graceMicros = graceMicros;
        this.retentionMicros = retentionMicros;
        this.startMicros = startMicros;
    }

    private record Stream(String pair, Channel channel) {
    }

    private static final class Window {
        final List<CapturedEvent> events = new ArrayList<>();
        /** Events already handed to the writer. */
        int handedOver;
        long handedOverAtMicros;
        boolean mergeWithStored;
    }

    /** Adds an event to its window (its {@code receivedMicros} is taken as the current time). */
    public synchronized void add(String pair, Channel channel, CapturedEvent event) {
        long start = TableLayout.windowStart(event.microtimestamp());
        TreeMap<Long, Window> windows = streams.computeIfAbsent(new Stream(pair, channel), s -> new TreeMap<>());
        Window window = windows.get(start);
        if (window == null) {
            window = new Window();
            // Not seen before, yet already due or older than this process: the table may hold some of its events.
            window.mergeWithStored = start < startMicros || event.receivedMicros() > sealAt(start);
            windows.put(start, window);
        }
        window.events.add(event);
    }

    /** Hands every due window to the writer and forgets written windows past their retention. */
    public synchronized void tick(long nowMicros) {
        int waiting = 0;
        for (Map.Entry<Stream, TreeMap<Long, Window>> stream : streams.entrySet()) {
            Iterator<Map.Entry<Long, Window>> it = stream.getValue().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Window> entry = it.next();
                Window window = entry.getValue();
                if (nowMicros <= sealAt(entry.getKey())) {
                    break; // later windows are not due either
                }
                if (window.handedOver < window.events.size()) {
                    if (queue.offer(job(stream.getKey(), entry.getKey(), window))) {
                        handedOver(window, nowMicros);
                    } else {
                        waiting++;
                    }
                } else if (nowMicros > window.handedOverAtMicros + retentionMicros) {
                    it.remove();
                }
            }
        }
        if (waiting > 0 && nowMicros - lastFullQueueLogMicros > 10_000_000L) {
            lastFullQueueLogMicros = nowMicros;
            Log.warnf("Writer queue full: %d sealed windows wait in memory", waiting);
        }
    }

    /** Hands every window with events not yet handed over to the writer, due or not (at shutdown). */
    public synchronized void sealAll() {
        long now = Clock.nowMicros();
        streams.forEach((stream, windows) -> windows.forEach((start, window) -> {
            if (window.handedOver < window.events.size()) {
                queue.submit(job(stream, start, window));
                handedOver(window, now);
            }
        }));
    }

    /** Events held in memory that the writer has not been handed yet. */
    public synchronized long pendingEvents() {
        long pending = 0;
        for (TreeMap<Long, Window> windows : streams.values()) {
            for (Window w : windows.values()) {
                pending += w.events.size() - w.handedOver;
            }
        }
        return pending;
    }

    /** The earliest receive time of an event not yet handed to the writer, or {@code Long.MAX_VALUE} if none. */
    public synchronized long oldestPendingReceivedMicros() {
        long oldest = Long.MAX_VALUE;
        for (TreeMap<Long, Window> windows : streams.values()) {
            for (Window w : windows.values()) {
                if (w.handedOver < w.events.size()) {
                    oldest = Math.min(oldest, w.events.get(w.handedOver).receivedMicros()); // arrival order
                }
            }
        }
        return oldest;
    }

    private long sealAt(long windowStart) {
        return windowStart + TableLayout.WINDOW_MICROS + graceMicros;
    }

    private static WindowJob job(Stream stream, long start, Window window) {
        return new WindowJob(stream.pair(), stream.channel(), start, window.events, window.handedOver,
                window.mergeWithStored);
    }

    private static void handedOver(Window window, long nowMicros) {
        window.handedOver = window.events.size();
        window.handedOverAtMicros = nowMicros;
    }
}
