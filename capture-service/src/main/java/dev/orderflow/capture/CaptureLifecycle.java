package dev.orderflow.capture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.orderflow.capture.feed.BitstampProtocol;
import dev.orderflow.capture.feed.FeedConnection;
import dev.orderflow.capture.journal.Journal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.orderflow.capture.store.ChunkWriter;
import dev.orderflow.capture.store.TableClient;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.capture.store.WindowAssembler;
import dev.orderflow.storage.CapturedEvent;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Replays the journal, starts the writer, the window timer and the feed; releases confirmed journal segments
 * periodically. At shutdown (SIGTERM) it stops receiving, seals every window, lets the writer flush and confirm
 * within {@code capture.writer.shutdown-timeout}, and deletes the journal segments DynamoDB confirmed; anything
 * unconfirmed stays in the journal for the next start.
 *
 * <p>While the assembler has spilled windows (see {@link WindowAssembler}) and the writer's queue is at most half
 * full, it re-reads their events from the journal, a memory bound's worth at a time, on a worker thread.
 */
@ApplicationScoped
public class CaptureLifecycle {
    private static final long RELEASE_INTERVAL_MS = 250;

    private final Vertx vertx;
    private final FeedConnection feed;
    private final BitstampProtocol protocol;
    private final WindowAssembler assembler;
    private final ChunkWriter writer;
    private final Journal journal;
    private final CaptureConfig config;
    private final TableClient table;
    private long sealTimer = -1;
    private long releaseTimer = -1;
    private final AtomicBoolean restoring = new AtomicBoolean();

    public CaptureLifecycle(Vertx vertx, FeedConnection feed, BitstampProtocol protocol, WindowAssembler assembler,
            ChunkWriter writer, Journal journal, TableClient table, CaptureConfig config) {
        this.table = table;
        this.vertx = vertx;
        this.feed = feed;
        this.protocol = protocol;
        this.assembler = assembler;
        this.writer = writer;
        this.journal = journal;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("Capturing %s from %s into table %s; journal in %s", config.feed().pairs(), config.feed().url(),
                config.table().name(), journal.dir().toAbsolutePath());
        journal.open(protocol::replay);
        protocol.replayed(storedUpTo());
        writer.start();
        sealTimer = vertx.setPeriodic(config.writer().sealInterval().toMillis(),
                id -> assembler.tick(Clock.nowMicros()));
        releaseTimer = vertx.setPeriodic(RELEASE_INTERVAL_MS, id -> {
            release();
            restoreSpilledWhenDraining();
        });
        feed.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Log.info("Stopping: closing the feed, sealing windows, flushing the writer");
        long started = System.nanoTime();
        feed.stop();
        vertx.cancelTimer(sealTimer);
        vertx.cancelTimer(releaseTimer);
        assembler.sealAll();
        writer.stop();
        journal.roll();
        release();
        journal.close();
        Log.infof("Capture stopped in %d ms; journal backlog left for the next start: %d bytes, %d events",
                (System.nanoTime() - started) / 1_000_000, journal.backlogBytes(), journal.backlogEvents());
    }

    private void restoreSpilledWhenDraining() {
        if (!assembler.hasSpilled() || writer.queuedEvents() > config.writer().queueCapacity() / 2
                || !restoring.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> {
            restoreSpilled();
            return null;
        }, false).onComplete(done -> {
            restoring.set(false);
            if (done.failed()) {
                Log.errorf(done.cause(), "Re-reading spilled events from the journal failed; will retry");
            }
        });
    }

    /** Re-reads from the journal the events of spilled windows (up to half the free memory bound) and restores them. */
    private void restoreSpilled() {
        long budget = (config.writer().maxPendingEvents() - assembler.pendingEvents()) / 2;
        List<WindowAssembler.Spilled> chosen = assembler.spilledToRestore(budget);
        if (chosen.isEmpty()) {
            return;
        }
        Map<String, WindowAssembler.Spilled> byKey = new HashMap<>();
        Map<WindowAssembler.Spilled, List<CapturedEvent>> events = new HashMap<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (WindowAssembler.Spilled s : chosen) {
            byKey.put(key(s.pair(), s.channel(), s.windowStartMicros()), s);
            events.put(s, new ArrayList<>());
            from = Math.min(from, s.firstReceivedMicros());
            to = Math.max(to, s.lastReceivedMicros());
        }
        journal.reread(from, to, entry -> BitstampProtocol.journaledEvent(entry).ifPresent(e -> {
            WindowAssembler.Spilled s = byKey.get(key(e.channel().pair(), e.channel().channel(),
                    TableLayout.windowStart(e.event().microtimestamp())));
            if (s != null) {
                events.get(s).add(e.event());
            }
        }));
        events.forEach(assembler::restore);
    }

    private static String key(String pair, Channel channel, long windowStart) {
        return pair + '#' + channel.apiName() + '#' + windowStart;
    }

    /** Per configured channel, the end of what an earlier run stored (catalog); empty when unreachable. */
    private Map<Channel.WireChannel, Long> storedUpTo() {
        Map<Channel.WireChannel, Long> last = new HashMap<>();
        try {
            for (String pair : config.feed().pairs()) {
                if (pair.equalsIgnoreCase("all")) {
                    continue;
                }
                for (Channel channel : Channel.values()) {
                    table.catalogLast(pair, channel).ifPresent(
                            micros -> last.put(new Channel.WireChannel(channel, pair), micros));
                }
            }
        } catch (RuntimeException e) {
            Log.warnf("Cannot read the catalog (%s): a restart gap is recorded only for channels in the journal",
                    e.toString());
        }
        return last;
    }

    /** Deletes the journal segments whose events DynamoDB confirmed (see {@link Journal#release}). */
    private void release() {
        synchronized (journal.intakeLock()) {
            long pending = assembler.oldestPendingReceivedMicros();
            long submitted = writer.submittedJobs();
            journal.release(pending, submitted, writer.confirmedJobs());
        }
    }
}
