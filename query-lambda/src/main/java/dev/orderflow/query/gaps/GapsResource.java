package dev.orderflow.query.gaps;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
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

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.query.coverage.CoverageCheck;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Pairs;

/** {@code GET /v1/gaps}: the gap and disconnect records of a pair and channel that concern a range. */
@Path("/v1/gaps")
@Tag(name = "gaps")
public class GapsResource {
    private static final List<String> PARAMETERS = List.of("pair", "channel", "from", "to", "records");

    private final GapStore gaps;
    private final Catalog catalog;
    private final CoverageCheck coverage;
    private final QueryConfig config;

    public GapsResource(GapStore gaps, Catalog catalog, CoverageCheck coverage, QueryConfig config) {
        this.gaps = gaps;
        this.catalog = catalog;
        this.coverage = coverage;
        this.config = config;
    }

    @GET
    @Operation(summary = "Gap and disconnect records in a range",
            description = "Records of times in which events may be missing, oldest first: a record is listed when "
                    + "its [from, to] (inclusive: lost events can share the millisecond of their neighbours) meets "
                    + "[from, to) of the query. At most 1000 records; `truncated` says when there are more.")
    @Parameters({
        @Parameter(name = "pair", in = ParameterIn.QUERY, required = true, description = "Pair with stored data.",
                schema = @Schema(type = SchemaType.STRING, pattern = Pairs.PATTERN)),
        @Parameter(name = "channel", in = ParameterIn.QUERY, required = true, description = "orders or trades.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"orders", "trades"})),
        @Parameter(name = "from", in = ParameterIn.QUERY, description = "Start, inclusive (ISO-8601 or epoch ms). "
                + "Default: 1970-01-01T00:00:00Z (all records).", schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "to", in = ParameterIn.QUERY, description = "End, exclusive (ISO-8601 or epoch ms). "
                + "Default: no end (2200-01-01T00:00:00Z). No maximum span.",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "records", in = ParameterIn.QUERY, description = "union (default): the gaps of the "
                + "record, times in which every capture host may have missed events, each naming the hosts; hosts: "
                + "each host's own records instead, each with `covered` (the other hosts stored what it missed).",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"union", "hosts"}))
    })
    @APIResponse(responseCode = "200", description = "The records.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "GapList")))
    @APIResponse(responseCode = "400", description = "A parameter is invalid; `parameter` names it.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    public Response gaps(@Context UriInfo uri) throws IOException {
        Params params = Params.of(uri, PARAMETERS);
        String pair = Catalog.pairParameter(params);
        Channel channel = Catalog.channelParameter(params.require("channel", "orders or trades."));
        long from = params.get("from").map(text -> Times.parse("from", text)).orElse(Times.MIN_MICROS);
        // left out: the last µs a time parameter may name, so that the gaps_url echoing it is a valid query again
        long to = params.get("to").map(text -> Times.parse("to", text)).orElse(Times.MAX_MICROS - 1);
        if (to <= from) {
            throw Problem.badParameter("to", "'to' (" + Times.iso(to) + ") must be later than 'from' ("
                    + Times.iso(from) + "): the range is [from, to).");
        }
        String records = params.get("records").orElse("union");
        if (!records.equals("union") && !records.equals("hosts")) {
            throw Problem.badParameter("records", "'records' must be union or hosts.");
        }
        Map<Channel, Catalog.Entry> channels = catalog.requirePair(pair);
        int max = config.gaps().maxItems();
        List<GapStore.HostRecord> found = records.equals("hosts") ? gaps.hostRecords(pair, channel, from, to, max)
                : gaps.intersecting(pair, channel, from, to, max).stream().map(g -> new GapStore.HostRecord(g, false))
                        .toList();
        Coverage cover = coverage.of(pair, channel, from, to, channels.get(channel), 0);

        PageBuffer buffer = new PageBuffer(4096);
        try (JsonGenerator json = Frames.MAPPER.getFactory().createGenerator(buffer)) {
            json.writeStartObject();
            json.writeStringField("pair", pair);
            json.writeStringField("channel", channel.apiName());
            json.writeStringField("from", Times.iso(from));
            json.writeStringField("to", Times.iso(to));
            json.writeArrayFieldStart("gaps");
            for (GapStore.HostRecord gap : found.subList(0, Math.min(found.size(), max))) {
                Coverage.writeGap(json, gap.record(), records.equals("hosts") ? gap.covered() : null);
            }
            json.writeEndArray();
            json.writeBooleanField("truncated", found.size() > max);
            json.writeFieldName("coverage");
            cover.write(json);
            json.writeEndObject();
        }
        return cover.headers(Response.ok(buffer.toByteArray(), MediaType.APPLICATION_JSON)).build();
    }
}
