package dev.orderflow.capture;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.feed.FeedConnection;
import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.store.Catalog;
import dev.orderflow.capture.store.DeadLetters;
import dev.orderflow.capture.store.Intake;
import dev.orderflow.capture.store.TableClient;
import dev.orderflow.capture.store.Windows;
import dev.orderflow.capture.store.Writer;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Pairs;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Starts and stops the capture's one way through: transport ({@link FeedConnection}), protocol
 * ({@link BitstampProtocol}), journal, windows, writer.
 *
 * <p>At start the journal is opened (an earlier run's records are scanned for where each channel stopped) and the
 * window step starts behind at the journal's first record, so an earlier run's unstored records are read back and
 * stored through the ordinary path while receiving has already resumed. In the background the catalog is read
 * for where the table ends per configured channel, so that the downtime becomes a disconnect record even when the
 * journal held nothing. Timers seal windows, read the journal back while the window step is behind, and delete
 * the segments below the lowest unstored position.
 *
 * <p>At shutdown (SIGTERM) it stops receiving, seals every window, lets the writer store within
 * {@code capture.writer.shutdown-timeout}, and deletes what was stored; anything else stays in the journal.
 */
@ApplicationScoped
public class CaptureLifecycle {
    private static final long RELEASE_INTERVAL_MS = 250;
    private static final long CATCH_UP_INTERVAL_MS = 100;

    private final Vertx vertx;
    private final FeedConnection feed;
    private final BitstampProtocol protocol;
    private final Journal journal;
    private final Intake intake;
    private final Windows windows;
    private final Writer writer;
    private final Catalog catalog;
    private final DeadLetters deadLetters;
    private final TableClient table;
    private final CaptureConfig config;
    private final WatermarkClock clock;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private final List<Long> timers = new ArrayList<>();

    public CaptureLifecycle(Vertx vertx, FeedConnection feed, BitstampProtocol protocol, Journal journal,
            Intake intake, Windows windows, Writer writer, Catalog catalog, DeadLetters deadLetters,
            TableClient table, CaptureConfig config, WatermarkClock clock) {
        this.vertx = vertx;
        this.feed = feed;
        this.protocol = protocol;
        this.journal = journal;
        this.intake = intake;
        this.windows = windows;
        this.writer = writer;
        this.catalog = catalog;
        this.deadLetters = deadLetters;
        this.table = table;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("Capturing %s from %s into table %s; journal in %s; memory bound %d bytes", config.feed().pairs(),
                config.feed().url(), config.table().name(), journal.dir().toAbsolutePath(), windows.maxHeldBytes());
        journal.open(protocol::scan);
        windows.startBehind(0);
        if (config.deadLetter().replay()) {
            deadLetters.replayInto(intake);
        }
        List<Channel.WireChannel> configured = configuredChannels();
        protocol.restarted(configured);
        writer.start();
        Thread lookup = new Thread(() -> readCatalog(configured), "capture-catalog-read");
        lookup.setDaemon(true);
        lookup.start();
        catalog.start(protocol::openGaps);
        timers.add(vertx.setPeriodic(config.writer().sealInterval().toMillis(), id -> windows.tick(clock.nowMicros())));
        timers.add(vertx.setPeriodic(RELEASE_INTERVAL_MS, id -> release()));
        timers.add(vertx.setPeriodic(CATCH_UP_INTERVAL_MS, id -> catchUpWhenBehind()));
        feed.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Log.info("Stopping: closing the feed, sealing windows, flushing the writer");
        long started = System.nanoTime();
        feed.stop();
        timers.forEach(vertx::cancelTimer);
        windows.sealAll();
        writer.stop();
        catalog.stop(protocol.openGaps());
        journal.roll();
        release();
        journal.close();
        Log.infof("Capture stopped in %d ms; journal left for the next start: %d bytes, %d records (stored below "
                + "position %d of %d)", (System.nanoTime() - started) / 1_000_000, journal.backlogBytes(),
                journal.backlogRecords(), intake.storedBelow(), journal.nextSeq());
    }

    /**
     * Where the table ends per configured channel, so that a restart's downtime is recorded from there; then the
     * gap records of those channels and the catalog's are marked for reads near a range
     * ({@link TableClient#boundGapReads}).
     */
    private void readCatalog(List<Channel.WireChannel> configured) {
        try {
            table.ensureTable();
        } catch (RuntimeException e) {
            Log.warnf("Table check failed: %s", e.toString());
        }
        List<CatalogItems.Entry> catalog;
        try {
            catalog = table.catalog();
        } catch (RuntimeException e) {
            Log.errorf("Cannot read the catalog (%s): each restart's disconnect record starts at the journal's last "
                    + "event of its channel, if any", e.toString());
            catalog = List.of();
        }
        Map<String, TableClient.StoredEnd> ends = table.catalogEnds(catalog);
        for (Channel.WireChannel c : configured) {
            TableClient.StoredEnd end = ends.getOrDefault(TableLayout.chunkPk(c.pair(), c.channel()),
                    new TableClient.StoredEnd(OptionalLong.empty(), null));
            protocol.storedUpTo(c, end.last(), end.receivingUntil());
        }
        Set<Channel.WireChannel> channels = new LinkedHashSet<>(configured);
        catalog.forEach(e -> channels.add(new Channel.WireChannel(e.channel(), e.pair())));
        try {
            int marked = table.boundGapReads(channels);
            if (marked > 0) {
                Log.infof("Gap records of %d channels marked for bounded reads", marked);
            }
        } catch (RuntimeException e) {
            Log.warnf("Cannot mark gap records for bounded reads (%s): they are read whole, as before", e.toString());
        }
    }

    private List<Channel.WireChannel> configuredChannels() {
        List<Channel.WireChannel> channels = new ArrayList<>();
        String setting = String.join(",", config.feed().pairs());
        if (Pairs.isAll(setting)) {
            return channels;
        }
        for (String pair : Pairs.names(setting).stream().filter(Pairs::valid).toList()) {
            for (Channel channel : Channel.values()) {
                channels.add(new Channel.WireChannel(channel, pair));
            }
        }
        return channels;
    }

    private void catchUpWhenBehind() {
        if (!windows.behind() || !catchingUp.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> {
            while (windows.catchUp(intake, intake)) {
                windows.tick(clock.nowMicros());
            }
            return null;
        }, false).onComplete(done -> {
            catchingUp.set(false);
            if (done.failed()) {
                Log.errorf(done.cause(), "Reading the journal back failed; will retry");
            }
        });
    }

    /** Deletes the journal segments below the lowest position not yet stored. */
    private void release() {
        journal.release(intake.storedBelow());
    }
}
