package dev.orderflow.query.coverage;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.orderflow.query.api.Links;
import dev.orderflow.query.api.Times;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;

/**
 * Whether an answer holds everything the exchange sent in {@code [fromMicros, toMicros)}.
 *
 * @param complete             no gap record concerns the range, every write in it is confirmed, it does not start
 *                             before the first stored event, and every stored chunk in it was readable
 *                             ({@link dev.orderflow.storage.CoverageRule})
 * @param confirmedUntilMicros the time before which every window of the channel is stored (null when unknown)
 * @param reasons              why it is not complete: {@code gaps}, {@code after_confirmed_writes},
 *                             {@code before_first_event}, {@code unreadable_chunks}
 * @param gaps                 the gap records concerning the range (at most the configured number)
 * @param gapsTruncated        more records concern the range than {@code gaps} lists
 */
public record Coverage(String pair, Channel channel, long fromMicros, long toMicros, boolean complete,
        Long confirmedUntilMicros, List<String> reasons, List<GapRecord> gaps, boolean gapsTruncated) {

    public static final String COMPLETE_HEADER = "X-Coverage-Complete";

    /** The {@code /v1/gaps} query for this range. */
    public String gapsUrl() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pair", pair);
        params.put("channel", channel.apiName());
        params.put("from", Times.iso(fromMicros));
        params.put("to", Times.iso(toMicros));
        return Links.url("/v1/gaps", params);
    }

    /** The coverage as headers (for NDJSON and CSV, whose bodies have no room for it; JSON gets them too). */
    public Response.ResponseBuilder headers(Response.ResponseBuilder response) {
        response.header(COMPLETE_HEADER, Boolean.toString(complete))
                .header("X-Coverage-From", Times.iso(fromMicros))
                .header("X-Coverage-To", Times.iso(toMicros))
                .header("X-Coverage-Gaps", gaps.size() + (gapsTruncated ? "+" : ""))
                .header("Link", Links.header(gapsUrl(), "gaps"));
        if (confirmedUntilMicros != null) {
            response.header("X-Coverage-Confirmed-Until", Times.iso(confirmedUntilMicros));
        }
        if (!reasons.isEmpty()) {
            response.header("X-Coverage-Reasons", String.join(" ", reasons));
        }
        return response;
    }

    /** The {@code coverage} object. */
    public void write(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("from", Times.iso(fromMicros));
        json.writeStringField("to", Times.iso(toMicros));
        json.writeBooleanField("complete", complete);
        if (confirmedUntilMicros == null) {
            json.writeNullField("confirmed_until");
        } else {
            json.writeStringField("confirmed_until", Times.iso(confirmedUntilMicros));
        }
        json.writeArrayFieldStart("reasons");
        for (String reason : reasons) {
            json.writeString(reason);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("gaps");
        for (GapRecord gap : gaps) {
            writeGap(json, gap);
        }
        json.writeEndArray();
        json.writeBooleanField("gaps_truncated", gapsTruncated);
        json.writeStringField("gaps_url", gapsUrl());
        json.writeEndObject();
    }

    /** One gap record as the API shows it (here and in {@code /v1/gaps}). */
    public static void writeGap(JsonGenerator json, GapRecord gap) throws IOException {
        writeGap(json, gap, null);
    }

    /** A host's own record, with whether the other hosts cover it ({@code null}: not said). */
    public static void writeGap(JsonGenerator json, GapRecord gap, Boolean covered) throws IOException {
        json.writeStartObject();
        json.writeStringField("pair", gap.pair());
        json.writeStringField("channel", gap.channel().apiName());
        json.writeStringField("kind", gap.kind().apiName());
        json.writeStringField("from", Times.iso(gap.fromMicros()));
        json.writeStringField("to", Times.iso(gap.toMicros()));
        json.writeNumberField("from_microtimestamp", gap.fromMicros());
        json.writeNumberField("to_microtimestamp", gap.toMicros());
        stringIfPresent(json, "last_event_id", gap.lastEventId());
        stringIfPresent(json, "first_event_id_after", gap.firstEventIdAfter());
        stringIfPresent(json, "expected_pre_event_id", gap.expectedPreEventId());
        stringIfPresent(json, "detail", gap.detail());
        if (!gap.hosts().isEmpty()) {
            json.writeArrayFieldStart("hosts");
            for (String host : gap.hosts()) {
                json.writeString(host);
            }
            json.writeEndArray();
        }
        if (covered != null) {
            json.writeBooleanField("covered", covered);
        }
        json.writeEndObject();
    }

    private static void stringIfPresent(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }
}
