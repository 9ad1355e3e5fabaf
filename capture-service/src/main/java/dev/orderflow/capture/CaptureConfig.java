package dev.orderflow.capture;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything the capture service can be told; environment variables are bridged in application.properties. */
@ConfigMapping(prefix = "capture")
public interface CaptureConfig {

    Feed feed();

    Table table();

    Writer writer();

    Journal journal();

    DeadLetter deadLetter();

    Certify certify();

    Host host();

    /**
     * This capture process as one of several writing the same table (active-active): the table holds the union of
     * what the hosts received, and a window is a gap only where every host missed it
     * ({@code dev.orderflow.storage.UnionGaps}).
     */
    interface Host {
        /** This host's name ({@code dev.orderflow.storage.Hosts#PATTERN}), unique among the hosts of a table. */
        @WithDefault("a")
        String id();

        /**
         * How long after sealing a window this host waits before writing it. 0 (the first host): it writes at once,
         * each part only if absent. More (the other hosts): by then the first host has usually stored the window, so
         * this one reads what is stored first and writes only when it holds events the table lacks; a window already
         * complete costs reads, no writes.
         */
        @WithDefault("0s")
        Duration writeDelay();
    }

    /**
     * Certification of stored snapshots ({@code dev.orderflow.storage.book.Certifier}): each new snapshot is compared
     * with the book rebuilt from the previous one and the stored events, and the verdict is stored beside it.
     */
    interface Certify {
        /** How often stored snapshots without a verdict are looked for (per pair); 0 = never. */
        @WithDefault("60s")
        Duration interval();


        /** Snapshots stored this long before the channel's confirmed writes are still looked at. */
        @WithDefault("24h")
        Duration lookback();

        /** Two snapshots further apart than this are not compared (the query rebuilds at most this far, too). */
        @WithDefault("6h")
        Duration maxSpan();
    }

    Snapshot snapshot();

    /**
     * L3 order book snapshots ({@code /api/v2/order_book/<pair>/?group=2}), fetched after every (re)connect and
     * periodically, within the exchange's REST rate limits.
     */
    interface Snapshot {
        /** How often a snapshot is stored per pair besides the one after every (re)connect; 0 = never. */
        @WithDefault("15m")
        Duration interval();

        /**
         * How long events must have flowed on a new connection before its snapshot is fetched: the exchange's REST
         * book lags the stream (recorded real books arrived 0.07–2.56 s after their stamp), so one fetched at once
         * is older than the first event captured and cannot be used.
         */
        @WithDefault("3s")
        Duration connectDelay();

        /**
         * The alignment margin ({@code ORDERFLOW_SNAPSHOT_MARGIN}, the query's rebuild uses the same): a snapshot is
         * usable only if its stamp lies at least this long after the first event captured since the (re)connect
         * (see {@code dev.orderflow.storage.book.SnapshotAlignment}; certification re-applies events from the same margin); else it is fetched again.
         */
        @WithDefault("50ms")
        Duration margin();

        /**
         * Snapshot requests per second at most, over all pairs (a token bucket), so that a reconnect with many
         * pairs stays far inside the exchange's limits (about 400 per second and 10,000 per 10 minutes).
         */
        @WithDefault("8")
        double requestsPerSecond();

        /** First delay before fetching again after a failed or unusable snapshot; doubled each time. */
        @WithDefault("1s")
        Duration retryMinBackoff();

        /** Largest delay between such fetches. */
        @WithDefault("30s")
        Duration retryMaxBackoff();

        /** Fetches of one snapshot at most before it is given up (counted); the next one is due at the interval. */
        @WithDefault("30")
        int maxAttempts();
    }

    /** Work DynamoDB refused for good, kept in {@code <journal dir>/dead-letter}. */
    interface DeadLetter {
        /** At start, put every kept record back on the write path ({@code CAPTURE_DEAD_LETTER_REPLAY}). */
        @WithDefault("false")
        boolean replay();
    }

    /** The exchange's WebSocket feed. */
    interface Feed {
        /** WebSocket endpoint ({@code CAPTURE_FEED_URL}). */
        @WithDefault("wss://ws.bitstamp.net")
        String url();

        /** REST base URL: order book snapshots, and the markets listed for {@code all} ({@code CAPTURE_REST_URL}). */
        @WithDefault("https://www.bitstamp.net")
        String restUrl();

        /**
         * Pairs to capture, e.g. {@code btcusd,ethusd,btcusd-perp}; {@code all} means every market
         * {@code /api/v2/markets/} lists as trading, perpetuals included ({@code CAPTURE_PAIRS}).
         */
        @WithDefault("btcusd,ethusd")
        List<String> pairs();

        /** How often the client sends {@code bts:heartbeat}. */
        @WithDefault("15s")
        Duration heartbeatInterval();

        /** First delay before reconnecting after a lost connection; doubled per failed attempt. */
        @WithDefault("500ms")
        Duration reconnectMinBackoff();

        /** Largest delay between reconnect attempts. */
        @WithDefault("30s")
        Duration reconnectMaxBackoff();

        /** A connection that delivered nothing (no frame, no pong) for this long is half-open: it is replaced. */
        @WithDefault("10s")
        Duration silenceTimeout();

        /** How often the client sends a WebSocket ping (a pong or any frame proves the connection alive). */
        @WithDefault("3s")
        Duration pingInterval();

        /**
         * A connection on which no data frame (an event of a subscribed channel: order or trade) arrived for this long
         * is stale and replaced, even while it answers pings and heartbeats ({@code CAPTURE_FEED_DATA_TIMEOUT}); 0 turns
         * the check off. Data of every channel of the connection counts, so only a connection on which all channels are
         * quiet is suspected: with {@code btcusd} among the pairs (about 70 order events/s) that never lasts a
         * minute. So that a set of quiet
         * pairs does not cause a reconnect storm, the timeout doubles after each stale replacement, up to
         * {@code data-timeout-max}, and is back to this value with the next data frame.
         */
        @WithDefault("60s")
        Duration dataTimeout();

        /** The largest the data timeout grows to after consecutive stale replacements without data between them. */
        @WithDefault("15m")
        Duration dataTimeoutMax();

        /** A connection that stayed up this long counts as healthy: the reconnect backoff starts again from the minimum. */
        @WithDefault("30s")
        Duration healthyAfter();

        /** During a make-before-break switch, how long the new connection may take to subscribe before it is dropped. */
        @WithDefault("10s")
        Duration switchTimeout();

        /**
         * During a make-before-break switch, how long both connections are read at most; the old one is closed
         * sooner, once each {@code live_orders} channel's events of the new one join its chain.
         */
        @WithDefault("5s")
        Duration overlapTimeout();

        /** At most one log line per this period about bad frames (with the count since the last line). */
        @WithDefault("10s")
        Duration badFrameLogInterval();
    }

    /** The DynamoDB table. */
    interface Table {
        /** Table name ({@code ORDERFLOW_TABLE}). */
        @WithDefault("orderflow")
        String name();

        /** Create the table if it is missing (locally; in AWS the template owns it) ({@code CAPTURE_TABLE_CREATE}). */
        @WithDefault("false")
        boolean create();
    }

    /** Windowing events into chunks and writing them. */
    interface Writer {
        /** A window is sealed and written this long after its end (events arrive slightly out of time order). */
        @WithDefault("300ms")
        Duration windowGrace();

        /**
         * The longest an event waits in an open part before the part is written: a quiet channel's freshness. A
         * window (10 s slot) bounds it already; a shorter age closes parts by age too, which costs more writes (and
         * merges when hosts cut differently). At most the slot, 10 s.
         */
        @WithDefault("10s")
        Duration maxAge();

        /**
         * Whether quiet windows (a window's only part, closed with it, under a write unit's worth of frames) are
         * stored as sections of one shared item per group of channels and slot (layout 3), instead of an item each.
         * Readers read both ways whatever this says.
         */
        @WithDefault("true")
        boolean shareQuietWindows();

        /** How often open windows are checked for sealing. */
        @WithDefault("100ms")
        Duration sealInterval();

        /**
         * Bytes of received records held in memory at most until DynamoDB stores them; 0 (the default) means a
         * quarter of the heap. Past it, records wait in the journal and are read back as the writer frees memory,
         * so memory stays bounded whatever the outage's length.
         */
        @WithDefault("0")
        long maxHeldBytes();

        /** Writer threads: items are written one conditional put each, this many at once. */
        @WithDefault("4")
        int threads();

        /** First delay before retrying a DynamoDB call the environment may fix (the one retry layer); doubled each time. */
        @WithDefault("50ms")
        Duration retryMinBackoff();

        /** Largest delay between such retries. */
        @WithDefault("5s")
        Duration retryMaxBackoff();

        /** The catalog item of a channel is updated at most this often (and always at shutdown). */
        @WithDefault("5s")
        Duration catalogInterval();

        /**
         * A job left held by a failure that may pass (the dead-letter area or a refused window's gap record not
         * written, an {@code Error}) is tried again after this long; it stays in the journal meanwhile.
         */
        @WithDefault("60s")
        Duration retryHeldAfter();

        /** The writer counts as stuck (not ready) when it has work and confirmed nothing for this long. */
        @WithDefault("30s")
        Duration stuckAfter();

        /**
         * At shutdown (SIGTERM), how long the writer may take to flush before it stops; what it could not write stays
         * in the journal for the next start. With the feed's close (at most 3 s) the process exits within 10 s.
         */
        @WithDefault("6s")
        Duration shutdownTimeout();
    }

    /** The durable local journal (see {@code dev.orderflow.capture.journal.Journal} for the fsync policy). */
    interface Journal {
        /** Directory of the segment files ({@code CAPTURE_JOURNAL_DIR}). */
        @WithDefault("data/journal")
        String dir();

        /** Records are forced to disk (fsync) at least this often, and... */
        @WithDefault("20ms")
        Duration fsyncInterval();

        /** ...as soon as this many records wait for it, whichever comes first. */
        @WithDefault("1000")
        int fsyncRecords();

        /** A segment is closed (and becomes deletable once confirmed) at this size... */
        @WithDefault("16777216")
        long segmentBytes();

        /** ...or at this age, whichever comes first. */
        @WithDefault("5s")
        Duration segmentAge();

        /**
         * Bound on the journal's disk use; past it new frames are kept in memory only while it has room, and recorded
         * as a {@code not_kept} gap when it has none.
         */
        @WithDefault("4294967296")
        long maxBytes();

    }
}
