package dev.orderflow.simulator.world;

import java.util.Map;

/**
 * What the simulator knows of one pair: names, decimal places on the wire, a starting price.
 *
 * @param pair        url symbol, e.g. {@code btcusd}
 * @param base        base currency code, lowercase
 * @param quote       quote currency code, lowercase
 * @param priceScale  decimals of {@code price_str} (2 for USD prices, as real 2026 frames: {@code "58356.10"})
 * @param amountScale decimals of {@code amount_str} (8 for BTC; 6 for ETH, as real 2026 ethusd trades and books)
 * @param startPrice  first mid price in units of 10^-priceScale
 * @param marketCode  the 16 bits after the 64-bit time in the last group of {@code event_id} ({@code 0001} is what
 *                    real btcusd frames carry; other pairs get a stand-in)
 * @param perpetual   a perpetual market ({@code btcusd-perp}): listed by {@code markets} only, trade
 *                    {@code timestamp} in ms
 */
public record PairSpec(String pair, String base, String quote, int priceScale, int amountScale, long startPrice,
                       int marketCode, boolean perpetual) {
    private static final String PERPETUAL_SUFFIX = "-perp";

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("btc", "Bitcoin"), Map.entry("eth", "Ethereum"), Map.entry("ltc", "Litecoin"),
            Map.entry("xrp", "XRP"), Map.entry("sol", "Solana"), Map.entry("usd", "U.S. dollar"),
            Map.entry("eur", "Euro"), Map.entry("gbp", "British Pound"), Map.entry("usdt", "Tether"),
            Map.entry("usdc", "USD Coin"));

    private static final Map<String, Long> START_PRICES = Map.of(
            "btc", 6_483_906L, "eth", 209_022L, "ltc", 8_512L, "sol", 15_034L, "xrp", 211L);

    public static PairSpec of(String pair) {
        boolean perpetual = pair.endsWith(PERPETUAL_SUFFIX);
        String spot = perpetual ? pair.substring(0, pair.length() - PERPETUAL_SUFFIX.length()) : pair;
        String quote = spot.endsWith("usdt") || spot.endsWith("usdc") ? spot.substring(spot.length() - 4)
                : spot.substring(Math.max(0, spot.length() - 3));
        String base = spot.substring(0, spot.length() - quote.length());
        boolean cryptoQuote = quote.equals("btc") || quote.equals("eth");
        int priceScale = cryptoQuote ? 8 : 2;
        int amountScale = perpetual ? 5 : base.equals("eth") ? 6 : 8;
        long startPrice = cryptoQuote ? 5_000_000L : START_PRICES.getOrDefault(base, 10_000L);
        int code = pair.equals("btcusd") ? 1 : 0x100 + Math.floorMod(pair.hashCode(), 0x300);
        return new PairSpec(pair, base, quote, priceScale, amountScale, startPrice, code, perpetual);
    }

    /** {@code BTC/USD}, {@code BTC/USD-PERP}. */
    public String displayName() {
        return base.toUpperCase() + "/" + quote.toUpperCase() + (perpetual ? "-PERP" : "");
    }

    /** {@code Bitcoin / U.S. dollar}, {@code Bitcoin / U.S. dollar Perpetual}. */
    public String description() {
        return NAMES.getOrDefault(base, base.toUpperCase()) + " / " + NAMES.getOrDefault(quote, quote.toUpperCase())
                + (perpetual ? " Perpetual" : "");
    }

    /** The live_orders channel of this pair. */
    public String ordersChannel() {
        return "live_orders_" + pair;
    }

    /** The live_trades channel of this pair. */
    public String tradesChannel() {
        return "live_trades_" + pair;
    }
}
