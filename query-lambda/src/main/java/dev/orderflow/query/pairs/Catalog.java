package dev.orderflow.query.pairs;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.Pairs;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The catalog items the capture service keeps: which pairs and channels have data, and how far writes are confirmed. */
@ApplicationScoped
public class Catalog {
    private final DynamoDbClient db;
    private final QueryConfig config;

    public Catalog(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /**
     * One pair and channel.
     *
     * @param firstMicros   first stored event, µs (null when not recorded)
     * @param lastMicros    last stored event, µs (null when not recorded)
     * @param confirmedUntilMicros the time before which every window is stored, µs (catalog {@code confirmed_until},
     *                             or {@code updated} in older tables; null when not recorded)
     * @param hosts         each named capture host's span (empty for a table written by one unnamed host), which
     *                      the gaps of the record are worked out from ({@code GapStore})
     */
    public record Entry(String pair, Channel channel, Long firstMicros, Long lastMicros, Long confirmedUntilMicros,
                        Map<String, Hosts.Span> hosts) {
        public Entry(String pair, Channel channel, Long firstMicros, Long lastMicros, Long confirmedUntilMicros) {
            this(pair, channel, firstMicros, lastMicros, confirmedUntilMicros, Map.of());
        }
    }

    /** Every pair and channel, ordered by pair then channel. */
    public List<Entry> all() {
        return query(null);
    }

    /** The channels of one pair; empty when the pair has no stored data. */
    public Map<Channel, Entry> pair(String pair) {
        Map<Channel, Entry> channels = new EnumMap<>(Channel.class);
        for (Entry e : query(pair)) {
            if (e.pair().equals(pair)) {
                channels.put(e.channel(), e);
            }
        }
        return channels;
    }

    /**
     * The channels of a pair given as a query parameter; a 400 naming {@code pair} when it is malformed or has no
     * stored data.
     */
    public Map<Channel, Entry> requirePair(String pair) {
        Map<Channel, Entry> channels = pair(pair);
        if (channels.isEmpty()) {
            List<String> known = all().stream().map(Entry::pair).distinct().toList();
            String list = known.isEmpty() ? "none yet"
                    : known.size() <= 30 ? String.join(", ", known)
                    : String.join(", ", known.subList(0, 30)) + ", … (" + known.size() + " in all)";
            throw Problem.badParameter("pair", "No data for pair '" + pair + "'. Pairs with data: " + list
                    + " (see /v1/pairs).");
        }
        return channels;
    }

    /** The {@code pair} parameter, lower-cased and checked for shape (not yet for data). */
    public static String pairParameter(Params params) {
        String pair = params.require("pair", "a pair such as btcusd (see /v1/pairs).").toLowerCase(Locale.ROOT);
        if (!Pairs.valid(pair)) {
            throw Problem.badParameter("pair", "'pair' must be a pair name such as btcusd or btcusd-perp ("
                    + Pairs.PATTERN + ").");
        }
        return pair;
    }

    /** The {@code channel} parameter: {@code orders} or {@code trades}. */
    public static Channel channelParameter(String text) {
        return Channel.fromApiName(text).orElseThrow(() -> Problem.badParameter("channel",
                "'channel' must be orders or trades."));
    }

    private List<Entry> query(String pair) {
        List<CatalogItems.Entry> entries = pair == null ? CatalogItems.all(db::query, config.table(), false)
                : CatalogItems.pair(db::query, config.table(), pair, false);
        return entries.stream().map(e -> new Entry(e.pair(), e.channel(), e.firstMicros(), e.lastMicros(),
                e.confirmedUntilMicros(), e.hosts())).toList();
    }
}
