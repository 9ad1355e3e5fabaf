package dev.orderflow.storage;

import java.util.List;

/**
 * A window of one pair and channel in which events may be missing.
 *
 * @param kind             {@link Kind#CHAIN_BREAK}: the exchange's {@code pre_event_id → event_id} chain broke;
 *                         {@link Kind#DISCONNECT}: the capture was not connected or not subscribed
 * @param fromMicros       time of the last good event before the window (µs)
 * @param toMicros         time of the first event after the window (µs), or of the reconnect when none came yet
 * @param lastEventId      {@code event_id} of the last good event before, when known (else {@code null})
 * @param firstEventIdAfter {@code event_id} of the first event after, when known (else {@code null})
 * @param expectedPreEventId for a chain break: the {@code pre_event_id} the next event should have carried
 * @param detail           a short human-readable reason
 * @param hosts            the capture hosts that missed the window: as stored, the one host that wrote the record
 *                         (empty in tables written before hosts were named); as answered for several hosts, every
 *                         host, since a window is a gap of the record only when all of them missed it
 *                         ({@link UnionGaps})
 * @param receivingUntilMicros for a disconnect, where known: the host received every event stamped before this
 *                         (its last sign of the old connection, less a margin for latency and clock skew), so
 *                         what it missed lies in [max(from, this), ...]; else {@code null}
 * @param receivingAgainMicros for a disconnect, where known: the host received every event stamped after this
 *                         (its new subscription, plus the same margin); else {@code null}
 */
public record GapRecord(String pair, Channel channel, Kind kind, long fromMicros, long toMicros,
        String lastEventId, String firstEventIdAfter, String expectedPreEventId, String detail, List<String> hosts,
        Long receivingUntilMicros, Long receivingAgainMicros) {

    public GapRecord {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }

    public GapRecord(String pair, Channel channel, Kind kind, long fromMicros, long toMicros, String lastEventId,
            String firstEventIdAfter, String expectedPreEventId, String detail, List<String> hosts) {
        this(pair, channel, kind, fromMicros, toMicros, lastEventId, firstEventIdAfter, expectedPreEventId, detail,
                hosts, null, null);
    }

    /** The times in which this host may have missed events: {@code [from, to]}, narrowed by what it knows. */
    public long missedFromMicros() {
        return receivingUntilMicros == null ? fromMicros : Math.min(toMicros, Math.max(fromMicros,
                receivingUntilMicros));
    }

    public long missedToMicros() {
        return receivingAgainMicros == null ? toMicros : Math.max(missedFromMicros(), Math.min(toMicros,
                receivingAgainMicros));
    }

    /** The same record, narrowed by when the host knows it was receiving (either may be {@code null}). */
    public GapRecord receiving(Long until, Long again) {
        return new GapRecord(pair, channel, kind, fromMicros, toMicros, lastEventId, firstEventIdAfter,
                expectedPreEventId, detail, hosts, until, again);
    }

    /** A record of no named host. */
    public GapRecord(String pair, Channel channel, Kind kind, long fromMicros, long toMicros, String lastEventId,
            String firstEventIdAfter, String expectedPreEventId, String detail) {
        this(pair, channel, kind, fromMicros, toMicros, lastEventId, firstEventIdAfter, expectedPreEventId, detail,
                List.of());
    }

    /** The same record, as written by capture host {@code host}. */
    public GapRecord byHost(String host) {
        return new GapRecord(pair, channel, kind, fromMicros, toMicros, lastEventId, firstEventIdAfter,
                expectedPreEventId, detail, List.of(host), receivingUntilMicros, receivingAgainMicros);
    }

    public enum Kind {
        CHAIN_BREAK("chain_break"),
        DISCONNECT("disconnect"),
        /** DynamoDB refused the window's item for good: it is kept in the capture's dead-letter area. */
        NOT_STORED("not_stored"),
        /**
         * Events not kept: dropped while the journal was full and memory at its bound (DynamoDB down for long), or
         * in journal records found unreadable at start (a damaged disk).
         */
        NOT_KEPT("not_kept");

        private final String apiName;

        Kind(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        public static Kind fromApiName(String name) {
            for (Kind k : values()) {
                if (k.apiName.equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown gap kind " + name);
        }
    }
}
