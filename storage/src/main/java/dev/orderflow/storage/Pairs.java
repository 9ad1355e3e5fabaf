package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one rule for a pair's name, shared by the capture, the query API, the simulator and the launcher: the
 * exchange's {@code market_symbol}/{@code url_symbol}, lowercase letters and digits ({@code btcusd}), optionally
 * followed by one hyphenated suffix ({@code btcusd-perp}, a perpetual market). It is what may follow
 * {@code live_orders_}/{@code live_trades_} and what keys the table ({@code <pair>#<channel>}).
 */
public final class Pairs {
    /** The rule as a regular expression, anchored (also the OpenAPI {@code pattern} of every {@code pair}). */
    public static final String PATTERN = "^[a-z0-9]{2,32}(-[a-z0-9]{2,8})?$";
    /** What the pairs setting accepts instead of names: every market the exchange lists as trading. */
    public static final String ALL = "all";

    private static final Pattern RULE = Pattern.compile(PATTERN);

    private Pairs() {
    }

    /** Whether {@code name} is a pair name (exactly, without trimming or case folding). */
    public static boolean valid(String name) {
        return name != null && RULE.matcher(name).matches();
    }

    /**
     * The names of a comma list such as {@code "btcusd, ETHUSD,btcusd-perp"}: trimmed, lowercased, empties and
     * repeats left out, in order; not checked against the rule.
     */
    public static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String part : list.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * A comma list such as {@code "btcusd, ETHUSD,btcusd-perp"}: trimmed, lowercased, empties and repeats left
     * out, in order.
     *
     * @throws IllegalArgumentException naming the first entry that is not a pair name, or when none is left
     */
    public static List<String> parseList(String list) {
        List<String> names = names(list);
        for (String name : names) {
            if (!valid(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a pair name (" + PATTERN
                        + ", e.g. btcusd or btcusd-perp)");
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no pair named in '" + list + "'");
        }
        return names;
    }

    /** Whether a setting asks for every market ({@value #ALL}, any case, blanks around it ignored). */
    public static boolean isAll(String setting) {
        return setting != null && setting.trim().equalsIgnoreCase(ALL);
    }

    /**
     * The pairs of a {@code GET /api/v2/markets/} answer (spot and perpetual) whose {@code trading} is
     * {@code Enabled}: their {@code market_symbol}, in the order listed. Rows of the obsolete
     * {@code trading-pairs-info} ({@code url_symbol}) are read the same way.
     *
     * @throws IllegalArgumentException when the answer is not a JSON array
     */
    public static List<String> enabledMarkets(JsonNode answer) {
        if (answer == null || !answer.isArray()) {
            throw new IllegalArgumentException("the markets answer is not a JSON array");
        }
        List<String> pairs = new ArrayList<>();
        for (JsonNode row : answer) {
            JsonNode symbol = row.hasNonNull("market_symbol") ? row.get("market_symbol") : row.get("url_symbol");
            if ("Enabled".equals(row.path("trading").asText()) && symbol != null && symbol.isTextual()
                    && !pairs.contains(symbol.asText())) {
                pairs.add(symbol.asText());
            }
        }
        return pairs;
    }
}
