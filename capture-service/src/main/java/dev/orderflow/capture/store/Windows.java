package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * The window step: journal records in, writer jobs out. Events are grouped per (pair, channel) into the table's
 * windows (slots of {@link TableLayout#SLOT_MICROS}), in arrival order, and each window into parts: a part is
 * closed as soon as it is {@link TableLayout#partFull} (so a busy channel's events are written within about a
 * second), and a window's last part once the window is sealed: once the stream's own exchange time
 * is past its end plus a grace period (so a backlog received late is not cut into pieces that would each need a
 * merge), or once the stream has been quiet for the grace and the clock is past it. Each closed part becomes a
 * {@link Job.Window}. Gap records and bad frames become jobs at once.
 *
 * <p><b>Memory, in bytes.</b> Everything taken from the journal stays counted in {@link #heldBytes} until DynamoDB
 * stored it. When a record would take it past {@code maxHeldBytes}, the step falls <i>behind</i>: from that position
 * on it takes nothing from the live path, and {@link #catchUp} later reads those records from the journal, a budget
 * at a time, through the same {@link #accept}. A restart starts behind at the journal's first record, so replaying
 * an earlier run's journal is the same path too.
 *
 * <p><b>Positions.</b> {@link #storedBelow} is the lowest journal position not yet stored (the journal deletes
 * segments below it); {@link #confirmedUntil} per channel is the time before which every window is stored.
 */
@ApplicationScoped
public class Windows {
    /** An event whose exchange time is this much before the clock (less the grace) is taken as late. */
    private static final long LATE_MICROS = 1_000_000L;
    /** Sealed windows per stream whose next part number is remembered ({@link #sealedNextPart}). */
    private static final int SEALED_KEPT = 16;
    private final long graceMicros;
    private final long maxAgeMicros;
    private final long maxHeldBytes;
    private final boolean shareQuiet;
    private final QuietSlots quiet = new QuietSlots();
    /**
     * Per stream, of its {@value #SEALED_KEPT} latest sealed windows (the last key: the latest window sealed), the
     * number of the part after their last: a
     * window opened again by late events goes on from there. Numbered from 0 again, each of its parts would find its
     * number taken and merge the whole window (read and decoded every time), which is what a capture that fell a little
     * behind in a burst did: a stall of its own of more than the grace looks like a quiet channel, the window is
     * sealed, and the rest of its events, still arriving, came as a second window of parts 0, 1, 2, ... (found
     * 2026-12-07: 37 merges of one busy window in one burst, the burst ten times slower). After a restart nothing is
     * known of the windows sealed before: an earlier run's events are merged, as before.
     */
    private final Map<Stream, TreeMap<Long, Integer>> sealedNextPart = new HashMap<>();
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final Map<Stream, TreeMap<Long, Open>> open = new HashMap<>();
    /** Per stream: the latest exchange time seen, and when its last event was received. */
    private final Map<Stream, long[]> progress = new HashMap<>();
    /** Journal positions of unstored work (open windows and jobs), as a multiset: position → count. */
    private final TreeMap<Long, Integer> pendingSeqs = new TreeMap<>();
    /** Per channel, the start of each unstored window (open or queued) and gap record, as a multiset. */
    private final Map<Stream, TreeMap<Long, Integer>> unstoredFrom = new HashMap<>();
    private long heldBytes;
    /** The part of {@link #heldBytes} in windows not sealed yet. */
    private long openBytes;
    private long clockMicros;
    private boolean behind;
    private long readFrom;
    private long lastBehindLogNanos;

    public record Stream(String pair, Channel channel) {
        /** The channel a writer job's window belongs to. */
        static Stream of(Job.Window w) {
            return new Stream(w.pair(), w.channel());
        }
    }

    /** The open part of a window. */
    private static final class Open {
        List<Held> events = new ArrayList<>();
        int part;
        long fromMicros = Long.MAX_VALUE;
        long toMicros = Long.MIN_VALUE;
        /** When the part's first event was received (µs). */
        long openedMicros = Long.MAX_VALUE;
        long frameBytes;
        long minSeq = Long.MAX_VALUE;
        long bytes;
        /** Opened again for late events after the window was sealed: never written as a section. */
        boolean reopened;
    }

    @Inject
    public Windows(CaptureConfig config, MeterRegistry registry) {
        this(config.writer().windowGrace().toNanos() / 1000, config.writer().maxAge().toNanos() / 1000,
                heldBound(config.writer().maxHeldBytes()), config.writer().shareQuietWindows(), registry);
    }

    /** Every window as items of its own (no shared items). */
    public Windows(long graceMicros, long maxHeldBytes, MeterRegistry registry) {
        this(graceMicros, TableLayout.SLOT_MICROS, maxHeldBytes, false, registry);
    }

    /** Every window as items of its own (no shared items). */
    public Windows(long graceMicros, long maxAgeMicros, long maxHeldBytes, MeterRegistry registry) {
        this(graceMicros, maxAgeMicros, maxHeldBytes, false, registry);
    }

    public Windows(long graceMicros, long maxAgeMicros, long maxHeldBytes, boolean shareQuiet,
            MeterRegistry registry) {
        if (maxAgeMicros <= 0 || maxAgeMicros > TableLayout.SLOT_MICROS) {
            throw new IllegalArgumentException("capture.writer.max-age must be more than 0 and at most the window, "
                    + TableLayout.SLOT_MICROS / 1_000_000 + " s");
        }
        this.graceMicros = graceMicros;
        this.maxAgeMicros = maxAgeMicros;
        this.maxHeldBytes = maxHeldBytes;
        this.shareQuiet = shareQuiet;
        Gauge.builder("capture.held.bytes", this, Windows::heldBytes).baseUnit("bytes")
                .description("Bytes of received records held in memory until DynamoDB stores them (bound: "
                        + "capture.writer.max-held-bytes)").register(registry);
        Gauge.builder("capture.behind", this, w -> w.behind() ? 1 : 0)
                .description("1 while the memory bound is reached and records are read back from the journal")
                .register(registry);
        Gauge.builder("capture.queue.jobs", jobs, LinkedBlockingQueue::size)
                .description("Sealed windows and records waiting for the writer").register(registry);
    }

    /** The bound in bytes: the configured one, or a quarter of the heap when it is 0. */
    static long heldBound(long configured) {
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Starts behind at {@code fromSeq}: the journal's records from there on (an earlier run's) are read by
     * {@link #catchUp} before the live path is taken.
     */
    public synchronized void startBehind(long fromSeq) {
        behind = true;
        readFrom = fromSeq;
    }

    /**
     * The live path (under the intake's lock, right after the record was journaled at {@code e.seq()}, -1 when it
     * could not be). Returns {@code false} only when the record is lost: neither journaled nor room in memory.
     */
    public synchronized boolean offer(Input e) {
        if (!behind && heldBytes + e.bytes() > maxHeldBytes) {
            if (e.seq() < 0) {
                return false;
            }
            behind = true;
            readFrom = e.seq();
            logBehind();
        }
        if (behind) {
            return e.seq() >= 0; // the journal holds it; catchUp reads it
        }
        accept(e);
        return true;
    }

    /** A record taken from the journal, live or read back: an event for its window, anything else a job at once. */
    public synchronized void accept(Input input) {
        clockMicros = Math.max(clockMicros, input.receivedMicros());
        heldBytes += input.bytes();
        if (input instanceof Input.Event e) {
                Stream stream = new Stream(e.pair(), e.channel());
                long at = e.held().microtimestamp();
                long start = TableLayout.slotStart(at);
                TreeMap<Long, Open> windows = open.computeIfAbsent(stream, s -> new TreeMap<>());
                Open window = windows.get(start);
                if (window == null) {
                    window = new Open();
                    TreeMap<Long, Integer> sealed = sealedNextPart.get(stream);
                    window.reopened = sealed != null && start <= sealed.lastKey();
                    if (window.reopened) {
                        int next = sealed.getOrDefault(start, 0);
                        window.part = next > TableLayout.MAX_PART ? 0 : next; // past the last number a key holds: merged
                    }
                    windows.put(start, window);
                }
                if (at < window.fromMicros) {
                    TreeMap<Long, Integer> starts = unstoredFrom.computeIfAbsent(stream, s -> new TreeMap<>());
                    if (window.fromMicros != Long.MAX_VALUE) {
                        release(starts, window.fromMicros);
                    }
                    window.fromMicros = at;
                    starts.merge(at, 1, Integer::sum);
                }
                window.events.add(e.held());
                window.toMicros = Math.max(window.toMicros, at);
                window.openedMicros = Math.min(window.openedMicros, e.receivedMicros());
                openBytes += e.bytes();
                long[] p = progress.computeIfAbsent(stream, k -> new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
                p[0] = Math.max(p[0], at);
                p[1] = Math.max(p[1], e.receivedMicros());
                window.bytes += e.bytes();
                window.frameBytes += e.held().frame().length;
                if (e.seq() >= 0 && window.minSeq == Long.MAX_VALUE) {
                    window.minSeq = e.seq(); // positions only grow: the part's first is its lowest
                    pendingSeqs.merge(e.seq(), 1, Integer::sum);
                }
                if (TableLayout.partFull(window.part, window.frameBytes, at - window.fromMicros)
                        && window.part < TableLayout.MAX_PART) {
                    close(stream, start, window, true);
                }
        } else if (input instanceof Input.Other o) {
                if (o.job() instanceof Job.Gap g) {
                    unstoredFrom.computeIfAbsent(new Stream(g.gap().pair(), g.gap().channel()), s -> new TreeMap<>())
                            .merge(g.gap().fromMicros(), 1, Integer::sum);
                }
                if (o.job().minSeq() != Long.MAX_VALUE) {
                    pendingSeqs.merge(o.job().minSeq(), 1, Integer::sum);
                }
                jobs.add(o.job());
        }
    }

    /** Seals every window due at {@code nowMicros} (the wall clock; ignored while behind, which has its own). */
    public void tick(long nowMicros) {
        synchronized (this) {
            if (!behind) {
                clockMicros = Math.max(clockMicros, nowMicros);
            }
        }
        seal(false);
    }

    /** Seals every window, due or not (at shutdown). */
    public void sealAll() {
        seal(true);
    }

    private synchronized void seal(boolean all) {
        for (Map.Entry<Stream, TreeMap<Long, Open>> stream : open.entrySet()) {
            long[] p = progress.getOrDefault(stream.getKey(), new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
            boolean quiet = clockMicros - p[1] > graceMicros;
            Iterator<Map.Entry<Long, Open>> it = stream.getValue().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Open> entry = it.next();
                long due = entry.getKey() + TableLayout.SLOT_MICROS + graceMicros;
                // Due once the stream's own time is past it (a backlog arriving late is not cut into pieces), or
                // once the stream has been quiet for the grace and the clock is past it.
                if (!all && p[0] <= due && !(quiet && clockMicros > due)) {
                    Open w = entry.getValue();
                    boolean old = clockMicros - w.openedMicros > maxAgeMicros;
                    if (maxAgeMicros < TableLayout.SLOT_MICROS && !behind && old) {
                        close(stream.getKey(), entry.getKey(), w, true); // a shorter max-age than the window
                    } else if (quiet && !w.events.isEmpty()
                            && TableLayout.closesEarly(w.frameBytes, w.toMicros - w.fromMicros)) {
                        // the channel fell quiet with a part that may close early (a write unit's worth, busy or
                        // within 2 s): written now rather than at the window's end (both hosts see the same pause:
                        // same cut)
                        close(stream.getKey(), entry.getKey(), w, true);
                    }
                    continue; // (windows are few per stream: the current one and, at its turn, the next)
                }
                close(stream.getKey(), entry.getKey(), entry.getValue(), false);
                TreeMap<Long, Integer> sealed = sealedNextPart.computeIfAbsent(stream.getKey(), s -> new TreeMap<>());
                sealed.put(entry.getKey(), entry.getValue().part);
                if (sealed.size() > SEALED_KEPT) {
                    sealed.pollFirstEntry();
                }
                it.remove();
            }
        }
        flushQuiet(all);
    }

    /** Queues the quiet windows of every slot no stream still holds open ({@link QuietSlots#due}). */
    private void flushQuiet(boolean all) {
        long openFrom = Long.MAX_VALUE;
        for (TreeMap<Long, Open> windows : open.values()) {
            if (!windows.isEmpty()) {
                openFrom = Math.min(openFrom, windows.firstKey());
            }
        }
        jobs.addAll(quiet.due(all ? Long.MAX_VALUE : openFrom, clockMicros - graceMicros - LATE_MICROS));
    }

    /** Closes the window's open part: a job for the writer; the window stays open with the next part number. */
    private void close(Stream stream, long start, Open w, boolean byBytes) {
        if (w.events.isEmpty()) {
            return;
        }
        openBytes -= w.bytes;
        Job.Window job = new Job.Window(stream.pair(), stream.channel(), start, w.part, w.fromMicros,
                List.copyOf(w.events), w.minSeq, w.bytes, byBytes);
        // (a window opened again by late events goes where a late event always went: merged into the slot's items)
        if (shareQuiet && !w.reopened && QuietItems.quiet(w.part, !byBytes, w.frameBytes)) {
            quiet.add(job);
        } else {
            jobs.add(job);
        }
        w.events = new ArrayList<>();
        w.part++;
        w.fromMicros = Long.MAX_VALUE;
        w.toMicros = Long.MIN_VALUE;
        w.openedMicros = Long.MAX_VALUE;
        w.frameBytes = 0;
        w.minSeq = Long.MAX_VALUE;
        w.bytes = 0;
    }

    /** Closes the open part of every window without sealing them (their next events start the next parts). */
    private void closeAll() {
        for (Map.Entry<Stream, TreeMap<Long, Open>> stream : open.entrySet()) {
            stream.getValue().forEach((start, w) -> close(stream.getKey(), start, w, true));
        }
    }

    /**
     * While behind: reads the next records from the journal (as many as half the free memory bound holds) and takes
     * them; once it reaches the journal's end under {@code intakeLock}, the live path is taken again. Returns whether
     * it read anything.
     */
    public boolean catchUp(JournalReader journal, Object intakeLock) {
        long from;
        long budget;
        synchronized (this) {
            if (!behind) {
                return false;
            }
            from = readFrom;
            budget = (maxHeldBytes - heldBytes) / 2;
        }
        if (budget < maxHeldBytes / 8) {
            // Wait for the writer to free memory. When most of it is held in windows not yet due, it could only be
            // freed by reading further (the clock is the journal's while behind), so their open parts are closed now.
            synchronized (this) {
                if (openBytes > heldBytes / 2) {
                    closeAll();
                }
                jobs.addAll(quiet.due(Long.MAX_VALUE, Long.MIN_VALUE)); // quiet windows waiting: written now
            }
            return false;
        }
        long next = journal.read(from, budget, this::accept);
        synchronized (intakeLock) {
            synchronized (this) {
                readFrom = next;
                seal(false);
                if (next >= journal.nextSeq()) {
                    behind = false;
                    Log.infof("Caught up with the journal at position %d; %d bytes held", next, heldBytes);
                }
            }
        }
        return next > from;
    }

    /** The journal as {@link #catchUp} reads it. */
    public interface JournalReader {
        long read(long fromSeq, long maxBytes, java.util.function.Consumer<Input> reader);

        long nextSeq();
    }

    /** The writer's next job, waiting at most {@code millis}. */
    public Job take(long millis) throws InterruptedException {
        return jobs.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Queues ready-made work that is not journaled (a snapshot), counted in memory like the rest. */
    public synchronized void submit(Job.Items items) {
        heldBytes += items.bytes();
        jobs.add(items);
    }

    /** DynamoDB stored the job (or it was kept in the dead-letter area): its memory and positions are released. */
    public synchronized void stored(Job job) {
        if (job instanceof Job.Quiet q) {
            q.windows().forEach(this::stored);
            return;
        }
        heldBytes -= job.bytes();
        if (job.minSeq() != Long.MAX_VALUE) {
            release(pendingSeqs, job.minSeq());
        }
        if (job instanceof Job.Window w) {
            release(unstoredFrom.get(new Stream(w.pair(), w.channel())), w.fromMicros());
        } else if (job instanceof Job.Gap g) {
            release(unstoredFrom.get(new Stream(g.gap().pair(), g.gap().channel())), g.gap().fromMicros());
        }
    }

    /** The lowest journal position not yet stored; every record below it is in DynamoDB. */
    public synchronized long storedBelow(long journalNextSeq) {
        long lowest = behind ? readFrom : journalNextSeq;
        return pendingSeqs.isEmpty() ? lowest : Math.min(lowest, pendingSeqs.firstKey());
    }

    /**
     * The time before which every event of the channel is stored: not past the earliest event of a part not yet
     * stored (open or queued), nor past the clock less the grace and a second (an event that late is taken as late),
     * nor past what is still only in the journal.
     */
    public synchronized long confirmedUntil(Stream stream) {
        long sealedBefore = clockMicros - graceMicros - LATE_MICROS;
        TreeMap<Long, Integer> starts = unstoredFrom.get(stream);
        return starts == null || starts.isEmpty() ? sealedBefore : Math.min(sealedBefore, starts.firstKey());
    }

    public synchronized long heldBytes() {
        return heldBytes;
    }

    public synchronized boolean behind() {
        return behind;
    }

    public int queuedJobs() {
        return jobs.size();
    }

    public long maxHeldBytes() {
        return maxHeldBytes;
    }

    private static void release(TreeMap<Long, Integer> multiset, long key) {
        if (multiset == null) {
            return;
        }
        multiset.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }

    private void logBehind() {
        long now = System.nanoTime();
        if (lastBehindLogNanos == 0 || now - lastBehindLogNanos > TimeUnit.SECONDS.toNanos(10)) {
            lastBehindLogNanos = now;
            Log.warnf("Memory bound reached (%d of %d bytes held; DynamoDB is not keeping up): records wait in the "
                    + "journal from position %d and are read back as the writer frees memory", heldBytes, maxHeldBytes,
                    readFrom);
        }
    }
}
