package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * How a channel's gap records are written and found by the time they touch: the one place that knows it, for the
 * capture (which writes them), the API, the archive and the certifier (which read them).
 *
 * <p>A record's sort key starts with its {@code from} ({@link GapItems#gapSk}), so the records touching a range
 * {@code [from, below)} (a record's closed interval {@code [from_g, to_g]} touches it when {@code from_g < below}
 * and {@code to_g >= from}) lie among those with {@code from_g < below}: every record of the channel's history
 * before the range, read to find the few that reach into it. To read only near the range, a record longer than
 * {@link #LONG_MICROS} also has a copy keyed by its end ({@code ~long#<to>#<its sort key>}), and the partition
 * holds a marker ({@code ~bounded}) once every long record in it has its copy. With the marker, a read takes the
 * records starting within {@link #LONG_MICROS} before the range, and the long copies (all of them: a few a year);
 * without it (a table written before these copies), every record before the range, as before.
 */
public final class GapReads {
    /** Records longer than this ({@code to - from}, µs: a day) also have a copy keyed by their end. */
    public static final long LONG_MICROS = 86_400_000_000L;
    /** The sort key of the marker: every record of the partition longer than {@link #LONG_MICROS} has its copy. */
    public static final String BOUNDED_SK = "~bounded";
    private static final String LONG_PREFIX = "~long#";

    private GapReads() {
    }

    /** The items that store {@code gap}: its record, and its copy keyed by its end when it is long. */
    public static List<Map<String, AttributeValue>> items(GapRecord gap) {
        Map<String, AttributeValue> item = GapItems.toItem(gap);
        return longCopy(item).map(copy -> List.of(item, copy)).orElse(List.of(item));
    }

    /** The marker item of the channel's gap records ({@link #BOUNDED_SK}). */
    public static Map<String, AttributeValue> marker(String pair, Channel channel) {
        return Map.of(TableLayout.PK, AttributeValue.fromS(GapItems.gapsPk(pair, channel)),
                TableLayout.SK, AttributeValue.fromS(BOUNDED_SK));
    }

    /** Whether the channel has any gap record, at any time (its marker and copies are none). */
    public static boolean any(Function<QueryRequest, QueryResponse> query, String table, String pair,
            Channel channel) {
        return query.apply(QueryRequest.builder().tableName(table)
                .keyConditionExpression("pk = :pk AND sk < :marker")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(GapItems.gapsPk(pair, channel)),
                        ":marker", AttributeValue.fromS(BOUNDED_SK)))
                .limit(1).build()).count() > 0;
    }

    /**
     * The copies a partition without its marker lacks: one per long record of its history (read whole,
     * consistently); empty (no list) when the marker is there (then only the marker is read). A writer puts them,
     * then the {@link #marker}.
     */
    public static Optional<List<Map<String, AttributeValue>>> missingCopies(Function<QueryRequest, QueryResponse> query,
            String table, String pair, Channel channel) {
        AttributeValue pk = AttributeValue.fromS(GapItems.gapsPk(pair, channel));
        if (query.apply(QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND sk = :marker")
                .expressionAttributeValues(Map.of(":pk", pk, ":marker", AttributeValue.fromS(BOUNDED_SK)))
                .build()).count() > 0) {
            return Optional.empty();
        }
        Map<String, Map<String, AttributeValue>> records = new HashMap<>();
        Set<String> copied = new LinkedHashSet<>();
        for (Map<String, AttributeValue> item : Queries.all(query, QueryRequest.builder().tableName(table)
                .consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", pk)))) {
            String sk = item.get(TableLayout.SK).s();
            if (sk.startsWith(LONG_PREFIX)) {
                copied.add(sk);
            } else if (!sk.equals(BOUNDED_SK)) {
                records.put(sk, item);
            }
        }
        List<Map<String, AttributeValue>> missing = new ArrayList<>();
        records.values().forEach(item -> longCopy(item).filter(copy -> !copied.contains(copy.get(TableLayout.SK).s()))
                .ifPresent(missing::add));
        return Optional.of(missing);
    }

    /**
     * The items of the records touching {@code [from, below)}, by their sort key (oldest first), read consistently
     * when {@code consistent}. The reading stops after the page in which more than {@code max} were found: then the
     * items are at least {@code max + 1}, but not all of them (and long records found by their copies may sort
     * after records left unread).
     */
    public static List<Map<String, AttributeValue>> touching(Function<QueryRequest, QueryResponse> query,
            String table, String pair, Channel channel, long fromMicros, long belowMicros, boolean consistent,
            int max) {
        String pk = GapItems.gapsPk(pair, channel);
        // the marker and the long copies sort after every record (digits): one query gets them all
        boolean bounded = false;
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (Map<String, AttributeValue> item : Queries.all(query, QueryRequest.builder().tableName(table)
                .consistentRead(consistent).keyConditionExpression("pk = :pk AND sk >= :marker")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                        ":marker", AttributeValue.fromS(BOUNDED_SK))))) {
            String sk = item.get(TableLayout.SK).s();
            if (sk.equals(BOUNDED_SK)) {
                bounded = true;
            } else if (sk.startsWith(LONG_PREFIX) && touches(item, fromMicros, belowMicros)) {
                String recordSk = sk.substring(sk.indexOf('#', LONG_PREFIX.length()) + 1);
                Map<String, AttributeValue> record = new HashMap<>(item);
                record.put(TableLayout.SK, AttributeValue.fromS(recordSk)); // as the record itself is keyed
                found.put(recordSk, record);
            }
        }
        QueryRequest.Builder records = QueryRequest.builder().tableName(table).consistentRead(consistent)
                .filterExpression("#to >= :from")
                .expressionAttributeNames(Map.of("#to", GapItems.GAP_TO));
        if (bounded) {
            records.keyConditionExpression("pk = :pk AND sk BETWEEN :lowest AND :highest")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                            ":lowest", AttributeValue.fromS(pad(Math.max(0, fromMicros - LONG_MICROS))),
                            ":highest", AttributeValue.fromS(pad(belowMicros - 1) + "~"),
                            ":from", AttributeValue.fromN(Long.toString(fromMicros))));
        } else {
            records.keyConditionExpression("pk = :pk AND sk < :below")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                            ":below", AttributeValue.fromS(pad(belowMicros)),
                            ":from", AttributeValue.fromN(Long.toString(fromMicros))));
        }
        int read = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = query.apply(records.exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                found.put(item.get(TableLayout.SK).s(), item);
                read++;
            }
            start = read > max || !response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty() ? null
                    : response.lastEvaluatedKey();
        } while (start != null);
        List<String> order = new ArrayList<>(found.keySet());
        order.sort(Comparator.naturalOrder());
        List<Map<String, AttributeValue>> items = new ArrayList<>(order.size());
        order.forEach(sk -> items.add(found.get(sk)));
        return items;
    }

    /**
     * The copy keyed by its end of a record longer than {@link #LONG_MICROS}, from its key's {@code from} and its
     * {@code to} alone (a record whose other attributes cannot be read is still found, and read as a gap); none for
     * a record whose {@code to} is not a number, which a reader's filter on {@code to} never returns either.
     */
    private static Optional<Map<String, AttributeValue>> longCopy(Map<String, AttributeValue> item) {
        long from;
        long to;
        try {
            to = Long.parseLong(item.get(GapItems.GAP_TO).n());
            from = Long.parseLong(item.get(TableLayout.SK).s().substring(0, 16)); // where the key puts it
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
        if (to - from <= LONG_MICROS) {
            return Optional.empty();
        }
        Map<String, AttributeValue> copy = new HashMap<>(item);
        copy.put(TableLayout.SK, AttributeValue.fromS(LONG_PREFIX + pad(to) + "#" + item.get(TableLayout.SK).s()));
        return Optional.of(copy);
    }

    /** Whether a long copy's record touches {@code [from, below)}; one that cannot be read does. */
    private static boolean touches(Map<String, AttributeValue> item, long fromMicros, long belowMicros) {
        try {
            return Long.parseLong(item.get(GapItems.GAP_FROM).n()) < belowMicros
                    && Long.parseLong(item.get(GapItems.GAP_TO).n()) >= fromMicros;
        } catch (RuntimeException unreadable) {
            return true;
        }
    }

    private static String pad(long micros) {
        return String.format(Locale.ROOT, "%016d", micros);
    }
}
