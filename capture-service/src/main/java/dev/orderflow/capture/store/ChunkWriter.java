package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.Backoff;
import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The one writer thread: drains the queue, turns windows into chunk items and writes them with
 * {@code BatchWriteItem}, resending unprocessed items and retrying outages with backoff. An item is only given up
 * ("refused") when DynamoDB rejects it as invalid or the shutdown deadline has passed; that is counted and logged.
 */
@ApplicationScoped
public class ChunkWriter implements WriteQueue {
    private static final int JOBS_PER_ROUND = 500;

    private final TableClient table;
    private final CaptureConfig.Writer config;
    private final Backoff backoff;
    private final MeterRegistry registry;
    private final LinkedBlockingQueue<Object> jobs = new LinkedBlockingQueue<>();
    private final AtomicLong queuedEvents = new AtomicLong();
    private final Map<String, Counter> storedCounters = new ConcurrentHashMap<>();
    private final Counter writeUnits;
    private final Counter storedBytes;
    private final Counter itemsWritten;
    private final Counter itemsRefused;
    private final Counter eventsStored;
    private final Timer writeLatency;
    private final Timer queryableDelay;
    /** Stored range per channel not yet in the catalog; writer thread only. */
    private final Map<String, CatalogRange> catalog = new HashMap<>();
    /** Items collected for the next BatchWriteItem call; writer thread only. */
    private final List<Pending> batch = new ArrayList<>();

    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean busy;
    private long lastFailureLogNanos;
    /** Jobs ever queued; guarded by {@code jobs}. */
    private long submittedJobs;
    /** Jobs done in queue order (confirmed, or given up as invalid); the journal deletes segments by it. */
    private volatile long confirmedJobs;
    /** Set when a job was given up at the shutdown deadline: from then on nothing counts as confirmed. */
    private boolean incomplete;
    private boolean refusedInRound;

    public ChunkWriter(TableClient table, CaptureConfig config, MeterRegistry registry) {
        this.table = table;
        this.config = config.writer();
        this.backoff = new Backoff(this.config.retryMinBackoff(), this.config.retryMaxBackoff());
        this.registry = registry;
        this.writeUnits = Counter.builder("capture.write.units")
                .description("DynamoDB write capacity units consumed, as DynamoDB reported them").register(registry);
        this.storedBytes = Counter.builder("capture.stored.bytes").baseUnit("bytes")
                .description("Size of the items written, as DynamoDB counts item size").register(registry);
        this.itemsWritten = Counter.builder("capture.items.written")
                .description("Items DynamoDB confirmed").register(registry);
        this.itemsRefused = Counter.builder("capture.items.refused")
                .description("Items given up: rejected by DynamoDB or still unwritten at the shutdown deadline")
                .register(registry);
        this.eventsStored = Counter.builder("capture.events.stored")
                .description("Events DynamoDB confirmed, all pairs and channels, each counted once").register(registry);
        this.writeLatency = Timer.builder("capture.write.latency")
                .description("Duration of one BatchWriteItem call, retries included").register(registry);
        this.queryableDelay = Timer.builder("capture.event.queryable.delay")
                .description("From receiving an event to DynamoDB confirming the item that holds it")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        Gauge.builder("capture.queue.events", queuedEvents, AtomicLong::get)
                .description("Events queued for the writer or being written").register(registry);
    }

    @Override
    public boolean offer(WindowJob job) {
        if (queuedEvents.get() > 0 && queuedEvents.get() + job.events().size() > config.queueCapacity()) {
            return false;
        }
        submit(job);
        return true;
    }

    @Override
    public void submit(WindowJob job) {
        queuedEvents.addAndGet(job.events().size());
        enqueue(job);
    }

    @Override
    public void keepAside(Map<String, AttributeValue> item) {
        queuedEvents.incrementAndGet();
        enqueue(new KeptAside(item));
    }

    private void enqueue(Object job) {
        synchronized (jobs) {
            jobs.add(job);
            submittedJobs++;
        }
    }

    /** How many jobs were ever queued (read it after the assembler's pending state, see the journal). */
    public long submittedJobs() {
        synchronized (jobs) {
            return submittedJobs;
        }
    }

    /** How many jobs, in queue order, are done: DynamoDB confirmed their items (or rejected them as invalid). */
    public long confirmedJobs() {
        return confirmedJobs;
    }

    public void start() {
        Thread t = new Thread(this::run, "capture-writer");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Writes everything queued, updates the catalog and ends the thread, within the shutdown timeout. */
    public void stop() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        deadlineNanos = System.nanoTime() + config.shutdownTimeout().toNanos();
        stopping = true;
        try {
            t.join(config.shutdownTimeout().toMillis() + 500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            Log.errorf("Writer did not finish within %s; %d events were still queued (they stay in the journal)",
                    config.shutdownTimeout(), queuedEvents.get());
        }
    }

    /** True when the writer has work and has confirmed nothing for longer than {@code stuck-after}. */
    public boolean stuck() {
        return (busy || !jobs.isEmpty())
                && System.nanoTime() - lastProgressNanos > config.stuckAfter().toNanos();
    }

    public boolean running() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    public long queuedEvents() {
        return queuedEvents.get();
    }

    private record KeptAside(Map<String, AttributeValue> item) {
    }

    /** One item to put, and the events it stores for the first time (counted as stored when confirmed). */
    private record Pending(Map<String, AttributeValue> item, String pair, Channel channel,
            List<CapturedEvent> newEvents) {
        String key() {
            return item.get(TableLayout.PK).s() + '\n' + item.get(TableLayout.SK).s();
        }
    }

    private static final class CatalogRange {
        final String pair;
        final Channel channel;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        boolean dirty;
        long writtenNanos;

        CatalogRange(String pair, Channel channel) {
            this.pair = pair;
            this.channel = channel;
        }
    }

    private void run() {
        prepareTable();
        List<Object> round = new ArrayList<>();
        while (true) {
            Object first;
            try {
                first = jobs.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first == null) {
                lastProgressNanos = System.nanoTime();
                if (stopping && jobs.isEmpty()) {
                    break;
                }
                updateCatalog(false);
                continue;
            }
            round.clear();
            round.add(first);
            jobs.drainTo(round, JOBS_PER_ROUND);
            busy = true;
            refusedInRound = false;
            for (Object job : round) {
                try {
                    write(job);
                } catch (RuntimeException e) {
                    Log.errorf(e, "Gave up on %s", describe(job));
                    itemsRefused.increment();
                    refusedInRound = true;
                }
            }
            flushBatch();
            if (stopping && refusedInRound) {
                incomplete = true; // given up at the deadline: the journal keeps these for the next start
            }
            if (!incomplete) {
                confirmedJobs += round.size();
            }
            round.forEach(job -> queuedEvents.addAndGet(-(job instanceof WindowJob w ? w.events().size() : 1)));
            busy = false;
            updateCatalog(false);
        }
        updateCatalog(true);
    }

    private void prepareTable() {
        for (int attempt = 0; !stopping; attempt++) {
            try {
                table.ensureTable();
                return;
            } catch (RuntimeException e) {
                logFailure("Table not reachable yet", e);
                sleep(backoffNanos(attempt));
            }
        }
    }

    /** Adds a job's items to the current batch, writing the batch whenever it is full. */
    private void write(Object job) {
        if (job instanceof WindowJob w && w.mergeWithStored()) {
            flushBatch(); // the table must hold every earlier job's items before it is read
        }
        List<Pending> items = job instanceof WindowJob w
                ? (w.mergeWithStored() ? mergedWithStored(w) : items(w))
                : List.of(new Pending(((KeptAside) job).item(), null, null, List.of()));
        for (Pending p : items) {
            add(p);
        }
    }

    private void add(Pending p) {
        for (int i = 0; i < batch.size(); i++) {
            Pending prior = batch.get(i);
            if (prior.key().equals(p.key())) {
                // A window rewritten before its earlier version was written: one put, the newer content.
                List<CapturedEvent> fresh = new ArrayList<>(prior.newEvents());
                fresh.addAll(p.newEvents());
                batch.set(i, new Pending(p.item(), p.pair(), p.channel(), fresh));
                return;
            }
        }
        if (batch.size() >= Math.min(config.batchItems(), TableLayout.MAX_BATCH_WRITE)) {
            flushBatch();
        }
        batch.add(p);
    }

    private void flushBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<Pending> toWrite = List.copyOf(batch);
        batch.clear();
        try {
            writeBatch(toWrite);
        } catch (RuntimeException e) {
            refuse(toWrite, e.toString());
        }
    }

    private static List<Pending> items(WindowJob job) {
        return items(job.pair(), job.channel(), job.windowStartMicros(), job.events(), job.alreadyHandedOver());
    }

    /** Items for the window's parts; events from index {@code firstNew} on are stored for the first time. */
    private static List<Pending> items(String pair, Channel channel, long windowStart, List<CapturedEvent> events,
            int firstNew) {
        List<Pending> items = new ArrayList<>();
        int from = 0;
        for (Chunk part : WindowJob.parts(pair, channel, windowStart, events)) {
            int size = part.events().size();
            List<CapturedEvent> fresh = part.events().subList(Math.min(size, Math.max(0, firstNew - from)), size);
            items.add(new Pending(TableLayout.toItem(part), pair, channel, fresh));
            from += size;
        }
        return items;
    }

    /** The stored events of the window followed by the job's events the table does not hold yet. */
    private List<Pending> mergedWithStored(WindowJob job) {
        List<CapturedEvent> stored = new ArrayList<>();
        for (Map<String, AttributeValue> item : callUntilDone(
                () -> table.windowItems(job.pair(), job.channel(), job.windowStartMicros()))) {
            TableLayout.fromItem(item).ifPresent(chunk -> stored.addAll(chunk.events()));
        }
        Set<JsonNode> seen = new HashSet<>();
        stored.forEach(e -> seen.add(e.frame()));
        List<CapturedEvent> all = new ArrayList<>(stored);
        for (CapturedEvent e : job.events()) {
            if (seen.add(e.frame())) {
                all.add(e);
            }
        }
        if (all.size() == stored.size()) {
            return List.of();
        }
        return items(job.pair(), job.channel(), job.windowStartMicros(), all, stored.size());
    }

    private void writeBatch(List<Pending> items) {
        Map<String, Pending> remaining = new LinkedHashMap<>();
        items.forEach(p -> remaining.put(p.key(), p));
        for (int attempt = 0; !remaining.isEmpty(); ) {
            List<WriteRequest> requests = remaining.values().stream()
                    .map(p -> WriteRequest.builder().putRequest(PutRequest.builder().item(p.item()).build()).build())
                    .toList();
            BatchWriteItemResponse response;
            long started = System.nanoTime();
            try {
                response = table.batchWrite(requests);
            } catch (RuntimeException e) {
                if (!retryable(e) || pastDeadline()) {
                    refuse(remaining.values(), e.toString());
                    return;
                }
                logFailure("BatchWriteItem failed; retrying", e);
                sleep(backoffNanos(attempt++));
                continue;
            }
            writeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (response.hasConsumedCapacity()) {
                writeUnits.increment(response.consumedCapacity().stream()
                        .map(ConsumedCapacity::capacityUnits).filter(u -> u != null)
                        .mapToDouble(Double::doubleValue).sum());
            }
            Set<String> unprocessed = new HashSet<>();
            response.unprocessedItems().getOrDefault(table.tableName(), List.of()).forEach(r -> unprocessed.add(
                    r.putRequest().item().get(TableLayout.PK).s() + '\n' + r.putRequest().item().get(TableLayout.SK).s()));
            long confirmedAt = Clock.nowMicros();
            remaining.values().removeIf(p -> {
                if (unprocessed.contains(p.key())) {
                    return false;
                }
                confirmed(p, confirmedAt);
                return true;
            });
            if (!remaining.isEmpty()) {
                if (pastDeadline()) {
                    refuse(remaining.values(), "still unprocessed at the shutdown deadline");
                    return;
                }
                sleep(backoffNanos(attempt++));
            }
        }
    }

    private void confirmed(Pending p, long confirmedAtMicros) {
        lastProgressNanos = System.nanoTime();
        itemsWritten.increment();
        storedBytes.increment(ItemSize.of(p.item()));
        if (p.pair() == null || p.newEvents().isEmpty()) {
            return;
        }
        storedCounters.computeIfAbsent(p.pair() + '#' + p.channel().apiName(), k -> Counter
                .builder("capture.events.stored.by.channel").tag("pair", p.pair()).tag("channel", p.channel().apiName())
                .description("Events DynamoDB confirmed per pair and channel, each counted once").register(registry))
                .increment(p.newEvents().size());
        eventsStored.increment(p.newEvents().size());
        CatalogRange range = catalog.computeIfAbsent(TableLayout.chunkPk(p.pair(), p.channel()),
                k -> new CatalogRange(p.pair(), p.channel()));
        for (CapturedEvent e : p.newEvents()) {
            queryableDelay.record(Math.max(0, confirmedAtMicros - e.receivedMicros()), TimeUnit.MICROSECONDS);
            range.first = Math.min(range.first, e.microtimestamp());
            range.last = Math.max(range.last, e.microtimestamp());
        }
        range.dirty = true;
    }

    private void refuse(Collection<Pending> items, String reason) {
        refusedInRound = true;
        itemsRefused.increment(items.size());
        Log.errorf("Gave up on %d items (%s): %s", items.size(),
                items.stream().map(p -> p.key().replace('\n', ' ')).limit(10).toList(), reason);
    }

    private void updateCatalog(boolean force) {
        long now = System.nanoTime();
        for (CatalogRange range : catalog.values()) {
            if (range.dirty && (force || now - range.writtenNanos >= config.catalogInterval().toNanos())) {
                try {
                    table.updateCatalog(range.pair, range.channel, range.first, range.last, Clock.nowMicros());
                    range.dirty = false;
                    range.writtenNanos = now;
                } catch (RuntimeException e) {
                    logFailure("Catalog update failed; will retry", e);
                }
            }
        }
    }

    private <T> T callUntilDone(java.util.function.Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!retryable(e) || pastDeadline()) {
                    throw e;
                }
                logFailure("DynamoDB call failed; retrying", e);
                sleep(backoffNanos(attempt));
            }
        }
    }

    /** Client errors that resending cannot fix (an invalid item) are not retried; outages and throttling are. */
    static boolean retryable(RuntimeException e) {
        if (e instanceof ResourceNotFoundException) {
            return true;
        }
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 0;
        }
        return true;
    }

    private boolean pastDeadline() {
        return stopping && System.nanoTime() > deadlineNanos;
    }

    private long backoffNanos(int attempt) {
        return backoff.delayNanos(attempt);
    }

    private void sleep(long nanos) {
        long bounded = stopping ? Math.min(nanos, Math.max(0, deadlineNanos - System.nanoTime())) : nanos;
        try {
            TimeUnit.NANOSECONDS.sleep(bounded);
        } catch (InterruptedException e) {
            // nothing interrupts the writer; the deadline bounds every wait
        }
    }

    private void logFailure(String what, RuntimeException e) {
        long now = System.nanoTime();
        if (now - lastFailureLogNanos > TimeUnit.SECONDS.toNanos(10)) {
            lastFailureLogNanos = now;
            Log.warnf("%s: %s (%d events queued)", what, e.toString(), queuedEvents.get());
        }
    }

    private static String describe(Object job) {
        return job instanceof WindowJob w
                ? TableLayout.chunkPk(w.pair(), w.channel()) + " " + TableLayout.chunkSk(w.windowStartMicros(), 0)
                : "a bad-frame item";
    }
}
