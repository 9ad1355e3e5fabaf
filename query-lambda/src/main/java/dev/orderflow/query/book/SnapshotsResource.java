package dev.orderflow.query.book;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.TimeRange;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.gaps.GapStore;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Pairs;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.book.Verdict;

/**
 * {@code GET /v1/book/snapshots}: the stored snapshots of a pair, from what is stored beside each (counts, verdict)
 * without reading their books; snapshots stored before those items existed are read whole instead.
 */
@Path("/v1/book/snapshots")
@Tag(name = "book")
public class SnapshotsResource {
    private static final List<String> PARAMETERS = List.of("pair", "from", "to");

    private final SnapshotStore snapshots;
    private final GapStore gaps;
    private final Catalog catalog;
    private final QueryConfig config;

    public SnapshotsResource(SnapshotStore snapshots, GapStore gaps, Catalog catalog, QueryConfig config) {
        this.snapshots = snapshots;
        this.gaps = gaps;
        this.catalog = catalog;
        this.config = config;
    }

    @GET
    @Operation(summary = "Stored order book snapshots of a pair",
            description = "The L3 snapshots /v1/book starts from, oldest first, with microtimestamp in [from, to): "
                    + "their time, why they were taken (connect: after a (re)connect; periodic), how many orders "
                    + "each side held, in how many parts the book is stored, whether a gap or disconnect record of "
                    + "the orders channel lies between it and the next snapshot (books rebuilt from it are then not "
                    + "complete past the gap; a disconnect that began before a connect snapshot is covered by it), "
                    + "and its verdict: the book rebuilt from the previous snapshot and the stored events, compared "
                    + "with this one order by order (certified, contradicted with the differences, or not_checked "
                    + "with the reason). Read from the small item stored beside each snapshot, not from the books. "
                    + "At most 200 snapshots; `truncated` says when there are more.")
    @Parameters({
        @Parameter(name = "pair", in = ParameterIn.QUERY, required = true, description = "Pair with stored data.",
                schema = @Schema(type = SchemaType.STRING, pattern = Pairs.PATTERN)),
        @Parameter(name = "from", in = ParameterIn.QUERY, description = "Start, inclusive (ISO-8601 or epoch ms). "
                + "Default: `to` minus 7 days (P7D).", schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "to", in = ParameterIn.QUERY, description = "End, exclusive (ISO-8601 or epoch ms). "
                + "Default: `from` plus 7 days, or now. At most 7 days (P7D) after `from`.",
                schema = @Schema(type = SchemaType.STRING))
    })
    @APIResponse(responseCode = "200", description = "The snapshots.", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SnapshotList")))
    @APIResponse(responseCode = "400", description = "A parameter is invalid; `parameter` names it.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    public Response snapshots(@Context UriInfo uri) throws IOException {
        Params params = Params.of(uri, PARAMETERS);
        String pair = Catalog.pairParameter(params);
        TimeRange range = TimeRange.of(params, config.book().snapshotsMaxSpan(), config.book().snapshotsMaxSpan(),
                System.currentTimeMillis() * 1000L);
        catalog.requirePair(pair);
        int max = config.book().maxSnapshots();
        List<SnapshotMeta> found = listed(pair, range.fromMicros(), range.toMicros(), max);
        boolean truncated = found.size() > max;
        List<SnapshotMeta> listed = truncated ? found.subList(0, max) : found;
        List<Long> nexts = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            nexts.add(i + 1 < found.size() ? Long.valueOf(found.get(i + 1).microtimestamp())
                    : snapshots.next(pair, listed.get(i).microtimestamp() + 1).orElse(null));
        }
        List<GapRecord> records = listed.isEmpty() ? List.of()
                : gaps.intersecting(pair, Channel.ORDERS, listed.get(0).microtimestamp(), Times.MAX_MICROS, 100_000);

        PageBuffer buffer = new PageBuffer(4096);
        try (JsonGenerator json = Frames.MAPPER.getFactory().createGenerator(buffer)) {
            json.writeStartObject();
            json.writeStringField("pair", pair);
            json.writeStringField("from", Times.iso(range.fromMicros()));
            json.writeStringField("to", Times.iso(range.toMicros()));
            json.writeArrayFieldStart("snapshots");
            for (int i = 0; i < listed.size(); i++) {
                SnapshotMeta s = listed.get(i);
                Long next = nexts.get(i);
                long until = next == null ? Times.MAX_MICROS : next;
                boolean gap = records.stream().anyMatch(g -> g.fromMicros() < until
                        && g.toMicros() >= s.microtimestamp() && Rebuilder.matters(g, s.reason(), s.microtimestamp()));
                ObjectNode o = Frames.MAPPER.createObjectNode();
                o.put("microtimestamp", s.microtimestamp());
                o.put("time", Times.iso(s.microtimestamp()));
                o.put("reason", s.reason());
                o.put("received", Times.iso(s.receivedMicros()));
                o.put("bid_orders", s.bidOrders());
                o.put("ask_orders", s.askOrders());
                o.put("parts", s.parts());
                if (next == null) {
                    o.putNull("next_microtimestamp");
                } else {
                    o.put("next_microtimestamp", next);
                }
                o.put("gap_before_next", gap);
                writeVerdict(o, s.verdict());
                json.writeTree(o);
            }
            json.writeEndArray();
            json.writeBooleanField("truncated", truncated);
            json.writeEndObject();
        }
        return Response.ok(buffer.toByteArray(), MediaType.APPLICATION_JSON).build();
    }

    /**
     * At most {@code max + 1} snapshots in {@code [from, to)}: from the items beside them; where the range reaches
     * back before the first such item (a table written before they existed), the snapshots there are read whole.
     */
    private List<SnapshotMeta> listed(String pair, long from, long to, int max) {
        List<SnapshotMeta> metas = snapshots.metas(pair, from, to, max + 1);
        long firstMeta = snapshots.metas(pair, 0, Times.MAX_MICROS, 1).stream().findFirst()
                .map(SnapshotMeta::microtimestamp).orElse(Times.MAX_MICROS);
        if (firstMeta <= from) {
            return metas;
        }
        List<SnapshotMeta> out = new ArrayList<>();
        for (SnapshotRecord s : snapshots.between(pair, from, Math.min(to, firstMeta), max)) {
            out.add(SnapshotMeta.of(s, 0));
        }
        out.addAll(metas);
        return out.size() > max + 1 ? out.subList(0, max + 1) : out;
    }

    private static void writeVerdict(ObjectNode o, Verdict v) {
        if (v == null) {
            o.put("verdict", Verdict.Status.NOT_CHECKED.apiName());
            o.putNull("checked_against");
            o.put("verdict_detail", "not checked yet");
            return;
        }
        o.put("verdict", v.status().apiName());
        if (v.againstMicros() == null) {
            o.putNull("checked_against");
        } else {
            o.put("checked_against", v.againstMicros());
        }
        o.put("verdict_detail", v.detail());
        if (v.againstMicros() != null) {
            Certificate.writeCounts(o, v);
        }
    }
}
