package dev.orderflow.query.gaps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.UnionGaps;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The gaps of a pair and channel's record: with several capture hosts, the times every host missed
 * ({@link UnionGaps}, from the hosts' records and their spans in the catalog); with one, its records. Events may be
 * missing anywhere in a record's closed interval {@code [from, to]} (lost events can share the millisecond of their
 * neighbours), so a record concerns a range {@code [a, b)} when {@code from < b} and {@code to >= a}.
 */
@ApplicationScoped
public class GapStore {
    /** Records read at most to answer for several hosts (each host's records count until intersected). */
    private static final int UNION_MAX_RECORDS = 10_000;
    private final DynamoDbClient db;
    private final QueryConfig config;

    public GapStore(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /**
     * Gaps concerning {@code [from, to)}, oldest first; more than {@code max} when there are more (then not
     * necessarily all of them, nor only the oldest: a caller keeps the first {@code max} and says it cut the list).
     */
    public List<GapRecord> intersecting(String pair, Channel channel, long from, long to, int max) {
        return intersecting(pair, channel, from, to, max, spans(pair, channel));
    }

    /** As {@link #intersecting(String, Channel, long, long, int)}, with the hosts' spans already read. */
    public List<GapRecord> intersecting(String pair, Channel channel, long from, long to, int max,
            Map<String, Hosts.Span> spans) {
        List<GapRecord> records = records(pair, channel, from, to,
                spans.size() > 1 ? Math.max(max, UNION_MAX_RECORDS) : max);
        if (spans.size() <= 1 && records.stream().map(GapRecord::hosts).distinct().count() <= 1) {
            return records; // one host: its records are the gaps
        }
        List<GapRecord> gaps = UnionGaps.of(pair, channel, records, spans).stream()
                .filter(g -> g.fromMicros() < to && g.toMicros() >= from).toList();
        return gaps.size() > max + 1 ? gaps.subList(0, max + 1) : gaps;
    }

    /** One capture host's own record, and whether the others cover it (no gap of the record meets it). */
    public record HostRecord(GapRecord record, boolean covered) {
    }

    /**
     * Each host's own records concerning {@code [from, to)}, oldest first, each said covered or not; at most
     * {@code max + 1}, more than {@code max} when there are more.
     */
    public List<HostRecord> hostRecords(String pair, Channel channel, long from, long to, int max) {
        Map<String, Hosts.Span> spans = spans(pair, channel);
        List<GapRecord> records = records(pair, channel, from, to, Math.max(max, UNION_MAX_RECORDS));
        List<GapRecord> union = UnionGaps.of(pair, channel, records, spans);
        List<HostRecord> answer = new ArrayList<>();
        for (GapRecord r : records.subList(0, Math.min(records.size(), max + 1))) {
            answer.add(new HostRecord(r, union.stream()
                    .noneMatch(g -> g.fromMicros() <= r.toMicros() && g.toMicros() >= r.fromMicros())));
        }
        return answer;
    }

    /** Each capture host's span on the channel, from the catalog (Query only: the function's role may do no more). */
    private Map<String, Hosts.Span> spans(String pair, Channel channel) {
        return CatalogItems.channel(db::query, config.table(), pair, channel, false).map(CatalogItems.Entry::hosts)
                .orElse(Map.of());
    }

    private List<GapRecord> records(String pair, Channel channel, long from, long to, int max) {
        List<GapRecord> gaps = new ArrayList<>();
        for (Map<String, AttributeValue> item : GapReads.touching(db::query, config.table(), pair, channel, from, to,
                CoverageRule.CONSISTENT_READS, max)) {
            gaps.add(read(item, pair, channel, from, to));
        }
        return gaps;
    }

    /** A record as stored; one we cannot read still counts, as a gap over the whole range asked for. */
    private static GapRecord read(Map<String, AttributeValue> item, String pair, Channel channel, long from, long to) {
        try {
            return GapItems.gapFromItem(item);
        } catch (RuntimeException e) {
            Log.warnf("Unreadable gap record %s counted as a gap over the range asked for: %s",
                    item.get(TableLayout.SK), e.toString());
            return new GapRecord(pair, channel, GapRecord.Kind.DISCONNECT, from, to, null, null, null,
                    UnionGaps.UNREADABLE);
        }
    }

    /** Whether any record exists for the pair and channel, at any time. */
    public boolean any(String pair, Channel channel) {
        return GapReads.any(db::query, config.table(), pair, channel);
    }
}
