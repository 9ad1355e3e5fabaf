package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.logging.Log;

/**
 * Groups events per (pair, channel) into the table's time windows, in arrival order, and hands a window to the
 * writer once the clock is past its end plus a grace period. A written window stays in memory for a while: an
 * event arriving late for it is added and the whole window written again under the same keys.
 *
 * <p><b>Memory bound.</b> At most {@code capture.writer.max-pending-events} events not yet handed to the writer are
 * held. Past it (the writer's queue is full: DynamoDB is down or throttling), the events of every sealed window that
 * waits are dropped from memory ("spilled"): they stay in the journal, whose segments are kept as long as
 * {@link #oldestPendingReceivedMicros} covers them. Once the writer drains, {@link #spilledToRestore} names windows
 * to re-read from the journal and {@link #restore} puts their events back; they are then written through the
 * merge-with-stored path, so nothing is lost or doubled.
 *
 * <p>Called from the event loop ({@link #add}) and from a timer ({@link #tick}); never waits for DynamoDB.
 */
@ApplicationScoped
public class WindowAssembler {
    private final WriteQueue queue;
    private final long graceMicros;
    private final long retentionMicros;
    private final long startMicros;
    private final long maxPending;
    private final Counter spilledEvents;
    private final Map<Stream, TreeMap<Long, Window>> streams = new HashMap<>();
    private long lastFullQueueLogMicros;
    /** Events in memory not yet handed to the writer. */
    private long pending;
    /** Windows whose spilled events are only in the journal. */
    private int spilledWindows;
    private long spilledSinceStart;
    /** Set when a spill attempt found nothing to drop; cleared by the next tick (keeps {@link #add} cheap). */
    private boolean spillFutile;

    @Inject
    public WindowAssembler(WriteQueue queue, CaptureConfig config, MeterRegistry registry) {
        this(queue, config.writer().windowGrace().toNanos() / 1000, config.writer().lateRetention().toNanos() / 1000,
                Clock.nowMicros(), config.writer().maxPendingEvents(), registry);
    }

    /**
     * @param startMicros windows that began before this instant may already be partly stored (by an earlier run)
     */
    public WindowAssembler(WriteQueue queue, long graceMicros, long retentionMicros, long startMicros) {
        this(queue, graceMicros, retentionMicros, startMicros, Long.MAX_VALUE, new SimpleMeterRegistry());
    }

    /** @param maxPending events held in memory at most before sealed windows are spilled to the journal */
    public WindowAssembler(WriteQueue queue, long graceMicros, long retentionMicros, long startMicros,
            long maxPending, MeterRegistry registry) {
        this.queue = queue;
        this.graceMicros = graceMicros;
        this.retentionMicros = retentionMicros;
        this.startMicros = startMicros;
        this.maxPending = maxPending;
        this.spilledEvents = Counter.builder("capture.journal.spilled.events")
                .description("Events dropped from memory while the writer could not take them (memory bound "
                        + "capture.writer.max-pending-events reached); they stay in the journal and are re-read from "
                        + "it once the writer drains")
                .register(registry);
        Gauge.builder("capture.pending.events", this, WindowAssembler::pendingEvents)
                .description("Events held in memory that the writer has not taken yet (bound: "
                        + "capture.writer.max-pending-events)")
                .register(registry);
    }

    private record Stream(String pair, Channel channel) {
    }

    /**
     * A window whose spilled events are only in the journal: {@code events} of them, received between
     * {@code firstReceivedMicros} and {@code lastReceivedMicros}.
     */
    public record Spilled(String pair, Channel channel, long windowStartMicros, long firstReceivedMicros,
            long lastReceivedMicros, long events) {
    }

    private static final class Window {
        final List<CapturedEvent> events = new ArrayList<>();
        /** Events already handed to the writer. */
        int handedOver;
        long handedOverAtMicros;
        boolean mergeWithStored;
        /** Events dropped from memory that only the journal holds (0: none); the window waits for a restore. */
        long spilled;
        long spilledFirstMicros = Long.MAX_VALUE;
        long spilledLastMicros = Long.MIN_VALUE;
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
        pending++;
        if (pending > maxPending && !spillFutile) {
            spill(event.receivedMicros());
        }
    }

    /** Hands every due window to the writer and forgets written windows past their retention. */
    public synchronized void tick(long nowMicros) {
        spillFutile = false;
        int waiting = 0;
        for (Map.Entry<Stream, TreeMap<Long, Window>> stream : streams.entrySet()) {
            Iterator<Map.Entry<Long, Window>> it = stream.getValue().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Window> entry = it.next();
                Window window = entry.getValue();
                if (nowMicros <= sealAt(entry.getKey())) {
                    break; // later windows are not due either
                }
                if (window.spilled > 0) {
                    continue; // waits for its events to be re-read from the journal
                }
                if (window.handedOver < window.events.size()) {
                    if (queue.offer(job(stream.getKey(), entry.getKey(), window))) {
                        handedOver(window, nowMicros);
                    } else {
                        waiting++;
                    }
                } else if (window.spilled == 0 && nowMicros > window.handedOverAtMicros + retentionMicros) {
                    it.remove();
                }
            }
        }
        if (waiting > 0 && nowMicros - lastFullQueueLogMicros > 10_000_000L) {
            lastFullQueueLogMicros = nowMicros;
            Log.warnf("Writer queue full: %d sealed windows wait in memory", waiting);
        }
        if (pending > maxPending) {
            spill(nowMicros);
        }
    }

    /** Holding the lock: drops the events of every sealed window that waits for the writer (see class comment). */
    private void spill(long nowMicros) {
        long dropped = 0;
        for (Map.Entry<Stream, TreeMap<Long, Window>> stream : streams.entrySet()) {
            for (Map.Entry<Long, Window> entry : stream.getValue().entrySet()) {
                if (nowMicros <= sealAt(entry.getKey())) {
                    break;
                }
                Window window = entry.getValue();
                int waiting = window.events.size() - window.handedOver;
                if (waiting == 0) {
                    continue;
                }
                for (CapturedEvent e : window.events.subList(window.handedOver, window.events.size())) {
                    window.spilledFirstMicros = Math.min(window.spilledFirstMicros, e.receivedMicros());
                    window.spilledLastMicros = Math.max(window.spilledLastMicros, e.receivedMicros());
                }
                if (window.spilled == 0) {
                    spilledWindows++;
                }
                window.spilled += waiting;
                // Events already handed over are in a queued job; the restored window merges with what is stored.
                window.events.clear();
                window.handedOver = 0;
                window.mergeWithStored = true;
                dropped += waiting;
            }
        }
        if (dropped == 0) {
            spillFutile = true;
            return;
        }
        pending -= dropped;
        spilledEvents.increment(dropped);
        if (spilledSinceStart == 0) {
            Log.warnf("Memory bound capture.writer.max-pending-events=%d reached while the writer cannot keep up "
                    + "(DynamoDB unavailable or throttling): spilling sealed windows to the journal; their events are "
                    + "dropped from memory, kept in the journal and re-read from it once the writer drains",
                    maxPending);
        }
        spilledSinceStart += dropped;
    }

    /** True while some window's events are only in the journal. */
    public synchronized boolean hasSpilled() {
        return spilledWindows > 0;
    }

    /**
     * Spilled windows to re-read from the journal now, oldest first, together holding at most {@code budget}
     * events (at least one window when {@code budget} is positive, so that a large window cannot wait forever).
     */
    public synchronized List<Spilled> spilledToRestore(long budget) {
        List<Spilled> all = new ArrayList<>();
        streams.forEach((stream, windows) -> windows.forEach((start, w) -> {
            if (w.spilled > 0) {
                all.add(new Spilled(stream.pair(), stream.channel(), start, w.spilledFirstMicros,
                        w.spilledLastMicros, w.spilled));
            }
        }));
        all.sort(Comparator.comparingLong(Spilled::firstReceivedMicros));
        List<Spilled> chosen = new ArrayList<>();
        long total = 0;
        for (Spilled s : all) {
            if (budget <= 0 || (!chosen.isEmpty() && total + s.events() > budget)) {
                break;
            }
            chosen.add(s);
            total += s.events();
        }
        return chosen;
    }

    /**
     * Puts a spilled window's events, as re-read from the journal (every journaled event of the window, in journal
     * order), back in memory; it is then handed to the writer like any sealed window, merged with what is stored.
     */
    public synchronized void restore(Spilled spilled, List<CapturedEvent> fromJournal) {
        TreeMap<Long, Window> windows = streams.get(new Stream(spilled.pair(), spilled.channel()));
        Window window = windows == null ? null : windows.get(spilled.windowStartMicros());
        if (window == null || window.spilled != spilled.events()) {
            return; // restored already, or spilled again since it was named: the next pass re-reads it whole
        }
        long found = fromJournal.stream().filter(e -> e.receivedMicros() >= spilled.firstReceivedMicros()
                && e.receivedMicros() <= spilled.lastReceivedMicros()).count();
        if (found < window.spilled) {
            Log.errorf("Journal holds %d of the %d spilled events of %s %s (frames not journaled: journal full?)",
                    found, window.spilled, TableLayout.chunkPk(spilled.pair(), spilled.channel()),
                    TableLayout.chunkSk(spilled.windowStartMicros(), 0));
        }
        Set<JsonNode> seen = new HashSet<>();
        List<CapturedEvent> events = new ArrayList<>();
        for (CapturedEvent e : fromJournal) {
            if (seen.add(e.frame())) {
                events.add(e);
            }
        }
        for (CapturedEvent e : window.events) { // arrived after the spill
            if (seen.add(e.frame())) {
                events.add(e);
            }
        }
        pending += events.size() - window.events.size();
        window.events.clear();
        window.events.addAll(events);
        window.handedOver = 0;
        window.mergeWithStored = true;
        window.spilled = 0;
        window.spilledFirstMicros = Long.MAX_VALUE;
        window.spilledLastMicros = Long.MIN_VALUE;
        spilledWindows--;
        if (spilledWindows == 0) {
            Log.infof("Spilling ended: all %d spilled events were re-read from the journal", spilledSinceStart);
            spilledSinceStart = 0;
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
        return pending;
    }

    /**
     * The earliest receive time of an event not yet handed to the writer, spilled events included (so that their
     * journal segments are kept), or {@code Long.MAX_VALUE} if none.
     */
    public synchronized long oldestPendingReceivedMicros() {
        long oldest = Long.MAX_VALUE;
        for (TreeMap<Long, Window> windows : streams.values()) {
            for (Window w : windows.values()) {
                if (w.handedOver < w.events.size()) {
                    oldest = Math.min(oldest, w.events.get(w.handedOver).receivedMicros()); // arrival order
                }
                if (w.spilled > 0) {
                    oldest = Math.min(oldest, w.spilledFirstMicros);
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

    private void handedOver(Window window, long nowMicros) {
        pending -= window.events.size() - window.handedOver;
        window.handedOver = window.events.size();
        window.handedOverAtMicros = nowMicros;
    }
}
