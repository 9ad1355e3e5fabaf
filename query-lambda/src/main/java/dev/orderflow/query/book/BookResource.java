package dev.orderflow.query.book;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Format;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.Times;
import dev.orderflow.storage.book.OrderBook;
import dev.orderflow.storage.book.OrderBook.Order;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.storage.Side;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.book.SnapshotReads;
import dev.orderflow.storage.Pairs;

/** {@code GET /v1/book}: the L3 or L2 book of a pair at an instant; {@code GET /v1/book/snapshots}: what it starts from. */
@Path("/v1/book")
@Tag(name = "book")
public class BookResource {
    private static final List<String> PARAMETERS = List.of("pair", "at", "level", "depth", "format");
    static final List<String> L3_COLUMNS = List.of("side", "price", "amount", "id", "microtimestamp", "time");
    static final List<String> L2_COLUMNS = List.of("side", "price", "amount", "orders");
    private static final int MAX_DEPTH = 1_000_000;

    private final Rebuilder rebuilder;
    private final Catalog catalog;
    private final QueryConfig config;

    public BookResource(Rebuilder rebuilder, Catalog catalog, QueryConfig config) {
        this.rebuilder = rebuilder;
        this.catalog = catalog;
        this.config = config;
    }

    @GET
    @Operation(summary = "The order book of a pair at an instant",
            description = "The book as it stood just after the last live_orders event at or before `at`, rebuilt "
                    + "from the latest stored snapshot at or before `at` with every part stored (at most 6 h (PT6H) "
                    + "earlier; later ones missing a part are listed in coverage.snapshot.skipped) and the stored "
                    + "events from its stamp minus the alignment margin (50 ms by default) on. Level 3: every resting order (id, side, price, amount, microtimestamp and time "
                    + "of its last event, null when it is unchanged since the snapshot), bids best first, asks best "
                    + "first, each level in queue order. Level 2: price levels with summed amount and order count. "
                    + "Also best_bid, best_ask, spread and mid (exact decimals), the last event applied, counts "
                    + "(events applied, market orders, changes and deletes of unknown orders) and `coverage`: the "
                    + "snapshot used and `complete:false` with reasons when a gap or disconnect record lies between "
                    + "the snapshot and `at` (a disconnect that began before a `connect` snapshot is covered by that "
                    + "snapshot), when the next snapshot contradicted the rebuild of this stretch (reason "
                    + "`contradicted`), or `at` is past the last confirmed write: the book may then be wrong. "
                    + "coverage.certification says whether the next snapshot certified the stretch (`certified`), "
                    + "`contradicted` it (with the differences) or it is `not_checked` yet. "
                    + "CSV carries the coverage in the X-Coverage-* headers and the snapshot and last event in "
                    + "X-Book-* headers (X-Book-Certification: the certification's status).")
    @Parameters({
        @Parameter(name = "pair", in = ParameterIn.QUERY, required = true, description = "Pair with stored data.",
                schema = @Schema(type = SchemaType.STRING, pattern = Pairs.PATTERN)),
        @Parameter(name = "at", in = ParameterIn.QUERY, required = true, description = "The instant, inclusive: "
                + "ISO-8601 (up to µs; without offset = UTC) or epoch milliseconds.",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "level", in = ParameterIn.QUERY, description = "3 (every order) or 2 (price levels). "
                + "Default 3.", schema = @Schema(type = SchemaType.INTEGER, enumeration = {"3", "2"},
                        defaultValue = "3")),
        @Parameter(name = "depth", in = ParameterIn.QUERY, description = "Only the best N price levels of each "
                + "side (level 3: the orders at those levels). Default: all.",
                schema = @Schema(type = SchemaType.INTEGER, minimum = "1")),
        @Parameter(name = "format", in = ParameterIn.QUERY, description = "json or csv; wins over the Accept "
                + "header. Default: by Accept, else json.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "csv"}))
    })
    @APIResponse(responseCode = "200", description = "The book.", content = {
        @Content(mediaType = "application/json", schema = @Schema(ref = "Book")),
        @Content(mediaType = "text/csv", schema = @Schema(description = "Level 3 columns: side, price, amount, id, "
                + "microtimestamp, time. Level 2 columns: side, price, amount, orders. Bids first."))})
    @APIResponse(responseCode = "400", description = "A parameter is invalid; `parameter` names it.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "404", description = "No stored snapshot at or before `at` (near enough).",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    public Response book(@Context UriInfo uri, @Context HttpHeaders headers) throws IOException {
        Params params = Params.of(uri, PARAMETERS);
        Format format = format(params, headers);
        String pair = Catalog.pairParameter(params);
        long at = Times.parse("at", params.require("at", "the instant of the book, ISO-8601 or epoch ms."));
        int level = level(params);
        int depth = params.intIn("depth", MAX_DEPTH, 1, MAX_DEPTH);
        Map<Channel, Catalog.Entry> channels = catalog.requirePair(pair);
        Rebuilder.Result result = rebuilder.at(pair, at, channels.get(Channel.ORDERS));
        OrderBook book = result.book();

        PageBuffer buffer = new PageBuffer(64 * 1024);
        if (format == Format.CSV) {
            RowWriter rows = RowWriter.csv(buffer, level == 3 ? L3_COLUMNS : L2_COLUMNS, null);
            rows(book, level, depth, rows);
            rows.finish();
        } else {
            try (JsonGenerator json = Frames.MAPPER.getFactory().createGenerator(buffer)) {
                writeJson(json, buffer, pair, at, level, depth, result);
            }
        }
        if (buffer.escapedSize() > config.events().maxPageBytes()) {
            throw Problem.badParameter("depth", "The book is too large for one answer; ask for fewer price levels "
                    + "with 'depth' (or level=2).");
        }
        Response.ResponseBuilder response = Response.ok(buffer.toByteArray(), format.mediaType())
                .header("X-Book-Snapshot", Times.iso(result.snapshot().microtimestamp()))
                .header("X-Book-Snapshot-Reason", result.snapshot().reason())
                .header("X-Book-Events-Applied", book.counts().eventsApplied)
                .header("X-Book-Certification", result.certificate().status().apiName());
        if (result.lastEvent() != null) {
            response.header("X-Book-Last-Event-Time", Times.iso(result.lastEvent().micros()));
            if (result.lastEvent().eventId() != null) {
                response.header("X-Book-Last-Event-Id", result.lastEvent().eventId());
            }
        }
        return result.coverage().headers(response).build();
    }

    private static Format format(Params params, HttpHeaders headers) {
        Optional<String> text = params.get("format");
        if (text.isPresent() && !text.get().equalsIgnoreCase("json") && !text.get().equalsIgnoreCase("csv")) {
            throw Problem.badParameter("format", "'format' must be json or csv.");
        }
        Format format = Format.negotiate(text, headers.getRequestHeader(HttpHeaders.ACCEPT));
        if (format == Format.NDJSON) {
            throw Problem.notAcceptable("The book is served as application/json or text/csv (or use the 'format' "
                    + "parameter).");
        }
        return format;
    }

    private static int level(Params params) {
        String text = params.get("level").orElse("3");
        return switch (text) {
            case "3" -> 3;
            case "2" -> 2;
            default -> throw Problem.badParameter("level", "'level' must be 3 (every order) or 2 (price levels).");
        };
    }

    private static void rows(OrderBook book, int level, int depth, RowWriter rows) {
        for (Side side : Side.values()) {
            rowsOfSide(book, side, level, depth, rows);
        }
    }

    private static void rowsOfSide(OrderBook book, Side side, int level, int depth, RowWriter rows) {
        StringBuilder scratch = new StringBuilder(32);
        int levels = 0;
        for (LinkedHashMap<String, Order> orders : book.side(side).values()) {
            if (levels++ >= depth) {
                break;
            }
            if (level == 2) {
                Level l = Level.of(orders);
                rows.startRow();
                rows.string("side", side.apiName());
                rows.string("price", l.price());
                rows.string("amount", l.amount());
                rows.number("orders", l.orders());
                rows.endRow();
                continue;
            }
            for (Order order : orders.values()) {
                rows.startRow();
                rows.string("side", side.apiName());
                rows.string("price", order.price());
                rows.string("amount", order.amount());
                rows.string("id", order.id());
                if (order.micros() < 0) {
                    rows.nul("microtimestamp");
                    rows.nul("time");
                } else {
                    rows.number("microtimestamp", order.micros());
                    scratch.setLength(0);
                    Times.appendIso(scratch, order.micros());
                    rows.string("time", scratch.toString());
                }
                rows.endRow();
            }
        }
    }

    /** One price level: the price as the exchange wrote it (first order's), the exact sum and the order count. */
    record Level(String price, BigDecimal priceValue, String amount, int orders) {
        static Level of(LinkedHashMap<String, Order> orders) {
            BigDecimal sum = BigDecimal.ZERO;
            Order first = null;
            for (Order o : orders.values()) {
                first = first == null ? o : first;
                sum = sum.add(new BigDecimal(o.amount()));
            }
            return new Level(first.price(), first.priceValue(), sum.toPlainString(), orders.size());
        }
    }

    private void writeJson(JsonGenerator json, PageBuffer buffer, String pair, long at, int level, int depth,
            Rebuilder.Result result) throws IOException {
        OrderBook book = result.book();
        json.writeStartObject();
        json.writeStringField("pair", pair);
        json.writeStringField("at", Times.iso(at));
        json.writeNumberField("at_microtimestamp", at);
        json.writeNumberField("level", level);
        if (depth == MAX_DEPTH) {
            json.writeNullField("depth");
        } else {
            json.writeNumberField("depth", depth);
        }
        Rebuilder.LastEvent last = result.lastEvent();
        if (last == null) {
            json.writeNullField("last_event");
        } else {
            json.writeObjectFieldStart("last_event");
            json.writeStringField("event_id", last.eventId());
            json.writeNumberField("microtimestamp", last.micros());
            json.writeStringField("time", Times.iso(last.micros()));
            json.writeStringField("type", last.type());
            json.writeStringField("id", last.orderId());
            json.writeEndObject();
        }
        Level bid = best(book, Side.BUY);
        Level ask = best(book, Side.SELL);
        writeLevel(json, "best_bid", bid);
        writeLevel(json, "best_ask", ask);
        if (bid == null || ask == null) {
            json.writeNullField("spread");
            json.writeNullField("mid");
        } else {
            json.writeStringField("spread", ask.priceValue().subtract(bid.priceValue()).toPlainString());
            json.writeStringField("mid", ask.priceValue().add(bid.priceValue())
                    .divide(BigDecimal.valueOf(2)).toPlainString());
        }
        OrderBook.Counts counts = book.counts();
        json.writeObjectFieldStart("counts");
        json.writeNumberField("snapshot_orders", counts.snapshotOrders);
        json.writeNumberField("events_applied", counts.eventsApplied);
        json.writeNumberField("snapshot_overlap_events", counts.snapshotOverlapEvents);
        json.writeNumberField("market_orders", counts.marketOrders);
        json.writeNumberField("unknown_order_changes", counts.unknownOrderChanges);
        json.writeNumberField("unknown_order_deletes", counts.unknownOrderDeletes);
        json.writeNumberField("malformed_events", counts.malformedEvents);
        json.writeNumberField("bid_orders", orders(book, Side.BUY));
        json.writeNumberField("ask_orders", orders(book, Side.SELL));
        json.writeNumberField("bid_levels", book.side(Side.BUY).size());
        json.writeNumberField("ask_levels", book.side(Side.SELL).size());
        json.writeObjectFieldStart("unknown_event_types");
        for (Map.Entry<String, Integer> type : counts.unknownTypes.entrySet()) {
            json.writeNumberField(type.getKey(), type.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeFieldName("coverage");
        json.writeTree(coverage(result));
        for (Side side : Side.values()) {
            json.writeArrayFieldStart(side == Side.BUY ? "bids" : "asks");
            RowWriter rows = RowWriter.jsonArray(json, buffer);
            rowsOfSide(book, side, level, depth, rows);
            rows.finish();
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static Level best(OrderBook book, Side side) {
        var levels = book.side(side);
        return levels.isEmpty() ? null : Level.of(levels.firstEntry().getValue());
    }

    private static int orders(OrderBook book, Side side) {
        int n = 0;
        for (LinkedHashMap<String, Order> level : book.side(side).values()) {
            n += level.size();
        }
        return n;
    }

    private static void writeLevel(JsonGenerator json, String name, Level level) throws IOException {
        if (level == null) {
            json.writeNullField(name);
            return;
        }
        json.writeObjectFieldStart(name);
        json.writeStringField("price", level.price());
        json.writeStringField("amount", level.amount());
        json.writeNumberField("orders", level.orders());
        json.writeEndObject();
    }

    /** The shared coverage object of the orders channel, with the snapshot the book started from. */
    private static ObjectNode coverage(Rebuilder.Result result) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = Frames.MAPPER.getFactory().createGenerator(text)) {
            result.coverage().write(json);
        }
        ObjectNode cover = (ObjectNode) Frames.MAPPER.readTree(text.toString());
        ObjectNode snapshot = cover.putObject("snapshot");
        snapshot.put("microtimestamp", result.snapshot().microtimestamp());
        snapshot.put("time", Times.iso(result.snapshot().microtimestamp()));
        snapshot.put("reason", result.snapshot().reason());
        snapshot.put("received", Times.iso(result.snapshot().receivedMicros()));
        var skipped = snapshot.putArray("skipped");
        for (SnapshotReads.Skipped s : result.skipped()) {
            ObjectNode o = skipped.addObject();
            o.put("microtimestamp", s.microtimestamp());
            o.put("time", Times.iso(s.microtimestamp()));
            o.put("reason", "missing_part");
            o.put("parts", s.parts());
            o.put("parts_found", s.found());
        }
        result.certificate().write(cover.putObject("certification"));
        return cover;
    }
}
