package dev.orderflow.simulator.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The all-pairs world ({@code --pairs all}): about a hundred spot pairs whose order-event rates fall off as a power
 * of their rank, so a few are busy and most are quiet, each with bursts.
 *
 * <p>Calibration, from the recorded samples in {@code bitstamp-samples}: the busiest pair runs at the configured rate
 * (70 events/s by default: the one-hour btcusd capture of 2026 holds 252,374 {@code live_orders} events); the
 * others at {@code rate × rank^-}{@value #EXPONENT}, the slope of the per-pair message counts of the ten quieter
 * pairs recorded together on 2021-04-05 (723 down to 46 frames in 113 s, a factor of 16 over ten ranks:
 * 16 = 10^1.2). {@value #PAIRS} pairs at 70 events/s on top add up to about 250 events/s.
 *
 * <p>Bursts: each second a pair starts, with probability 1/{@value #BURST_EVERY_S}, a burst of
 * {@value #BURST_S} s at {@value #BURST_FACTOR} times its rate (drawn from the seed).
 */
public final class PairRates {
    /** The {@code --pairs} value that asks for this world. */
    public static final String ALL = "all";
    static final double EXPONENT = 1.2;
    static final int PAIRS = 100;
    static final int BURST_EVERY_S = 120;
    static final int BURST_S = 5;
    static final double BURST_FACTOR = 5;

    private static final String[] BASES = {"btc", "eth", "xrp", "sol", "ltc", "usdc", "usdt", "link", "ada", "doge",
        "bch", "xlm", "dot", "avax", "uni", "aave", "matic", "shib", "pepe", "algo", "atom", "near", "fil", "grt",
        "mkr", "crv", "comp", "snx", "sushi", "yfi", "bat", "zrx", "knc", "omg", "enj", "sand", "mana", "ape", "axs",
        "chz"};
    private static final String[] QUOTES = {"usd", "eur", "gbp", "btc", "usdt"};

    private PairRates() {
    }

    /** The pairs to generate: {@code all} becomes {@value #PAIRS} pairs, busiest first; a list stays as it is. */
    public static List<String> expand(List<String> pairs) {
        if (!pairs.equals(List.of(ALL))) {
            return pairs;
        }
        List<String> all = new ArrayList<>();
        for (String quote : QUOTES) {
            for (String base : BASES) {
                if (!base.equals(quote) && all.size() < PAIRS) {
                    all.add(base + quote);
                }
            }
        }
        // busiest first: USD and EUR books of the large coins before the rest
        all.sort(java.util.Comparator.comparingInt(PairRates::weight));
        return List.copyOf(all);
    }

    private static int weight(String pair) {
        for (int q = 0; q < QUOTES.length; q++) {
            if (pair.endsWith(QUOTES[q])) {
                int b = List.of(BASES).indexOf(pair.substring(0, pair.length() - QUOTES[q].length()));
                return b * 2 + q * 7;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Per pair, its rate: {@code rate} for each when {@code requested} named the pairs; heavy-tailed by rank when it
     * was {@code all}.
     */
    public static Map<String, Double> rates(List<String> requested, double rate) {
        Map<String, Double> rates = new LinkedHashMap<>();
        List<String> pairs = expand(requested);
        boolean all = requested.equals(List.of(ALL));
        for (int rank = 0; rank < pairs.size(); rank++) {
            rates.put(pairs.get(rank), all ? rate * Math.pow(rank + 1, -EXPONENT) : rate);
        }
        return rates;
    }

    /** Bursts of one pair in the all-pairs world, drawn second by second from its own random stream. */
    static final class Bursts {
        private final SplittableRandom random;
        private final boolean enabled;
        private long second = Long.MIN_VALUE;
        private long burstUntil = Long.MIN_VALUE;

        Bursts(long seed, boolean enabled) {
            this.random = new SplittableRandom(seed);
            this.enabled = enabled;
        }

        /** The factor on the pair's rate at {@code millis} (wall clock). */
        double factor(long millis) {
            if (!enabled) {
                return 1;
            }
            long s = Math.floorDiv(millis, 1000);
            if (s != second) {
                second = s;
                if (s >= burstUntil && random.nextInt(BURST_EVERY_S) == 0) {
                    burstUntil = s + BURST_S;
                }
            }
            return s < burstUntil ? BURST_FACTOR : 1;
        }
    }
}
