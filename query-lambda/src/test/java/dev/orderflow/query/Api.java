package dev.orderflow.query;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Small helpers for calling the API in tests; every call goes through the Lambda event path (see EventsResourceTest). */
public final class Api {
    private Api() {
    }

    /** ISO-8601 with µs, as a query parameter. */
    public static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }

    public static RequestSpecification request() {
        return given().urlEncodingEnabled(true);
    }

    /** GET path with the parameters, expecting 200. */
    public static Response ok(String path, Map<String, ?> params) {
        return request().queryParams(params).get(path).then().statusCode(200).extract().response();
    }

    /** The body parsed exactly (decimals as BigDecimal, ids as they are). */
    public static JsonNode json(Response response) {
        try {
            return Frames.MAPPER.readTree(response.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NDJSON body: one parsed object per line. */
    public static List<JsonNode> ndjson(Response response) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.asString().split("\n")) {
            if (!line.isEmpty()) {
                try {
                    lines.add(Frames.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return lines;
    }

    /** The URL of the Link header value with this rel, or null. */
    public static String link(Response response, String rel) {
        for (String header : response.headers().getValues("Link")) {
            for (String value : header.split(",")) {
                String v = value.strip();
                if (v.endsWith("rel=\"" + rel + "\"")) {
                    return v.substring(v.indexOf('<') + 1, v.indexOf('>'));
                }
            }
        }
        return null;
    }

    /** JSON array elements as a list. */
    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
