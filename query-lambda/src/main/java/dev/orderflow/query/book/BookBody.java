package dev.orderflow.query.book;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.orderflow.query.coverage.CoverageBody;

/** The shape of a {@code /v1/book} answer, for the OpenAPI document (held to the real answers by a test). */
@Schema(name = "Book")
record BookBody(String pair, String at, long at_microtimestamp,
        @Schema(enumeration = {"3", "2"}) int level,
        @Schema(nullable = true) Integer depth,
        @Schema(nullable = true, description = "The last live_orders event applied (null: the book is the "
                + "snapshot's).") LastEventBody last_event,
        @Schema(nullable = true) LevelBody best_bid,
        @Schema(nullable = true) LevelBody best_ask,
        @Schema(nullable = true, description = "best ask minus best bid, exact.") String spread,
        @Schema(nullable = true, description = "(best bid + best ask) / 2, exact.") String mid,
        CountsBody counts,
        @Schema(description = "Coverage of the orders channel from the snapshot to `at`, with the snapshot and "
                + "its certification.", allOf = {CoverageBody.class, BookCoverageBody.class})
        Object coverage,
        @Schema(description = "Level 3: orders; level 2: levels. Best first.") List<RowBody> bids,
        List<RowBody> asks) {

    @Schema(name = "BookLastEvent")
    record LastEventBody(String event_id, long microtimestamp, String time, String type, String id) {
    }

    @Schema(name = "BookLevel")
    record LevelBody(String price, String amount, int orders) {
    }

    @Schema(name = "BookCounts")
    record CountsBody(int snapshot_orders, int events_applied,
            @Schema(description = "Events sharing the snapshot's microtimestamp (applied again; unknown ids among "
                    + "them are not counted).") int snapshot_overlap_events,
            @Schema(description = "order_created at 999999999 (buy) or 0 (sell): never rest.") int market_orders,
            @Schema(description = "order_changed of an order not in the book (it is put in the book).")
            int unknown_order_changes,
            @Schema(description = "order_deleted of an order not in the book.") int unknown_order_deletes,
            @Schema(description = "Events or snapshot rows that could not be read (left out), events of an unknown "
                    + "type included.") int malformed_events,
            int bid_orders, int ask_orders, int bid_levels, int ask_levels,
            @Schema(description = "Events of a type the book does not know (left out), by type.")
            Map<String, Integer> unknown_event_types) {
    }

    @Schema(name = "BookRow", description = "Level 3: side, price, amount, id, microtimestamp, time (null when "
            + "unchanged since the snapshot). Level 2: side, price, amount, orders.")
    record RowBody(String side, String price, String amount, String id,
            @Schema(nullable = true) Long microtimestamp, @Schema(nullable = true) String time, Integer orders) {
    }

    @Schema(name = "BookCoverage", description = "What a book's coverage adds to the range's.")
    record BookCoverageBody(SnapshotUsedBody snapshot, CertificationBody certification) {
    }

    @Schema(name = "BookSnapshotUsed", description = "The snapshot the book was rebuilt from.")
    record SnapshotUsedBody(long microtimestamp, String time,
            @Schema(enumeration = {"connect", "periodic"}) String reason,
            @Schema(description = "When the capture received it.") String received,
            @Schema(description = "Later snapshots passed over for a missing part.") List<SkippedBody> skipped) {
    }

    @Schema(name = "BookSnapshotSkipped")
    record SkippedBody(long microtimestamp, String time, @Schema(enumeration = {"missing_part"}) String reason,
            int parts, int parts_found) {
    }

    @Schema(name = "BookCertification", description = "Whether the stretch from the snapshot on was checked against "
            + "the next snapshot (its rebuild compared with that snapshot); the counts only for a checked stretch.")
    record CertificationBody(@Schema(enumeration = {"certified", "contradicted", "not_checked"}) String status,
            @Schema(nullable = true, description = "Stamp of the snapshot whose check it is.")
            Long snapshot_microtimestamp,
            @Schema(nullable = true) String snapshot_time,
            @Schema(nullable = true) String detail,
            Integer missing, Integer extra, Integer differing, Integer queue_levels, Integer events_applied,
            @Schema(description = "The first 20 differences.") List<SnapshotsResource.DifferenceBody> differences) {
    }
}
