package dev.orderflow.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The catalog ({@code pk = "catalog"}): which pairs and channels hold data, and how far each is stored. The one
 * place that knows how it is written and read.
 *
 * <p><b>Host items</b> (written now): each capture host keeps one item, {@code sk = "~host#<host>"}, rewritten whole
 * every {@code catalog-interval}: {@code updated} (µs) and, per {@code "<pair>#<channel>"}, that host's points for
 * the channel: {@code f} and {@code l} (µs of the first and last event it stored), {@code c} (its
 * {@code confirmed_until}: before it, it stored every window it received) and {@code r} (when it last said it was
 * receiving the channel). Written compactly in {@link #POINTS} (about 15 bytes a channel; until 2026-12-05 a map
 * {@code channels} of maps, about 60, still read), so a host following every pair pays a few write units an interval;
 * the 400 KB item limit leaves room for thousands of channels.
 *
 * <p><b>Channel items</b> (written by earlier versions, still read): {@code sk = "<pair>#<channel>"} with the
 * table-wide {@code first}, {@code last}, {@code confirmed_until} ({@code updated} in older tables) and each host's
 * {@code first#<host>}, {@code last#<host>}, {@code confirmed_until#<host>}, {@code receiving#<host>} ({@link Hosts}).
 *
 * <p>Readers see one entry a channel, built from both ({@link #entries}): a host's points from its host item when
 * it names the channel there, else from the channel item; table-wide, the earliest first, the latest last and the
 * latest {@code confirmed_until} of any host (as the channel items' conditional updates kept them).
 */
public final class CatalogItems {
    public static final String HOST_SK_PREFIX = "~host#";
    public static final String CHANNELS = "channels";
    /** The points of every channel, compact (see {@link #hostItem}); written since 2026-12-05, instead of {@link #CHANNELS}. */
    public static final String POINTS = "cz";
    private static final String FIRST = "f";
    private static final String LAST = "l";
    private static final String CONFIRMED = "c";
    private static final String RECEIVING = "r";

    private CatalogItems() {
    }

    /** One host's points on one channel (µs; {@code null} when not recorded). */
    public record Points(Long firstMicros, Long lastMicros, Long confirmedUntilMicros, Long receivingMicros) {
        /**
         * These points followed by {@code later}'s (a host's item after its older channel item): the earlier first,
         * the later last, and {@code later}'s {@code confirmed_until} and time of receiving where it has them.
         */
        public Points followedBy(Points later) {
            return new Points(pick(firstMicros, later.firstMicros, Math::min), pick(lastMicros, later.lastMicros, Math::max),
                    later.confirmedUntilMicros != null ? later.confirmedUntilMicros : confirmedUntilMicros,
                    later.receivingMicros != null ? later.receivingMicros : receivingMicros);
        }
    }

    /**
     * A channel as the catalog records it.
     *
     * @param confirmedUntilMicros table-wide, the latest {@code confirmed_until} (an older table's {@code updated})
     * @param hosts                each named host's span (empty for a table written by one unnamed host)
     * @param receiving            when each named host last said it was receiving the channel (µs, its clock)
     */
    public record Entry(String pair, Channel channel, Long firstMicros, Long lastMicros, Long confirmedUntilMicros,
                        Map<String, Hosts.Span> hosts, Map<String, Long> receiving) {
        public String stream() {
            return TableLayout.chunkPk(pair, channel);
        }
    }

    /** The key of a host's item. */
    public static Map<String, AttributeValue> hostKey(String host) {
        return Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(HOST_SK_PREFIX + host));
    }

    /**
     * A host's item: its points on each channel, by {@code "<pair>#<channel>"}, in {@link #POINTS}: raw deflate of the
     * UTF-8 JSON object {@code {"u": updated, "p": {"<pair>#<channel>": [f, l, c, r], ...}}}, each point written as
     * {@code u} minus it (µs; {@code null} where absent). Where the item's {@code updated} differs from {@code u} and it
     * has a {@code channels} map, an older version wrote it last, and the map is read. About 15 bytes a channel instead of about 60 as a map of numbers: the item is
     * rewritten every interval, and billed by its size.
     */
    public static Map<String, AttributeValue> hostItem(String host, long updatedMicros, Map<String, Points> channels) {
        ObjectNode json = Frames.MAPPER.createObjectNode();
        json.put("u", updatedMicros);
        ObjectNode byStream = json.putObject("p");
        new TreeMap<>(channels).forEach((stream, p) -> {
            ArrayNode points = byStream.putArray(stream);
            for (Long point : new Long[] {p.firstMicros(), p.lastMicros(), p.confirmedUntilMicros(),
                    p.receivingMicros()}) {
                if (point == null) {
                    points.addNull();
                } else {
                    points.add(updatedMicros - point);
                }
            }
        });
        Map<String, AttributeValue> item = new HashMap<>(hostKey(host));
        item.put(TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(updatedMicros)));
        item.put(POINTS, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(
                Deflate.deflate(Frames.toJson(json).getBytes(StandardCharsets.UTF_8)))));
        return item;
    }

    /** A host item's points, by {@code "<pair>#<channel>"} (empty for an absent item), from either form. */
    public static Map<String, Points> hostPoints(Map<String, AttributeValue> hostItem) {
        Map<String, Points> points = new TreeMap<>();
        AttributeValue compact = hostItem == null ? null : hostItem.get(POINTS);
        AttributeValue channels = hostItem == null ? null : hostItem.get(CHANNELS);
        if (compact != null && compact.b() != null) {
            JsonNode json;
            try {
                json = Frames.MAPPER.readTree(Deflate.inflate(compact.b().asByteArrayUnsafe()));
            } catch (IOException e) {
                throw new IllegalStateException("the catalog item's points cannot be read", e);
            }
            long base = json.path("u").asLong();
            Long updated = Attributes.micros(hostItem, TableLayout.CATALOG_UPDATED);
            // an older version writing after this one (a rollback) updates `channels` and leaves `cz` as it was
            boolean stale = channels != null && channels.hasM() && updated != null && updated != base;
            if (!stale) {
                json.path("p").fields().forEachRemaining(e -> {
                    Long[] p = new Long[4];
                    for (int i = 0; i < 4; i++) {
                        JsonNode v = e.getValue().path(i);
                        p[i] = v.isIntegralNumber() ? base - v.asLong() : null;
                    }
                    points.put(e.getKey(), new Points(p[0], p[1], p[2], p[3]));
                });
                return points;
            }
        }
        if (channels == null || !channels.hasM()) {
            return points;
        }
        channels.m().forEach((stream, value) -> {
            if (value.hasM()) {
                Map<String, AttributeValue> m = value.m();
                points.put(stream, new Points(Attributes.micros(m, FIRST), Attributes.micros(m, LAST),
                        Attributes.micros(m, CONFIRMED), Attributes.micros(m, RECEIVING)));
            }
        });
        return points;
    }

    /** The host a catalog item belongs to, when it is a host item. */
    public static Optional<String> host(Map<String, AttributeValue> item) {
        AttributeValue sk = item.get(TableLayout.SK);
        return sk != null && sk.s() != null && sk.s().startsWith(HOST_SK_PREFIX)
                ? Optional.of(sk.s().substring(HOST_SK_PREFIX.length())) : Optional.empty();
    }

    /**
     * Every channel the catalog's items name, in order of pair then channel; items of an unknown kind are left out.
     *
     * @param items items of the catalog: all of them, or the channel items of interest and every host item
     */
    public static List<Entry> entries(Collection<Map<String, AttributeValue>> items) {
        Map<String, Map<String, AttributeValue>> channelItems = new TreeMap<>();
        Map<String, Map<String, Points>> hostItems = new TreeMap<>();
        for (Map<String, AttributeValue> item : items) {
            Optional<String> host = host(item);
            if (host.isPresent()) {
                hostItems.put(host.get(), hostPoints(item));
            } else if (item.get(TableLayout.SK) != null) {
                channelItems.put(item.get(TableLayout.SK).s(), item);
            }
        }
        Map<String, Boolean> streams = new TreeMap<>();
        channelItems.keySet().forEach(s -> streams.put(s, true));
        hostItems.values().forEach(p -> p.keySet().forEach(s -> streams.putIfAbsent(s, false)));
        List<Entry> entries = new ArrayList<>();
        for (String stream : streams.keySet()) {
            int hash = stream.lastIndexOf('#');
            Optional<Channel> channel = hash <= 0 ? Optional.empty() : Channel.fromApiName(stream.substring(hash + 1));
            if (channel.isPresent()) {
                entries.add(entry(stream.substring(0, hash), channel.get(),
                        channelItems.getOrDefault(stream, Map.of()), hostItems));
            }
        }
        return entries;
    }

    private static Entry entry(String pair, Channel channel, Map<String, AttributeValue> channelItem,
            Map<String, Map<String, Points>> hostItems) {
        String stream = TableLayout.chunkPk(pair, channel);
        Map<String, Points> byHost = new TreeMap<>();
        Map<String, Long> itemReceiving = new TreeMap<>();
        Hosts.spans(channelItem).forEach((host, span) -> {
            Long receiving = Attributes.micros(channelItem, Hosts.catalogReceiving(host));
            byHost.put(host, new Points(span.firstMicros(), span.lastMicros(), span.confirmedUntilMicros(), receiving));
        });
        hostItems.forEach((host, channels) -> {
            Points points = channels.get(stream);
            if (points != null) {
                byHost.merge(host, points, Points::followedBy);
            }
        });
        Long confirmed = Attributes.micros(channelItem, TableLayout.CATALOG_CONFIRMED_UNTIL);
        Long first = Attributes.micros(channelItem, TableLayout.CATALOG_FIRST);
        Long last = Attributes.micros(channelItem, TableLayout.CATALOG_LAST);
        if (confirmed == null) {
            confirmed = Attributes.micros(channelItem, TableLayout.CATALOG_UPDATED);
        }
        Map<String, Hosts.Span> spans = new TreeMap<>();
        Map<String, Long> receiving = new TreeMap<>();
        for (Map.Entry<String, Points> e : byHost.entrySet()) {
            Points p = e.getValue();
            spans.put(e.getKey(), new Hosts.Span(p.firstMicros(), p.lastMicros(), p.confirmedUntilMicros()));
            if (p.receivingMicros() != null) {
                receiving.put(e.getKey(), p.receivingMicros());
            }
            first = pick(first, p.firstMicros(), Math::min);
            last = pick(last, p.lastMicros(), Math::max);
            confirmed = pick(confirmed, p.confirmedUntilMicros(), Math::max);
        }
        return new Entry(pair, channel, first, last, confirmed, spans, receiving);
    }

    /**
     * Every item of the catalog whose sort key starts with {@code skPrefix} ({@code null}: all of them), through
     * {@code query} (a caller's client, with its own retries), page after page.
     */
    public static List<Map<String, AttributeValue>> query(Function<QueryRequest, QueryResponse> query, String table,
            String skPrefix, boolean consistent) {
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(consistent);
        if (skPrefix == null) {
            request.keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.CATALOG_PK)));
        } else {
            request.keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.CATALOG_PK),
                            ":prefix", AttributeValue.fromS(skPrefix)));
        }
        return Queries.all(query, request);
    }

    /** Every channel of the catalog. */
    public static List<Entry> all(Function<QueryRequest, QueryResponse> query, String table, boolean consistent) {
        return entries(query(query, table, null, consistent));
    }

    /**
     * The channels of one pair: its channel items (if any) and every host item, two queries that read only what
     * the pair needs of the older items.
     */
    public static List<Entry> pair(Function<QueryRequest, QueryResponse> query, String table, String pair,
            boolean consistent) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(query(query, table, pair + "#", consistent));
        items.addAll(query(query, table, HOST_SK_PREFIX, consistent));
        return entries(items).stream().filter(e -> e.pair().equals(pair)).toList();
    }

    /** One channel, if the catalog names it. */
    public static Optional<Entry> channel(Function<QueryRequest, QueryResponse> query, String table, String pair,
            Channel channel, boolean consistent) {
        return pair(query, table, pair, consistent).stream().filter(e -> e.channel() == channel).findFirst();
    }

    private static Long pick(Long a, Long b, BinaryOperator<Long> both) {
        return a == null ? b : b == null ? a : both.apply(a, b);
    }
}
