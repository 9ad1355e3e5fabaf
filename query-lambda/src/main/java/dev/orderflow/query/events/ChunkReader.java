package dev.orderflow.query.events;

import java.util.Iterator;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.storage.ChannelChunks;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads the stored chunks of one pair and channel in key order (window by window, parts in order; its sections of
 * shared items among them, see {@link ChannelChunks}) with
 * {@code Query} on the key range, never {@code Scan}. Items are fetched lazily in batches that grow, so a small
 * page reads little and a long walk few requests; chunks are decoded only when asked.
 */
@ApplicationScoped
public class ChunkReader {
    private static final int MAX_BATCH = 1000;

    private final DynamoDbClient db;
    private final QueryConfig config;

    public ChunkReader(DynamoDbClient db, QueryConfig config) {
        this.db = db;
        this.config = config;
    }

    /** One stored item: its sort key, the span of its events and, on demand, its events. */
    public record StoredChunk(String sk, Map<String, AttributeValue> item) {
        /** µs of its first event ({@code t0}); where the item does not say, its window's start. */
        public long firstMicros() {
            return TableLayout.firstMicros(item, TableLayout.windowOfSk(sk));
        }

        /** µs of its last event ({@code t1}); where the item does not say, no bound. */
        public long lastMicros() {
            return TableLayout.lastMicros(item, Long.MAX_VALUE);
        }

        /** Events in the chunk per its {@code n} attribute, or -1 when the item does not say. */
        public int declaredEvents() {
            AttributeValue n = item.get(TableLayout.EVENTS);
            try {
                return n == null || n.n() == null ? -1 : Integer.parseInt(n.n());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** Its events, read one at a time without building their frames. */
        public Events events() {
            return new Events(this);
        }
    }

    /**
     * The events of a stored chunk as views, one at a time. A chunk that cannot be decoded, from its start or
     * part-way through, ends where the damage begins: that is logged once, and {@link #damaged()} says so.
     */
    public static final class Events {
        private final StoredChunk chunk;
        private EventView.Events events;
        private boolean damaged;

        Events(StoredChunk chunk) {
            this.chunk = chunk;
            try {
                events = TableLayout.viewItem(chunk.item())
                        .orElseThrow(() -> new IllegalStateException("the item holds no event chunk"));
            } catch (RuntimeException e) {
                damage(e);
            }
        }

        /** Moves to the next event; false after the last one, or where the chunk cannot be read further. */
        public boolean next() {
            try {
                return events != null && events.next();
            } catch (RuntimeException e) {
                damage(e);
                return false;
            }
        }

        /** The current event (the same view every time; see {@link EventView}). */
        public EventView event() {
            return events.event();
        }

        /** Events the chunk holds, as its header says (0 when it cannot be read at all). */
        public int size() {
            return events == null ? 0 : events.size();
        }

        /** Whether the chunk could not be read to its end. */
        public boolean damaged() {
            return damaged;
        }

        private void damage(RuntimeException e) {
            events = null;
            damaged = true;
            AttributeValue pk = chunk.item().get(TableLayout.PK);
            Log.errorf(e, "Stored chunk %s %s cannot be decoded; its events from there on are left out",
                    pk == null ? "?" : pk.s(), chunk.sk());
        }
    }

    /**
     * Chunks of the pair and channel with {@code fromSk <= sk <= toSk}, its own items and its sections of shared
     * items ({@link ChannelChunks}); the first request of each asks for {@code firstBatch} items.
     */
    public Iterator<StoredChunk> read(String pair, Channel channel, String fromSk, String toSk, int firstBatch) {
        int batch = Math.max(1, Math.min(firstBatch, MAX_BATCH));
        Iterator<Map<String, AttributeValue>> items = ChannelChunks.read(ChannelChunks.of(db, config.table(), batch,
                MAX_BATCH, CoverageRule.CONSISTENT_READS), pair, channel, fromSk, toSk);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public StoredChunk next() {
                Map<String, AttributeValue> item = items.next();
                return new StoredChunk(item.get(TableLayout.SK).s(), item);
            }
        };
    }
}
