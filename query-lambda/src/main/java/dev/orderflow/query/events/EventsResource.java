package dev.orderflow.query.events;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Format;
import dev.orderflow.query.api.Links;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.TimeRange;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.query.coverage.CoverageCheck;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Side;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Pairs;
import io.quarkus.logging.Log;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/events}: the stored events of one pair and channel, paged with a cursor. */
@Path("/v1/events")
@Tag(name = "events")
public class EventsResource {
    static final List<String> PARAMETERS = List.of("pair", "channel", "from", "to", "type", "side", "order_id",
            "limit", "cursor", "format");
    private static final List<String> QUERY_PARAMETERS = List.of("pair", "channel", "from", "to", "type", "side",
            "order_id");
    private static final Pattern ORDER_ID = Pattern.compile("[0-9]{1,40}");
    /** Room kept in a page's byte budget for everything around the events (coverage, cursor, headers). */
    private static final int RESERVED_BYTES = 64 * 1024;
    /**
     * Bodies larger than this go out as a file. Quarkus' Lambda adapter copies a body handed over in memory into
     * the Lambda response one byte at a time, but a file in one bulk transfer: for a 10,000-event page that copy
     * was half of the function's time. Lambda gives every function a writable {@code /tmp}.
     */
    private static final int FILE_BODY_BYTES = 64 * 1024;

    private final EventPager pager;
    private final CursorCodec cursors;
    private final Catalog catalog;
    private final CoverageCheck coverage;
    private final QueryConfig config;

    public EventsResource(EventPager pager, CursorCodec cursors, Catalog catalog, CoverageCheck coverage,
            QueryConfig config) {
        this.pager = pager;
        this.cursors = cursors;
        this.catalog = catalog;
        this.coverage = coverage;
        this.config = config;
    }

    @GET
    @Operation(summary = "Events of one pair and channel, in exchange order",
            description = "Events whose microtimestamp lies in [from, to), in the order the exchange sent them, "
                    + "at most `limit` per page and at most about 5 MB per page (a page may end earlier, even empty, "
                    + "and still have a next page: stop when `next_cursor` is null). Every event carries pair, "
                    + "channel, type, microtimestamp (µs), time (ISO-8601 UTC, µs), id, side, price, amount, "
                    + "event_id and pre_event_id where the exchange sent them, and every other field it sent. "
                    + "Ids and decimals are the exchange's exact strings. Where the exchange sends a number twice "
                    + "(`x` and `x_str`) the event has `x` with the exact string; where the two differ (an `x_str` that is "
                    + "null, or spells another number) both are kept. "
                    + "The format is chosen by `format`, else by the Accept header (application/json, "
                    + "application/x-ndjson, text/csv), else JSON. Every answer says whether it is complete: "
                    + "JSON in `coverage`, all formats in the X-Coverage-* headers and a Link rel=\"gaps\" to "
                    + "/v1/gaps for the page's range; the next page is in Link rel=\"next\".")
    @Parameters({
        @Parameter(name = "pair", in = ParameterIn.QUERY, required = true,
                description = "Pair with stored data, as in /v1/pairs (e.g. btcusd).",
                schema = @Schema(type = SchemaType.STRING, pattern = Pairs.PATTERN)),
        @Parameter(name = "channel", in = ParameterIn.QUERY, required = true,
                description = "orders (order_created, order_changed, order_deleted) or trades (trade).",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"orders", "trades"})),
        @Parameter(name = "from", in = ParameterIn.QUERY,
                description = "Start of the range, inclusive: ISO-8601 (2026-05-01T12:00:00Z, with an offset, with "
                        + "up to µs; without offset = UTC; a date alone = midnight UTC) or epoch milliseconds. "
                        + "Default: `to` minus 1 hour (PT1H).",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "to", in = ParameterIn.QUERY,
                description = "End of the range, exclusive; same forms as `from`. Default: `from` plus 1 hour, or "
                        + "now when `from` is not given either. At most 1 day (P1D) after `from`.",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "type", in = ParameterIn.QUERY,
                description = "Only these event types: a comma list of order_created, order_changed, order_deleted "
                        + "(channel orders) or trade (channel trades). Default: all.",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "side", in = ParameterIn.QUERY,
                description = "Only buy or sell: order_type of orders, type of trades (the taker's side). "
                        + "Default: both.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"buy", "sell"})),
        @Parameter(name = "order_id", in = ParameterIn.QUERY,
                description = "Only the events of this order: its orders events, or the trades it took part in "
                        + "(buy_order_id or sell_order_id). Digits.",
                schema = @Schema(type = SchemaType.STRING, pattern = "^[0-9]{1,40}$")),
        @Parameter(name = "limit", in = ParameterIn.QUERY,
                description = "Most events per page. Default 1000, maximum 10000.",
                schema = @Schema(type = SchemaType.INTEGER, defaultValue = "1000", minimum = "1",
                        maximum = "10000")),
        @Parameter(name = "cursor", in = ParameterIn.QUERY,
                description = "Continues a query: `next_cursor` of the previous page. The query's other parameters "
                        + "may be left out; given ones must equal the query's. `limit` and `format` may change.",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "format", in = ParameterIn.QUERY,
                description = "json, ndjson or csv; wins over the Accept header. Default: by Accept, else json.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "ndjson", "csv"}))
    })
    @APIResponse(responseCode = "200", description = "One page of events.",
            headers = {
                @Header(name = "Link", description = "rel=\"next\": the next page (absent on the last page); "
                        + "rel=\"gaps\": the /v1/gaps query for this page's range."),
                @Header(name = Coverage.COMPLETE_HEADER, description = "true when the page holds everything the "
                        + "exchange sent in its range (see coverage)."),
                @Header(name = "X-Coverage-From", description = "Start of the range this page covers."),
                @Header(name = "X-Coverage-To", description = "End (exclusive) of the range this page covers."),
                @Header(name = "X-Coverage-Confirmed-Until", description = "Last confirmed write."),
                @Header(name = "X-Coverage-Gaps", description = "Gap records concerning the range."),
                @Header(name = "X-Coverage-Reasons", description = "Why not complete, space-separated.")
            },
            content = {
                @Content(mediaType = "application/json", schema = @Schema(ref = "EventPage")),
                @Content(mediaType = "application/x-ndjson",
                        schema = @Schema(ref = "Event",
                                description = "One event object (as in JSON) per line.")),
                @Content(mediaType = "text/csv", schema = @Schema(description = "Header row, then one event per row."
                        + " Columns: pair, channel, type, microtimestamp, time, received_microtimestamp, id, side, "
                        + "price, amount, event_id, "
                        + "pre_event_id, order_source, order_subtype, amount_traded, amount_at_create, "
                        + "is_liquidation, datetime, buy_order_id, sell_order_id, timestamp, extra (any other "
                        + "fields as one JSON object)."))
            })
    @APIResponse(responseCode = "400", description = "A parameter is invalid; `parameter` names it.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "406", description = "The Accept header allows none of the formats.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    public Response events(@Context UriInfo uri, @Context HttpHeaders headers, @Context RoutingContext routing)
            throws IOException {
        Params params = Params.of(uri, PARAMETERS);
        Format format = Format.negotiate(params.get("format"), headers.getRequestHeader(HttpHeaders.ACCEPT));
        Cursor cursor = params.get("cursor").map(cursors::decode).orElse(null);
        EventQuery query = cursor == null ? newQuery(params) : continued(cursor, params);
        int limit = params.intIn("limit", config.events().defaultLimit(), 1, config.events().maxLimit());
        Map<Channel, Catalog.Entry> channels = catalog.requirePair(query.pair());

        // room for rows of about 500 bytes (NDJSON of a live order), so that a full page is not copied as it grows
        PageBuffer buffer = new PageBuffer((int) Math.min(config.events().maxPageBytes(), 64 * 1024 + 512L * limit));
        JsonGenerator json = null;
        RowWriter rows;
        switch (format) {
            case JSON -> {
                json = Frames.MAPPER.getFactory().createGenerator(buffer);
                json.writeStartObject();
                json.writeArrayFieldStart("events");
                rows = RowWriter.jsonArray(json, buffer);
            }
            case NDJSON -> rows = RowWriter.ndjson(buffer);
            default -> rows = RowWriter.csv(buffer, EventFields.CSV_COLUMNS, EventFields.CSV_EXTRA);
        }
        EventPager.Page page = pager.read(query, cursor, limit, rows, buffer,
                (long) config.events().maxPageBytes() - RESERVED_BYTES);
        rows.finish();
        Coverage cover = coverage.of(query.pair(), query.channel(), page.coverFromMicros(), page.coverToMicros(),
                channels.get(query.channel()), page.unreadableChunks());
        String nextCursor = page.next() == null ? null : cursors.encode(page.next());
        String nextUrl = nextCursor == null ? null : nextUrl(query, limit, format, nextCursor);
        if (json != null) {
            json.writeEndArray();
            json.writeStringField("next_cursor", nextCursor);
            json.writeStringField("next", nextUrl);
            json.writeFieldName("coverage");
            cover.write(json);
            json.writeEndObject();
            json.close();
        }
        Response.ResponseBuilder response = Response.ok(body(buffer, routing), format.mediaType());
        if (nextUrl != null) {
            response.header("Link", Links.header(nextUrl, "next"));
        }
        return cover.headers(response).build();
    }

    /** The page's bytes, or a file holding them (deleted once the answer is sent) when they are many. */
    private static Object body(PageBuffer buffer, RoutingContext routing) throws IOException {
        if (buffer.size() <= FILE_BODY_BYTES) {
            return buffer.toByteArray();
        }
        java.nio.file.Path file = Files.createTempFile("orderflow-page-", ".body");
        routing.addEndHandler(sent -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                Log.warnf(e, "Cannot delete the page file %s", file);
            }
        });
        try (OutputStream out = Files.newOutputStream(file)) {
            buffer.writeTo(out);
        }
        return file;
    }

    private EventQuery newQuery(Params params) {
        String pair = Catalog.pairParameter(params);
        Channel channel = Catalog.channelParameter(params.require("channel", "orders or trades."));
        TimeRange range = TimeRange.of(params, config.events().defaultSpan(), config.events().maxSpan(),
                System.currentTimeMillis() * 1000L);
        return new EventQuery(pair, channel, range.fromMicros(), range.toMicros(), types(params, channel),
                side(params), orderId(params));
    }

    /** The cursor's query; parameters given beside the cursor must say the same. */
    private EventQuery continued(Cursor cursor, Params params) {
        EventQuery q = cursor.query();
        for (String name : QUERY_PARAMETERS) {
            if (!params.has(name)) {
                continue;
            }
            Object given = switch (name) {
                case "pair" -> Catalog.pairParameter(params);
                case "channel" -> Catalog.channelParameter(params.get("channel").orElseThrow());
                case "from" -> Times.parse("from", params.get("from").orElseThrow());
                case "to" -> Times.parse("to", params.get("to").orElseThrow());
                case "type" -> types(params, q.channel());
                case "side" -> side(params);
                default -> orderId(params);
            };
            Object expected = switch (name) {
                case "pair" -> q.pair();
                case "channel" -> q.channel();
                case "from" -> q.fromMicros();
                case "to" -> q.toMicros();
                case "type" -> q.types();
                case "side" -> q.side();
                default -> q.orderId();
            };
            if (!Objects.equals(given, expected)) {
                throw Problem.badParameter(name, "'" + name + "' differs from the query the cursor continues; "
                        + "leave it out or give the same value.");
            }
        }
        return q;
    }

    private static Set<EventType> types(Params params, Channel channel) {
        Optional<String> text = params.get("type");
        if (text.isEmpty()) {
            return Set.of();
        }
        String allowed = EnumSet.allOf(EventType.class).stream().filter(t -> t.channel() == channel)
                .map(EventType::apiName).collect(Collectors.joining(", "));
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (String name : text.get().split(",", -1)) {
            EventType type = EventType.fromApiName(name.strip()).filter(t -> t.channel() == channel)
                    .orElseThrow(() -> Problem.badParameter("type", "'type' must be a comma list of event types of "
                            + "channel " + channel.apiName() + ": " + allowed + "."));
            types.add(type);
        }
        return types;
    }

    private static Side side(Params params) {
        return params.get("side").map(text -> Side.fromApiName(text).orElseThrow(
                () -> Problem.badParameter("side", "'side' must be buy or sell."))).orElse(null);
    }

    private static String orderId(Params params) {
        return params.get("order_id").map(text -> {
            if (!ORDER_ID.matcher(text).matches()) {
                throw Problem.badParameter("order_id", "'order_id' must be an order id: digits only, at most 40.");
            }
            return text;
        }).orElse(null);
    }

    private static String nextUrl(EventQuery query, int limit, Format format, String cursor) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pair", query.pair());
        params.put("channel", query.channel().apiName());
        params.put("from", Times.iso(query.fromMicros()));
        params.put("to", Times.iso(query.toMicros()));
        params.put("type", query.types().isEmpty() ? null
                : query.types().stream().sorted().map(EventType::apiName).collect(Collectors.joining(",")));
        params.put("side", query.side() == null ? null : query.side().apiName());
        params.put("order_id", query.orderId());
        params.put("limit", Integer.toString(limit));
        params.put("format", format.apiName());
        params.put("cursor", cursor);
        return Links.url("/v1/events", params);
    }
}
