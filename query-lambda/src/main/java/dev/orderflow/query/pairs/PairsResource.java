package dev.orderflow.query.pairs;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.gaps.GapStore;
import dev.orderflow.storage.Frames;

/** {@code GET /v1/pairs}: the pairs with stored data, per channel. */
@Path("/v1/pairs")
@Tag(name = "pairs")
public class PairsResource {
    private final Catalog catalog;
    private final GapStore gaps;

    public PairsResource(Catalog catalog, GapStore gaps) {
        this.catalog = catalog;
        this.gaps = gaps;
    }

    @GET
    @Operation(summary = "Pairs with stored data",
            description = "Per pair and channel: the first and last stored event, the last confirmed write and "
                    + "whether any gap record exists. Takes no parameters.")
    @APIResponse(responseCode = "200", description = "The pairs, by name.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "PairList")))
    public Response pairs(@Context UriInfo uri) throws IOException {
        Params.of(uri, List.of());
        Map<String, List<Catalog.Entry>> byPair = new TreeMap<>();
        for (Catalog.Entry entry : catalog.all()) {
            byPair.computeIfAbsent(entry.pair(), p -> new java.util.ArrayList<>()).add(entry);
        }
        PageBuffer buffer = new PageBuffer(4096);
        try (JsonGenerator json = Frames.MAPPER.getFactory().createGenerator(buffer)) {
            json.writeStartObject();
            json.writeArrayFieldStart("pairs");
            for (Map.Entry<String, List<Catalog.Entry>> pair : byPair.entrySet()) {
                json.writeStartObject();
                json.writeStringField("pair", pair.getKey());
                json.writeObjectFieldStart("channels");
                for (Catalog.Entry entry : pair.getValue()) {
                    json.writeObjectFieldStart(entry.channel().apiName());
                    time(json, "first", entry.firstMicros());
                    time(json, "last", entry.lastMicros());
                    time(json, "confirmed_until", entry.confirmedUntilMicros());
                    json.writeBooleanField("gaps_known", gaps.any(entry.pair(), entry.channel()));
                    json.writeEndObject();
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return Response.ok(buffer.toByteArray(), MediaType.APPLICATION_JSON).build();
    }

    private static void time(JsonGenerator json, String name, Long micros) throws IOException {
        if (micros == null) {
            json.writeNullField(name);
            json.writeNullField(name + "_microtimestamp");
        } else {
            json.writeStringField(name, Times.iso(micros));
            json.writeNumberField(name + "_microtimestamp", micros);
        }
    }
}
