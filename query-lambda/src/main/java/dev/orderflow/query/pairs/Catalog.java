package dev.orderflow.query.pairs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.storage.Attributes;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.Pairs;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

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
        for (Entry e : query(pair + "#")) {
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

    private List<Entry> query(String skPrefix) {
        List<Entry> entries = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder()
                    .tableName(config.table())
                    .exclusiveStartKey(start);
            if (skPrefix == null) {
                request.keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.CATALOG_PK)));
            } else {
                request.keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TableLayout.CATALOG_PK),
                                ":prefix", AttributeValue.fromS(skPrefix)));
            }
            QueryResponse response = db.query(request.build());
            for (Map<String, AttributeValue> item : response.items()) {
                parse(item).ifPresent(entries::add);
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (start != null);
        return entries;
    }

    private static Optional<Entry> parse(Map<String, AttributeValue> item) {
        AttributeValue sk = item.get(TableLayout.SK);
        String key = sk == null ? null : sk.s();
        int hash = key == null ? -1 : key.lastIndexOf('#');
        Optional<Channel> channel = hash <= 0 ? Optional.empty() : Channel.fromApiName(key.substring(hash + 1));
        if (channel.isEmpty()) {
            Log.warnf("Catalog item with unexpected sort key %s ignored", key);
            return Optional.empty();
        }
        return Optional.of(new Entry(key.substring(0, hash), channel.get(),
                Attributes.micros(item, TableLayout.CATALOG_FIRST),
                Attributes.micros(item, TableLayout.CATALOG_LAST),
                confirmedUntil(item), Hosts.spans(item)));
    }

    /**
     * The time before which the capture has stored every window of the channel: {@code confirmed_until}; a table
     * written before that attribute existed has only the time of the last confirmed write ({@code updated}).
     */
    private static Long confirmedUntil(Map<String, AttributeValue> item) {
        Long confirmed = Attributes.micros(item, TableLayout.CATALOG_CONFIRMED_UNTIL);
        return confirmed != null ? confirmed : Attributes.micros(item, TableLayout.CATALOG_UPDATED);
    }

}
