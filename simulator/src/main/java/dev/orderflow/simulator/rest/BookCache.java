package dev.orderflow.simulator.rest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The edge cache in front of the exchange's REST books: a body is served again, unchanged, to the same URL (path and
 * query) until it is {@code ttl} old; another URL (a nonce parameter) gets a fresh one. Used on the event loop only.
 */
final class BookCache {
    private record Entry(String body, long builtNanos) {
    }

    private final long ttlNanos;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long hits;

    BookCache(long ttlNanos) {
        this.ttlNanos = ttlNanos;
    }

    String get(String url, long nanos, Supplier<String> build) {
        if (ttlNanos <= 0) {
            return build.get();
        }
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            if (nanos - it.next().getValue().builtNanos() >= ttlNanos) {
                it.remove(); // entries are in insertion order, so the expired ones come first
            } else {
                break;
            }
        }
        Entry cached = entries.get(url);
        if (cached != null) {
            hits++;
            return cached.body();
        }
        String body = build.get();
        entries.put(url, new Entry(body, nanos));
        return body;
    }

    long hits() {
        return hits;
    }
}
