package dev.orderflow.query.book;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Problem;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.api.TimeRange;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.query.coverage.CoverageCheck;
import dev.orderflow.query.events.ChunkReader;
import dev.orderflow.query.events.ChunkReader.StoredChunk;
import dev.orderflow.query.events.EventFields;
import dev.orderflow.query.gaps.GapStore;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.book.OrderBook;
import dev.orderflow.storage.book.SnapshotAlignment;
import dev.orderflow.storage.book.SnapshotReads;

/**
 * Rebuilds the book of a pair at an instant {@code T}: the latest stored snapshot at or before {@code T} with every
 * part stored (later ones with a part missing are passed over, and the answer lists them), then every stored
 * {@code live_orders} event with {@code snapshot.microtimestamp - margin <= microtimestamp <= T} in stored
 * (exchange) order ({@link SnapshotAlignment}). Events up to the snapshot's stamp are applied again: the snapshot
 * may or may not already show them, and since each event states its order's whole state, applying them again cannot
 * make the book wrong (see {@link OrderBook#apply}). The answer says whether the next snapshot certified the stretch
 * ({@link Certificate}).
 */
@ApplicationScoped
public class Rebuilder {
    static final String CONNECT = "connect";

    private final SnapshotStore snapshots;
    private final ChunkReader chunks;
    private final CoverageCheck coverage;
    private final GapStore gaps;
    private final QueryConfig config;

    public Rebuilder(SnapshotStore snapshots, ChunkReader chunks, CoverageCheck coverage, GapStore gaps,
            QueryConfig config) {
        this.gaps = gaps;
        this.snapshots = snapshots;
        this.chunks = chunks;
        this.coverage = coverage;
        this.config = config;
    }

    /** The last event applied (null fields when none was). */
    public record LastEvent(String eventId, long micros, String type, String orderId) {
    }

    /** A rebuilt book and how far it can be trusted. */
    public record Result(SnapshotRecord snapshot, List<SnapshotReads.Skipped> skipped, OrderBook book,
            LastEvent lastEvent, Coverage coverage, Certificate certificate) {
    }

    /** @param entry the catalog entry of the pair's orders channel, or {@code null} */
    public Result at(String pair, long atMicros, Catalog.Entry entry) {
        long maxReplay = TimeRange.micros(config.book().maxReplay());
        List<SnapshotReads.Skipped> skipped = new ArrayList<>();
        SnapshotRecord snapshot = snapshots.latestComplete(pair, atMicros, atMicros - maxReplay, skipped)
                .orElseThrow(() -> noSnapshot(pair, atMicros, maxReplay, skipped)).snapshot();
        SnapshotAlignment alignment = new SnapshotAlignment(config.book().alignmentMargin());
        OrderBook book = OrderBook.fromSnapshot(snapshot.body());
        long from = snapshot.microtimestamp();
        long replayFrom = alignment.replayFromMicros(from, gaps.intersecting(pair, Channel.ORDERS,
                alignment.replayFromMicros(from), from + 1, 1000));
        Iterator<StoredChunk> stored = chunks.read(pair, Channel.ORDERS,
                TableLayout.lowestSk(replayFrom), TableLayout.highestSk(atMicros + 1), 50);
        int unreadable = 0;
        StoredChunk lastChunk = null;
        int lastIndex = -1;
        while (stored.hasNext()) {
            StoredChunk chunk = stored.next();
            ChunkReader.Events events = chunk.events();
            for (int i = 0; events.next(); i++) {
                EventView view = events.event();
                long t = view.microtimestamp();
                if (t < replayFrom || t > atMicros) {
                    continue;
                }
                book.apply(view, SnapshotAlignment.reapplied(t, from));
                lastChunk = chunk;
                lastIndex = i;
            }
            unreadable += events.damaged() ? 1 : 0;
        }
        LastEvent last = lastChunk == null ? null : lastEvent(lastChunk, lastIndex);
        // The snapshot stands in for every event at or before its stamp (an exact cut of the stream there), as a
        // first stored event just before it would: coverage starts at the snapshot, its own microsecond included.
        long standsIn = from - 1;
        Catalog.Entry orders = entry == null
                ? new Catalog.Entry(pair, Channel.ORDERS, standsIn, null, null)
                : new Catalog.Entry(pair, Channel.ORDERS,
                        entry.firstMicros() == null ? standsIn : Math.min(entry.firstMicros(), standsIn),
                        entry.lastMicros(), entry.confirmedUntilMicros(), entry.hosts());
        Coverage cover = coverage.of(pair, Channel.ORDERS, from, atMicros + 1, orders, unreadable);
        Certificate certificate = Certificate.of(snapshots, pair, from);
        return new Result(snapshot, List.copyOf(skipped), book, last,
                certificate.contradicts(coveredBySnapshot(cover, snapshot)), certificate);
    }

    /**
     * Whether a gap record leaves events missing from a book started at {@code snapshot}. The capture fetches a
     * {@code connect} snapshot once every channel is subscribed again, so a disconnect record that began before such
     * a snapshot is covered by it (its end is merely the first event after the reconnect); any other record counts.
     */
    static boolean matters(GapRecord gap, SnapshotRecord snapshot) {
        return matters(gap, snapshot.reason(), snapshot.microtimestamp());
    }

    static boolean matters(GapRecord gap, String reason, long snapshotMicros) {
        return !(CONNECT.equals(reason) && gap.kind() == GapRecord.Kind.DISCONNECT
                && gap.fromMicros() < snapshotMicros);
    }

    private static Coverage coveredBySnapshot(Coverage cover, SnapshotRecord snapshot) {
        if (cover.gapsTruncated() || cover.gaps().stream().allMatch(g -> matters(g, snapshot))) {
            return cover;
        }
        List<GapRecord> left = cover.gaps().stream().filter(g -> matters(g, snapshot)).toList();
        List<String> reasons = new ArrayList<>(cover.reasons());
        if (left.isEmpty()) {
            reasons.remove("gaps");
        }
        return new Coverage(cover.pair(), cover.channel(), cover.fromMicros(), cover.toMicros(), reasons.isEmpty(),
                cover.confirmedUntilMicros(), List.copyOf(reasons), left, false);
    }

    /** The last event applied, read again from its chunk (its fields are turned into text only here). */
    private static LastEvent lastEvent(StoredChunk chunk, int index) {
        ChunkReader.Events events = chunk.events();
        for (int i = 0; i <= index; i++) {
            events.next();
        }
        EventView view = events.event();
        EventFields fields = new EventFields(Channel.ORDERS);
        return new LastEvent(fields.eventId(view), view.microtimestamp(), fields.type(view),
                view.data() == null ? null : fields.id(view.data()));
    }

    private Problem noSnapshot(String pair, long atMicros, long maxReplay, List<SnapshotReads.Skipped> skipped) {
        String incomplete = skipped.isEmpty() ? "" : " " + skipped.size() + " stored snapshot(s) in that stretch "
                + "miss a part (the latest at " + Times.iso(skipped.get(0).microtimestamp()) + ", "
                + skipped.get(0).found() + " of " + skipped.get(0).parts() + " parts stored).";
        Optional<Long> latest = snapshots.latestAtOrBefore(pair, atMicros);
        if (latest.isPresent() && atMicros - latest.get() > maxReplay) {
            return Problem.of(404, "no-snapshot", "No snapshot near enough", "The latest stored snapshot of " + pair
                    + " at or before " + Times.iso(atMicros) + " is at " + Times.iso(latest.get())
                    + ", more than " + TimeRange.describe(maxReplay) + " earlier: a book is rebuilt only within "
                    + TimeRange.describe(maxReplay) + " of a snapshot. See /v1/book/snapshots?pair=" + pair + ".");
        }
        if (latest.isPresent()) {
            return Problem.of(404, "no-snapshot", "No complete snapshot near enough", "No stored order book snapshot "
                    + "of " + pair + " within " + TimeRange.describe(maxReplay) + " before " + Times.iso(atMicros)
                    + " has every part stored." + incomplete + " See /v1/book/snapshots?pair=" + pair + ".");
        }
        String first = snapshots.first(pair).map(t -> "The first is at " + Times.iso(t) + ".")
                .orElse("None is stored for this pair yet.");
        return Problem.of(404, "no-snapshot", "No snapshot before this instant", "No stored order book snapshot of "
                + pair + " at or before " + Times.iso(atMicros) + ", so the book cannot be rebuilt there. " + first
                + " See /v1/book/snapshots?pair=" + pair + ".");
    }
}
