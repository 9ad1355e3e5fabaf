package dev.orderflow.capture.certify;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.book.Certifier;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.book.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Certifies the stored snapshots in the background, on one low-priority thread: every {@code capture.certify.interval}
 * it reads the catalog, and for each pair's orders channel checks the snapshots stamped before its
 * {@code confirmed_until} (so every event up to them is stored) that have no verdict yet. Whatever fails is tried
 * again on the next pass; receiving and writing never wait for it.
 */
@ApplicationScoped
public class SnapshotChecks {
    private final DynamoDbClient db;
    private final CaptureConfig config;
    private final Certifier certifier;
    private final MeterRegistry registry;
    private ScheduledExecutorService executor;

    public SnapshotChecks(DynamoDbClient db, CaptureConfig config, MeterRegistry registry) {
        this.db = db;
        this.config = config;
        this.registry = registry;
        this.certifier = new Certifier(db, config.table().name(),
                new SnapshotAlignment(config.snapshot().margin()), config.certify().maxSpan());
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.certify().interval().toMillis();
        if (every <= 0) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapshot-checks");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        executor.scheduleWithFixedDelay(this::pass, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** One pass over every pair of the catalog. */
    public synchronized void pass() {
        try {
            for (CatalogItems.Entry entry : CatalogItems.all(db::query, config.table().name(), false)) {
                if (entry.channel() != Channel.ORDERS || entry.confirmedUntilMicros() == null) {
                    continue;
                }
                String pair = entry.pair();
                long until = entry.confirmedUntilMicros();
                long from = until - config.certify().lookback().toNanos() / 1000L;
                for (SnapshotMeta checked : certifier.certifyPending(pair, from, until, Clock.nowMicros())) {
                    report(checked);
                }
            }
        } catch (RuntimeException e) {
            Log.warnf("Snapshot certification pass failed (tried again in %s): %s", config.certify().interval(),
                    e.toString());
        }
    }

    private void report(SnapshotMeta checked) {
        Verdict v = checked.verdict();
        registry.counter("capture.snapshots.checked", "verdict", v.status().apiName()).increment();
        if (v.status() == Verdict.Status.CONTRADICTED) {
            Log.warnf("Snapshot of %s at %d contradicts the book rebuilt from the one at %d: %d missing, %d extra, "
                    + "%d differing, %d levels in another queue order", checked.pair(), checked.microtimestamp(),
                    v.againstMicros(), v.missing(), v.extra(), v.differing(), v.queueLevels());
        } else {
            Log.debugf("Snapshot of %s at %d: %s", checked.pair(), checked.microtimestamp(), v.status().apiName());
        }
    }
}
