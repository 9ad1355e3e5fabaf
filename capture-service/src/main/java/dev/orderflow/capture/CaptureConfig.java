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

    /** The exchange's WebSocket feed. */
    interface Feed {
        /** WebSocket endpoint ({@code CAPTURE_FEED_URL}). */
        @WithDefault("wss://ws.bitstamp.net")
        String url();

        /** REST base URL, used to list pairs for {@code all} ({@code CAPTURE_REST_URL}). */
        @WithDefault("https://www.bitstamp.net")
        String restUrl();

        /** Pairs to capture, e.g. {@code btcusd,ethusd}; {@code all} means every enabled pair ({@code CAPTURE_PAIRS}). */
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

        /** How often open windows are checked for sealing. */
        @WithDefault("100ms")
        Duration sealInterval();

        /** How long a written window's events stay in memory so that a late event rewrites the whole window. */
        @WithDefault("60s")
        Duration lateRetention();

        /** Events the queue in front of the writer holds at most; beyond it sealed windows wait in the assembler. */
        @WithDefault("200000")
        int queueCapacity();

        /** Items per {@code BatchWriteItem} call (DynamoDB accepts at most 25). */
        @WithDefault("25")
        int batchItems();

        /** First delay before resending unprocessed items or retrying after an outage; doubled each time. */
        @WithDefault("50ms")
        Duration retryMinBackoff();

        /** Largest delay between such retries. */
        @WithDefault("5s")
        Duration retryMaxBackoff();

        /** The catalog item of a channel is updated at most this often (and always at shutdown). */
        @WithDefault("5s")
        Duration catalogInterval();

        /** The writer counts as stuck (not ready) when it has work and confirmed nothing for this long. */
        @WithDefault("30s")
        Duration stuckAfter();

        /** At shutdown, how long the writer may take to flush before what is left is counted as refused. */
        @WithDefault("8s")
        Duration shutdownTimeout();
    }
}
