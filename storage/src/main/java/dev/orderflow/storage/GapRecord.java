package dev.orderflow.storage;

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
 */
public record GapRecord(String pair, Channel channel, Kind kind, long fromMicros, long toMicros,
        String lastEventId, String firstEventIdAfter, String expectedPreEventId, String detail) {

    public enum Kind {
        CHAIN_BREAK("chain_break"),
        DISCONNECT("disconnect"),
        /** DynamoDB refused the window's item for good: it is kept in the capture's dead-letter area. */
        NOT_STORED("not_stored"),
        /** Events dropped: the journal was full and memory at its bound (DynamoDB down for long). */
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
