package dev.orderflow.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulator's REST {@code order_book} behaves. {@link #realistic()} (the default) is how the exchange
 * behaves: the book lags the stream, is served from a cache per URL (the same body until it is {@code bookCache}
 * old, unless the URL varies, e.g. by a nonce parameter), stamped with its last change, and requests beyond the rate
 * limits get HTTP 400 with code {@code 400.002}. {@link #ideal()} is a book exact at the moment asked, stamped with
 * that moment, without limits: only for unit tests that need it, never the default.
 *
 * @param bookCache         how long a served body is served again to the same URL; zero = never cached
 * @param bookDelay         how far the REST book lags the stream: it holds the events stamped up to this long ago
 * @param perSecond         requests per second allowed on {@code /api/v2/}; 0 = unlimited
 * @param perTenMinutes     requests per 10 minutes allowed on {@code /api/v2/}; 0 = unlimited
 * @param stampLastChange   true: a book's {@code microtimestamp} is its last change (µs); false: the moment asked
 */
public record RestModel(Duration bookCache, Duration bookDelay, int perSecond, int perTenMinutes,
                        boolean stampLastChange) {

    public RestModel {
        Objects.requireNonNull(bookCache, "bookCache");
        Objects.requireNonNull(bookDelay, "bookDelay");
        if (bookCache.isNegative() || bookDelay.isNegative() || perSecond < 0 || perTenMinutes < 0) {
            throw new IllegalArgumentException("REST model values must not be negative");
        }
    }

    /**
     * The exchange as observed: cached for 1 s, 500 ms behind the stream (with the cache, books arrive 0.5–1.5 s
     * after their stamp on a busy pair; recorded real books: 0.07–2.56 s), 400 requests/s and 10,000 per 10 min.
     */
    public static RestModel realistic() {
        return new RestModel(Duration.ofSeconds(1), Duration.ofMillis(500), 400, 10_000, true);
    }

    /** Exact and immediate, unlimited: only for tests that explicitly need an idealized exchange. */
    public static RestModel ideal() {
        return new RestModel(Duration.ZERO, Duration.ZERO, 0, 0, false);
    }

    public RestModel withBookCache(Duration cache) {
        return new RestModel(cache, bookDelay, perSecond, perTenMinutes, stampLastChange);
    }

    public RestModel withBookDelay(Duration delay) {
        return new RestModel(bookCache, delay, perSecond, perTenMinutes, stampLastChange);
    }

    public RestModel withLimits(int perSecond, int perTenMinutes) {
        return new RestModel(bookCache, bookDelay, perSecond, perTenMinutes, stampLastChange);
    }
}
