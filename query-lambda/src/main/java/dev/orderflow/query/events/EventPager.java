package dev.orderflow.query.events;

import java.util.Iterator;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.events.ChunkReader.StoredChunk;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.TableLayout;

/**
 * Chooses one page of a query and writes its events: from the query's start or a cursor, in stored order, until
 * {@code limit} events, the page's byte budget, or the scan budget is reached.
 */
@ApplicationScoped
public class EventPager {
    private final ChunkReader reader;
    private final QueryConfig config;

    public EventPager(ChunkReader reader, QueryConfig config) {
        this.reader = reader;
        this.config = config;
    }

    /**
     * One page.
     *
     * @param events            events written
     * @param next              where the next page starts, or {@code null} when the query is exhausted
     * @param coverFromMicros   start of the time this page covers
     * @param coverToMicros     end (exclusive) of the time this page covers: where {@code next} starts, or the
     *                          query's {@code to}
     * @param unreadableChunks  stored chunks that could not be decoded (their events are missing from the answer)
     */
    public record Page(int events, Cursor next, long coverFromMicros, long coverToMicros, int unreadableChunks) {
    }

    /**
     * Writes the page that starts at {@code start} (or the query's beginning when {@code null}) into
     * {@code rows}, keeping {@code buffer} (the buffer {@code rows} writes to) within {@code maxBytes}.
     */
    public Page read(EventQuery query, Cursor start, int limit, RowWriter rows, PageBuffer buffer, long maxBytes) {
        long pageFrom = start == null ? query.fromMicros() : start.atMicros();
        String startSk = start == null ? TableLayout.lowestSk(query.fromMicros()) : start.sk();
        int startIndex = start == null ? 0 : start.index();
        Iterator<StoredChunk> chunks = reader.read(query.pair(), query.channel(), startSk,
                TableLayout.highestSk(query.toMicros()), limit / 50 + 2);
        Bounds bounds = new Bounds(pageFrom, query.toMicros());
        EventFields fields = new EventFields(query.pair(), query.channel());
        int count = 0;
        int scanned = 0;
        int unreadable = 0;
        long reached = pageFrom;
        while (chunks.hasNext()) {
            StoredChunk chunk = chunks.next();
            scanned++;
            int first = chunk.sk().equals(startSk) ? startIndex : 0;
            // the key range starts at the slot of `from`: items wholly before it (or after `to`) are skipped
            boolean outside = chunk.lastMicros() < query.fromMicros() || chunk.firstMicros() >= query.toMicros();
            int declared = chunk.declaredEvents();
            if (!outside && (declared < 0 || first < declared)) {
                ChunkReader.Events events = chunk.events();
                for (int i = 0; events.next(); i++) {
                    if (i < first) {
                        continue;
                    }
                    EventView event = events.event();
                    long at = event.microtimestamp();
                    reached = Math.max(reached, at);
                    if (!fields.matches(query, event)) {
                        continue;
                    }
                    fields.write(event, rows);
                    if (count > 0 && buffer.escapedSize() > maxBytes) {
                        rows.dropRow();
                        Cursor next = new Cursor(query, chunk.sk(), i, bounds.clamp(at));
                        return new Page(count, next, pageFrom, next.atMicros(), unreadable);
                    }
                    count++;
                    if (count == limit) {
                        if (i + 1 < events.size()) {
                            // the next page starts at the following event, no earlier than its time
                            long following = events.next() ? Math.max(at, events.event().microtimestamp()) : at;
                            Cursor next = new Cursor(query, chunk.sk(), i + 1, bounds.clamp(following));
                            return new Page(count, next, pageFrom, next.atMicros(), unreadable);
                        }
                        return pageEndingAfter(query, chunks, reached + 1, bounds, count, pageFrom, unreadable);
                    }
                }
                unreadable += events.damaged() ? 1 : 0;
            }
            if (scanned >= config.events().maxScanChunks()) {
                return pageEndingAfter(query, chunks, reached, bounds, count, pageFrom, unreadable);
            }
        }
        return new Page(count, null, pageFrom, query.toMicros(), unreadable);
    }

    /** A page that ends after a whole chunk: the next page starts at the following chunk, if there is one. */
    private static Page pageEndingAfter(EventQuery query, Iterator<StoredChunk> chunks, long reached, Bounds bounds,
            int count, long pageFrom, int unreadable) {
        if (!chunks.hasNext()) {
            return new Page(count, null, pageFrom, query.toMicros(), unreadable);
        }
        StoredChunk following = chunks.next();
        Cursor next = new Cursor(query, following.sk(), 0,
                bounds.clamp(Math.max(reached, following.firstMicros())));
        return new Page(count, next, pageFrom, next.atMicros(), unreadable);
    }

    private record Bounds(long from, long to) {
        long clamp(long t) {
            return Math.min(to, Math.max(from, t));
        }
    }
}
