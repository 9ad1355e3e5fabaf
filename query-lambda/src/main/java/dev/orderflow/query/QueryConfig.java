package dev.orderflow.query;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The query API's whole configuration. The OpenAPI document states the same defaults and maxima
 * ({@code OpenApiTest} checks that they agree).
 */
@ConfigMapping(prefix = "query")
public interface QueryConfig {

    /** DynamoDB table holding event chunks, gap records and the catalog (environment {@code ORDERFLOW_TABLE}). */
    @WithDefault("orderflow")
    String table();

    /** {@code /v1/events}. */
    Events events();

    /** {@code /v1/trades/candles}. */
    Candles candles();

    /** {@code /v1/gaps} and the {@code coverage} of every answer. */
    Gaps gaps();

    /** The {@code cursor} that continues a paged answer. */
    Cursor cursor();

    /** {@code /v1/book} and {@code /v1/book/snapshots}. */
    Book book();

    interface Events {
        /** Events per page when {@code limit} is not given. */
        @WithDefault("1000")
        int defaultLimit();

        /** Largest {@code limit} a client may ask for. */
        @WithDefault("10000")
        int maxLimit();

        /** Length of {@code [from, to)} when neither or only one of them is given. */
        @WithDefault("PT1H")
        Duration defaultSpan();

        /** Longest {@code [from, to)} one query may cover (a client walks it page by page with the cursor). */
        @WithDefault("P1D")
        Duration maxSpan();

        /**
         * Upper bound on a page body's size as it travels inside the Lambda response (JSON-escaped), in bytes.
         * A page ends before the event that would cross it; Lambda's own limit is 6 MB for the whole response.
         */
        @WithDefault("5000000")
        int maxPageBytes();

        /**
         * Stored chunks (one per second and channel, more for busy seconds) one page may read. With sparse filters
         * a page can end early, even empty, with a cursor to continue: this bounds the work of one request.
         */
        @WithDefault("5000")
        int maxScanChunks();
    }

    interface Candles {
        /** Bars per answer when {@code from} is not given. */
        @WithDefault("60")
        int defaultBars();

        /** Most bars one answer may hold. */
        @WithDefault("1500")
        int maxBars();

        /** Longest {@code [from, to)} one candle query may cover (all its trades are read in one request). */
        @WithDefault("P7D")
        Duration maxSpan();
    }

    interface Gaps {
        /** Most gap records one {@code /v1/gaps} answer lists (a longer list is marked {@code truncated}). */
        @WithDefault("1000")
        int maxItems();

        /** Most gap records a {@code coverage} object lists inline (all of them count for {@code complete}). */
        @WithDefault("20")
        int maxInCoverage();
    }

    interface Cursor {
        /**
         * Secret that signs cursors (HMAC-SHA256), from environment {@code ORDERFLOW_CURSOR_KEY}. Every instance
         * serving the same table must share it, or a cursor from one is refused by another. The default serves
         * the dev and test profiles only: elsewhere the function refuses to start without a key of at least 32
         * characters (template.yaml generates one per stack in Secrets Manager).
         */
        @WithDefault("orderflow-local-cursor-key")
        String key();
    }

    interface Book {
        /**
         * Longest time between the snapshot a book starts from and the instant asked for: a rebuild reads every
         * event in between, so an older snapshot is refused (the capture stores one at least hourly).
         */
        @WithDefault("PT6H")
        Duration maxReplay();

        /** Most snapshots one {@code /v1/book/snapshots} answer lists (a longer list is marked {@code truncated}). */
        @WithDefault("200")
        int maxSnapshots();

        /** Longest {@code [from, to)} of {@code /v1/book/snapshots}; without {@code from}, {@code to} minus this. */
        @WithDefault("P7D")
        Duration snapshotsMaxSpan();

        /**
         * How far before a snapshot's stamp the rebuild starts re-applying stored events
         * ({@code dev.orderflow.storage.book.SnapshotAlignment}; environment {@code ORDERFLOW_SNAPSHOT_MARGIN}, which
         * the capture reads too).
         */
        @WithDefault("PT0.05S")
        Duration alignmentMargin();
    }
}
