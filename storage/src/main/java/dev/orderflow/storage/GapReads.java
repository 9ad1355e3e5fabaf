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
 * <p>A record's sort key starts with its {@code from} ({@link TableLayout#gapSk}), so the records touching a range
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
        Map<String, AttributeValue> item = TableLayout.toItem(gap);
        return isLong(gap) ? List.of(item, longCopy(item, gap)) : List.of(item);
    }

    /** The marker item of the channel's gap records ({@link #BOUNDED_SK}). */
    public static Map<String, AttributeValue> marker(String pair, Channel channel) {
        return Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.gapsPk(pair, channel)),
                TableLayout.SK, AttributeValue.fromS(BOUNDED_SK));
    }

    /**
     * The copies a partition without its marker lacks: one per long record of its history (read whole,
     * consistently); empty (no list) when the marker is there. A writer puts them, then the {@link #marker}.
     */
    public static Optional<List<Map<String, AttributeValue>>> missingCopies(Function<QueryRequest, QueryResponse> query,
            String table, String pair, Channel channel) {
        Map<String, Map<String, AttributeValue>> records = new HashMap<>();
        Set<String> copied = new LinkedHashSet<>();
        boolean marked = false;
        for (Map<String, AttributeValue> item : pages(query, QueryRequest.builder().tableName(table)
                .consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.gapsPk(pair, channel)))))) {
            String sk = item.get(TableLayout.SK).s();
            if (sk.equals(BOUNDED_SK)) {
                marked = true;
            } else if (sk.startsWith(LONG_PREFIX)) {
                copied.add(sk);
            } else {
                records.put(sk, item);
            }
        }
        if (marked) {
            return Optional.empty();
        }
        List<Map<String, AttributeValue>> missing = new ArrayList<>();
        records.values().forEach(item -> {
            GapRecord gap;
            try {
                gap = TableLayout.gapFromItem(item);
            } catch (RuntimeException unreadable) {
                return; // read as a gap over any range it is read for; its copy could not say where it ends
            }
            if (isLong(gap) && !copied.contains(copySk(item, gap))) {
                missing.add(longCopy(item, gap));
            }
        });
        return Optional.of(missing);
    }

    /**
     * The items of the records touching {@code [from, below)}, oldest first (by their sort key), read consistently
     * when {@code consistent}; the reading stops once {@code max + 1} are found (long copies aside).
     */
    public static List<Map<String, AttributeValue>> touching(Function<QueryRequest, QueryResponse> query,
            String table, String pair, Channel channel, long fromMicros, long belowMicros, boolean consistent,
            int max) {
        String pk = TableLayout.gapsPk(pair, channel);
        // the marker and the long copies sort after every record (digits): one query gets them all
        boolean bounded = false;
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (Map<String, AttributeValue> item : pages(query, QueryRequest.builder().tableName(table)
                .consistentRead(consistent).keyConditionExpression("pk = :pk AND sk >= :marker")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                        ":marker", AttributeValue.fromS(BOUNDED_SK))))) {
            String sk = item.get(TableLayout.SK).s();
            if (sk.equals(BOUNDED_SK)) {
                bounded = true;
            } else if (sk.startsWith(LONG_PREFIX) && touches(item, fromMicros, belowMicros)) {
                found.put(sk.substring(sk.indexOf('#', LONG_PREFIX.length()) + 1), item);
            }
        }
        QueryRequest.Builder records = QueryRequest.builder().tableName(table).consistentRead(consistent)
                .filterExpression("#to >= :from")
                .expressionAttributeNames(Map.of("#to", TableLayout.GAP_TO));
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

    private static boolean isLong(GapRecord gap) {
        return gap.toMicros() - gap.fromMicros() > LONG_MICROS;
    }

    private static Map<String, AttributeValue> longCopy(Map<String, AttributeValue> item, GapRecord gap) {
        Map<String, AttributeValue> copy = new HashMap<>(item);
        copy.put(TableLayout.SK, AttributeValue.fromS(copySk(item, gap)));
        return copy;
    }

    private static String copySk(Map<String, AttributeValue> item, GapRecord gap) {
        return LONG_PREFIX + pad(gap.toMicros()) + "#" + item.get(TableLayout.SK).s();
    }

    /** Whether a long copy's record touches {@code [from, below)}; one that cannot be read does. */
    private static boolean touches(Map<String, AttributeValue> item, long fromMicros, long belowMicros) {
        try {
            return Long.parseLong(item.get(TableLayout.GAP_FROM).n()) < belowMicros
                    && Long.parseLong(item.get(TableLayout.GAP_TO).n()) >= fromMicros;
        } catch (RuntimeException unreadable) {
            return true;
        }
    }

    private static String pad(long micros) {
        return String.format(Locale.ROOT, "%016d", micros);
    }

    private static List<Map<String, AttributeValue>> pages(Function<QueryRequest, QueryResponse> query,
            QueryRequest.Builder request) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = query.apply(request.exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
