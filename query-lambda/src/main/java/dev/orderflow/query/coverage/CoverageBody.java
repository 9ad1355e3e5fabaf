package dev.orderflow.query.coverage;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The shape of a {@code coverage} object and of a gap record, for the OpenAPI document. */
@Schema(name = "Coverage", description = "Whether the answer holds everything the exchange sent in [from, to).")
public record CoverageBody(
        @Schema(description = "Start of the range the answer covers (ISO-8601).") String from,
        @Schema(description = "End, exclusive.") String to,
        @Schema(description = "False when a gap record concerns the range, the range reaches past the last confirmed "
                + "write or starts before the first stored event, or a stored chunk could not be read.")
        boolean complete,
        @Schema(description = "When the capture last confirmed a write.", nullable = true) String confirmed_until,
        @Schema(description = "Why not complete.") List<Reason> reasons,
        @Schema(description = "Gap records concerning the range (the first 20).") List<GapBody> gaps,
        @Schema(description = "More gap records concern the range than listed.") boolean gaps_truncated,
        @Schema(description = "The /v1/gaps query for the range.") String gaps_url) {

    /** Why a range is not complete (as {@code CoverageCheck} and the book's certification say). */
    @Schema(name = "CoverageReason")
    public enum Reason { gaps, after_confirmed_writes, before_first_event, unreadable_chunks, contradicted }

    @Schema(name = "Gap", description = "A time in which events may be missing: anywhere in [from, to] (inclusive).")
    public record GapBody(
            String pair,
            @Schema(enumeration = {"orders", "trades"}) String channel,
            @Schema(description = "chain_break: the exchange's pre_event_id → event_id chain broke; disconnect: the "
                    + "capture was not connected or not subscribed.", enumeration = {"chain_break", "disconnect"})
            String kind,
            @Schema(description = "Time of the last good event before (ISO-8601).") String from,
            @Schema(description = "Time of the first event after, or of the reconnect.") String to,
            long from_microtimestamp,
            long to_microtimestamp,
            @Schema(nullable = true) String last_event_id,
            @Schema(nullable = true) String first_event_id_after,
            @Schema(nullable = true) String expected_pre_event_id,
            @Schema(nullable = true) String detail,
            @Schema(nullable = true, description = "The capture hosts that all missed this time (absent for a table "
                    + "written by one unnamed host). With several hosts, a time only some of them missed is no gap: "
                    + "the table holds what the others received.") List<String> hosts,
            @Schema(nullable = true, description = "Only with /v1/gaps?records=hosts: whether the other capture "
                    + "hosts cover this host's record (no gap of the record meets it).") Boolean covered) {
    }
}
