package dev.orderflow.query.events;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.orderflow.query.coverage.CoverageBody;

/** The shape of a JSON page of {@code /v1/events}, for the OpenAPI document. */
@Schema(name = "EventPage")
public record EventPageBody(
        @Schema(description = "The events, in exchange order.") List<EventBody> events,
        @Schema(description = "Cursor of the next page, or null on the last page.", nullable = true)
        String next_cursor,
        @Schema(description = "URL of the next page, or null.", nullable = true) String next,
        CoverageBody coverage) {

    @Schema(name = "Event", description = "One event. Besides the fields below, every other field the exchange sent "
            + "(data fields, then top-level ones such as order_source), e.g. order_subtype, amount_traded, "
            + "amount_at_create, is_liquidation, datetime, buy_order_id, sell_order_id, timestamp. Ids (id, *_id) "
            + "and decimals are strings; other integers numbers. A field named like one below gets the prefix "
            + "data_ (from data) or frame_ (top level).", additionalProperties = Schema.True.class)
    public record EventBody(
            @Schema(example = "btcusd") String pair,
            @Schema(enumeration = {"orders", "trades"}) String channel,
            @Schema(description = "The exchange's event name.",
                    enumeration = {"order_created", "order_changed", "order_deleted", "trade"}) String type,
            @Schema(description = "data.microtimestamp: µs since the epoch.") long microtimestamp,
            @Schema(description = "microtimestamp as ISO-8601 UTC with six fraction digits.",
                    example = "2026-08-09T10:24:21.947000Z") String time,
            @Schema(description = "When the capture service received the frame: µs since the epoch, by its clock"
                    + " (microtimestamp is the exchange's).") long received_microtimestamp,
            @Schema(description = "data.id_str (order id, or trade id).") String id,
            @Schema(description = "orders: order_type 0 buy, 1 sell; trades: type 0 buy, 1 sell (taker).",
                    enumeration = {"buy", "sell"}) String side,
            @Schema(description = "data.price_str, exactly.", example = "64839.06") String price,
            @Schema(description = "data.amount_str, exactly (orders: what remains).", example = "0.00171371")
            String amount,
            @Schema(description = "Since 2026, orders only.") String event_id,
            @Schema(description = "event_id of the previous event on the channel (orders).") String pre_event_id) {
    }
}
