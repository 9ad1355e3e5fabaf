package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;


import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.storage.BadFrameItems;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.ExchangeOrder;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The writer: a few threads take jobs from the window step, build items and store them; a stored job is reported
 * back ({@link Windows#stored}), which is what lets the journal delete it.
 *
 * <p><b>Windows are merged, never overwritten.</b> A part of a window is first put only if its key is absent. If an
 * item is there (a restart, a late event, another capture host), the window's stored parts are read, the union of
 * their events and this job's is built (each frame once, in {@link ExchangeOrder}): events within the stored parts'
 * span go into the parts that span them, the cut left as it is; otherwise the parts from the first one it changes (or
 * the first stored out of order) to the last are rewritten, with the earliest receive time any host
 * had for their events, on condition that none changed since it was read ({@link TableLayout#WRITE_VERSION}); on a
 * conflict it reads and merges again; once written, it reads the window again until each event is there once, in
 * order. When the union adds nothing, nothing is written. After a first write, the stored parts before it that reach
 * its first µs are read: when one overlaps it (another host or an earlier run cut the window differently, or a merge
 * put the same events into an earlier part), the window is merged the same way. Each item names the hosts whose
 * events it holds ({@link Hosts#CHUNK_HOSTS}).
 *
 * <p><b>Several hosts.</b> A host with a {@code write-delay} (not the first) waits that long after its part's last
 * event (after the window's end for a window's last part), then reads first and writes only what the table lacks: a
 * part the first host stored costs it reads, no writes.
 *
 * <p><b>Nothing is given up silently.</b> What the environment may fix is retried by {@link Retries}; what DynamoDB
 * refuses for good goes to the {@link DeadLetters} area, and a {@code not_stored} gap record names the window; a
 * job neither stored nor kept so (see {@link HeldJobs}) stays held and is tried again.
 * What is still unstored at the shutdown deadline stays in the journal for the next start.
 */
@ApplicationScoped
public class Writer {
    private final Windows windows;
    private final TableClient table;
    private final DeadLetters deadLetters;
    private final CaptureConfig.Writer config;
    private final String host;
    private final long writeDelayMicros;
    private final MeterRegistry registry;
    private final Counter itemsWritten;
    private final Counter storedBytes;
    private final Counter eventsStored;
    private final Counter merges;
    private final Counter foundOwn;
    private final StoredParts parts;
    private final SharedSections sections;
    private final Timer queryableDelay;
    private final Timer queryableBusy;
    private final Timer queryableQuiet;
    private final Map<Windows.Stream, Counter> storedByChannel = new ConcurrentHashMap<>();
    private final Map<Windows.Stream, long[]> ranges = new ConcurrentHashMap<>();
    private final OwnFirstPuts ownFirstPuts = new OwnFirstPuts();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final HeldJobs held;
    private volatile boolean stopping;
    private volatile long lastProgressNanos = System.nanoTime();

    public Writer(Windows windows, TableClient table, DeadLetters deadLetters, CaptureConfig config,
            MeterRegistry registry) {
        this.windows = windows;
        this.table = table;
        this.deadLetters = deadLetters;
        this.config = config.writer();
        this.held = new HeldJobs(config.writer().retryHeldAfter().toNanos());
        this.host = config.host().id();
        if (!Hosts.valid(host)) {
            throw new IllegalArgumentException("capture.host.id '" + host + "' is not a host name: " + Hosts.PATTERN);
        }
        this.writeDelayMicros = config.host().writeDelay().toNanos() / 1_000;
        this.registry = registry;
        this.itemsWritten = Counter.builder("capture.items.written").description("Items DynamoDB confirmed")
                .register(registry);
        this.storedBytes = Counter.builder("capture.stored.bytes").baseUnit("bytes")
                .description("Size of the items written, as DynamoDB counts item size").register(registry);
        this.parts = new StoredParts(table, host, itemsWritten, storedBytes);
        this.eventsStored = Counter.builder("capture.events.stored")
                .description("Events DynamoDB confirmed, all pairs and channels, each counted once").register(registry);
        this.merges = Counter.builder("capture.windows.merged")
                .description("Windows merged with what the table already held (restart, late events, other hosts)")
                .register(registry);
        this.foundOwn = Counter.builder("capture.writes.found.stored")
                .description("First puts that found their number taken by exactly the item they put (an earlier "
                        + "attempt whose answer was lost, or a replayed part): stored, not merged").register(registry);
        this.sections = new SharedSections(table, host, itemsWritten, storedBytes, merges);
        this.queryableDelay = Timer.builder("capture.event.queryable.delay")
                .description("From receiving an event to DynamoDB confirming the item that holds it")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.queryableBusy = activityTimer("busy", registry);
        this.queryableQuiet = activityTimer("quiet", registry);
        Counter.builder("capture.items.refused")
                .description("Jobs DynamoDB refused for good (kept in the dead-letter area)").register(registry);
    }

    /**
     * The queryable delay of events in busy channels (frames at about a write unit per part span or more: see
     * {@link TableLayout#busy}) or quiet ones.
     */
    private static Timer activityTimer(String activity, MeterRegistry registry) {
        return Timer.builder("capture.event.queryable.delay.by.activity").tag("activity", activity)
                .description("From receiving an event to DynamoDB confirming its item, for busy or quiet channels")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Whether the job's events come from a busy channel ({@link TableLayout#busy}). */
    private static boolean busy(Job.Window w) {
        long bytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Held h : w.events()) {
            bytes += h.frame().length;
            first = Math.min(first, h.microtimestamp());
            last = Math.max(last, h.microtimestamp());
        }
        return TableLayout.busy(bytes, last - first);
    }

    public void start() {
        for (int i = 0; i < config.threads(); i++) {
            Thread t = new Thread(this::run, "capture-writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stores what is queued within the shutdown timeout; what is left stays in the journal. */
    public void stop() {
        table.retries().stopRetryingIn(config.shutdownTimeout().toNanos());
        stopping = true;
        long until = System.nanoTime() + config.shutdownTimeout().toNanos() + 500_000_000L;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (threads.stream().anyMatch(Thread::isAlive) || windows.queuedJobs() > 0) {
            Log.errorf("Writer did not finish within %s; %d jobs stay in the journal for the next start",
                    config.shutdownTimeout(), windows.queuedJobs() + busy.get());
        }
    }

    public boolean running() {
        return !threads.isEmpty() && threads.stream().anyMatch(Thread::isAlive);
    }

    /** True when there is work and nothing was stored for longer than {@code stuck-after}. */
    public boolean stuck() {
        return (busy.get() > 0 || windows.queuedJobs() > 0)
                && System.nanoTime() - lastProgressNanos > config.stuckAfter().toNanos();
    }

    /** Per channel, the first and last event time this process stored (for the catalog). */
    public Map<Windows.Stream, long[]> ranges() {
        return ranges;
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = windows.take(100);
            } catch (InterruptedException e) {
                job = null;
            }
            if (job == null && !stopping) {
                job = held.due(); // a job left held by a failure that may pass: tried again
            }
            if (job == null) {
                if (stopping) {
                    return;
                }
                if (busy.get() == 0) {
                    lastProgressNanos = System.nanoTime();
                }
                continue;
            }
            if (stopping && table.retries().pastDeadline()) {
                return; // left in the journal
            }
            busy.incrementAndGet();
            try {
                handle(job);
            } catch (Error e) {
                // a bug or a JVM in trouble (StackOverflowError, OutOfMemoryError): the job stays held, so the journal
                // keeps it for the next start, and this thread goes on with the next job instead of dying unseen
                Counter.builder("capture.writer.errors").register(registry).increment();
                Log.errorf(e, "Writing %s failed (%s): it stays in the journal, tried again in %s", DeadLetters.key(job),
                        e.toString(), config.retryHeldAfter());
                held.later(job);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    private void handle(Job job) {
        try {
            write(job);
            windows.stored(job);
            lastProgressNanos = System.nanoTime();
        } catch (RuntimeException e) {
            if (Retries.retryable(e) && table.retries().pastDeadline()) {
                return; // at the shutdown deadline: not stored, the journal keeps it
            }
            if (job instanceof Job.Quiet q) {
                // one channel's section must not take the others with it: each window is written on its own
                Log.warnf("The shared item %s %s was refused (%s): its %d windows are written as items of their own",
                        QuietItems.pk(q.group()), QuietItems.sk(q.slotStartMicros()), e.toString(), q.windows().size());
                q.windows().forEach(this::handle);
                return;
            }
            refused(job, e);
        }
    }

    /**
     * Refused for good: kept in the dead-letter area, and a window is named by a {@code not_stored} gap record. The
     * job is released (its journal records may go, the watermark may pass it) only once both are kept: a gap record
     * that cannot be stored leaves the window in the journal, so that the next start refuses it again and records
     * the gap, rather than a window missing from the table with nothing saying so.
     */
    private void refused(Job job, RuntimeException e) {
        String key = DeadLetters.key(job);
        registry.counter("capture.items.refused").increment();
        if (!held.deadLettered(job)) {
            if (!deadLetters.keep(job, key, e.toString())) {
                held.later(job); // still held: the journal keeps it, and it is tried again
                return;
            }
            held.keptInDeadLetters(job);
        }
        if (job instanceof Job.Window w) {
            long to = w.events().stream().mapToLong(Held::microtimestamp).max().orElse(w.fromMicros()) + 1;
            GapRecord gap = new GapRecord(w.pair(), w.channel(), GapRecord.Kind.NOT_STORED, w.fromMicros(),
                    to, null, null, null, "DynamoDB refused the item of part " + w.part() + " of the window "
                            + TableLayout.chunkSk(w.windowStartMicros(), w.part()) + "; kept in the capture's "
                            + "dead-letter area: " + e.getClass().getSimpleName()).byHost(host);
            try {
                GapReads.items(gap).forEach(table::put);
            } catch (RuntimeException failed) {
                Counter.builder("capture.gaps.unrecorded").register(registry).increment();
                Log.errorf("Cannot store the not_stored gap record of %s (%s): the window stays in the journal, and"
                        + " is tried again in %s", key, failed.toString(), config.retryHeldAfter());
                held.later(job);
                return;
            }
        }
        held.released(job);
        windows.stored(job);
    }

    private void write(Job job) {
        if (job instanceof Job.Window w) {
            writeWindow(w);
        } else if (job instanceof Job.Quiet q) {
            writeQuiet(q);
        } else if (job instanceof Job.Gap g) {
            GapReads.items(g.gap().byHost(host)).forEach(this::put);
        } else if (job instanceof Job.Bad b) {
            BadFrameItems.badFrameItems(b.receivedMicros(), new String(b.raw(), java.nio.charset.StandardCharsets.UTF_8),
                    b.reason()).forEach(this::put);
        } else if (job instanceof Job.Items i) {
            i.items().forEach(this::put);
        }
    }

    private void put(Map<String, AttributeValue> item) {
        table.put(item);
        itemsWritten.increment();
        storedBytes.increment(ItemSize.of(item));
    }

    /**
     * A first write puts the part only if absent; if it is there, the job's events are merged with the window. After
     * a first put, the stored parts before it that reach its first µs are read: another writer (a host, an earlier
     * run, or a merge of this process's own) may have cut the window differently, or put some of its events into an
     * earlier part; if they overlap, the window is merged ({@link StoredParts#overlapsEarlier}). With the merge's
     * reading of the window after its write ({@link StoredParts#merge}), one of any two writers sees the other's
     * write, whatever their order.
     */
    private void writeWindow(Job.Window w) {
        List<Held> ours = Held.distinct(w.events());
        if (writeDelayMicros > 0) {
            awaitDelay(w);
            List<CapturedEvent> added = parts.merge(w, ChunkParts.parse(ours));
            stored(w, added.size(), i -> added.get(i).microtimestamp(), i -> added.get(i).receivedMicros());
            inTable(w, ours);
            return;
        }
        Map<String, AttributeValue> item = ChunkParts.item(w.pair(), w.channel(), w.windowStartMicros(), w.part(),
                ours, Set.of(host));
        if (table.putAll(List.of(new TableClient.Conditional(item, TableClient.Expect.ABSENT, 0)))
                || foundOwnWrite(item)) {
            itemsWritten.increment();
            storedBytes.increment(ItemSize.of(item));
            stored(w, ours.size(), i -> ours.get(i).microtimestamp(), i -> ours.get(i).receivedMicros());
            // recorded at once, before the check: the next part's check (on another writer thread) often comes
            // before this one's ends; the stored item is this process's cut as long as its write version is 1
            ownFirstPuts.put(w);
            if (w.part() > 0 && parts.overlapsEarlier(w, item, ours, part -> ownFirstPuts.has(w, part))) {
                Log.infof("Part %d of %s %s overlaps a part before it: merging", w.part(),
                        TableLayout.chunkPk(w.pair(), w.channel()), TableLayout.chunkSk(w.windowStartMicros(), 0));
                merges.increment();
                ownFirstPuts.forget(w);
                parts.mergeAfterConflict(w, List.of());
            }
            return;
        }
        ownFirstPuts.forget(w);
        merges.increment();
        List<CapturedEvent> added = parts.mergeAfterConflict(w, ChunkParts.parse(ours));
        stored(w, added.size(), i -> added.get(i).microtimestamp(), i -> added.get(i).receivedMicros());
        inTable(w, ours);
    }

    /**
     * Whether a first put whose number was taken finds exactly its own item there (an earlier attempt whose answer
     * was lost, or a replayed part): then it is stored, and a merge would only read the window to find nothing to add.
     */
    private boolean foundOwnWrite(Map<String, AttributeValue> item) {
        if (!table.holdsExactly(item)) {
            return false;
        }
        foundOwn.increment();
        return true;
    }

    /** Quiet windows as sections of their group's shared item ({@link SharedSections}); a reading-first host waits. */
    private void writeQuiet(Job.Quiet q) {
        if (writeDelayMicros > 0) {
            awaitDelay(q.windows().get(0));
        }
        for (SharedSections.Written w : sections.write(q, writeDelayMicros > 0)) {
            storedQuiet(w.window(), w.added());
            inTable(w.window(), w.all());
        }
    }

    private void storedQuiet(Job.Window w, List<CapturedEvent> events) {
        stored(w, events.size(), i -> events.get(i).microtimestamp(), i -> events.get(i).receivedMicros());
    }

    /**
     * Every event of the window is in the table now, stored by this host or found there: the range this host
     * answers for in the catalog covers them all.
     */
    private void inTable(Job.Window w, List<? extends Object> events) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Object e : events) {
            long at = e instanceof Held h ? h.microtimestamp() : ((CapturedEvent) e).microtimestamp();
            first = Math.min(first, at);
            last = Math.max(last, at);
        }
        if (first <= last) {
            range(Windows.Stream.of(w), first, last);
        }
    }

    private void range(Windows.Stream stream, long first, long last) {
        ranges.merge(stream, new long[] {first, last},
                (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }

    /**
     * Until {@code write-delay} after the part's last event, or after the window's end for a part closed with its
     * window (no wait for a part of a backlog, long past).
     */
    private void awaitDelay(Job.Window w) {
        long end = w.closedByBytes() ? w.events().stream().mapToLong(Held::microtimestamp).max().orElse(w.fromMicros())
                : w.windowStartMicros() + TableLayout.SLOT_MICROS;
        long due = end + writeDelayMicros;
        for (long wait = due - Clock.nowMicros(); wait > 0 && !stopping; wait = due - Clock.nowMicros()) {
            try {
                Thread.sleep(Math.min(wait / 1_000 + 1, 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@code count} events stored for the first time, with their exchange and receive times. */
    private void stored(Job.Window w, int count, java.util.function.IntToLongFunction micros,
            java.util.function.IntToLongFunction received) {
        if (count == 0) {
            return;
        }
        Windows.Stream stream = Windows.Stream.of(w);
        storedByChannel.computeIfAbsent(stream, s -> Counter.builder("capture.events.stored.by.channel")
                .tag("pair", s.pair()).tag("channel", s.channel().apiName())
                .description("Events DynamoDB confirmed per pair and channel, each counted once").register(registry))
                .increment(count);
        eventsStored.increment(count);
        long now = Clock.nowMicros();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Timer byActivity = busy(w) ? queryableBusy : queryableQuiet;
        for (int i = 0; i < count; i++) {
            queryableDelay.record(Math.max(0, now - received.applyAsLong(i)), TimeUnit.MICROSECONDS);
            byActivity.record(Math.max(0, now - received.applyAsLong(i)), TimeUnit.MICROSECONDS);
            first = Math.min(first, micros.applyAsLong(i));
            last = Math.max(last, micros.applyAsLong(i));
        }
        range(stream, first, last);
    }
}
