package dev.orderflow.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.restassured.response.Response;

/**
 * The API's real answers held to the OpenAPI document the function serves ({@code /q/openapi}). The document is read
 * strictly: an object may carry only the properties its schema names unless the schema allows more
 * ({@code additionalProperties}), so a field added to or renamed in a response without the document fails. JSON and
 * problem bodies are validated whole, each NDJSON line against the documented schema; every column of a CSV header
 * must be named in the CSV content's description.
 */
public final class Contract {
    private static JsonNode document;

    private Contract() {
    }

    /** Asserts that {@code response}, the answer to GET {@code path}, is what the document says it is. */
    public static void assertDocumented(String path, Response response) {
        String mediaType = response.contentType().split(";")[0].trim();
        String where = "GET " + path + " " + response.statusCode() + " " + mediaType;
        JsonNode content = content(path, response.statusCode(), mediaType);
        Schema schema = schema(content.get("schema"));
        switch (mediaType) {
            case "application/json", "application/problem+json" -> assertValid(where, schema, Api.json(response));
            case "application/x-ndjson" -> {
                List<JsonNode> lines = Api.ndjson(response);
                assertFalse(lines.isEmpty(), where + ": no line to check");
                lines.forEach(line -> assertValid(where, schema, line));
            }
            case "text/csv" -> {
                List<String> header = List.of(response.asString().lines().findFirst().orElse("").split(","));
                List<String> named = List.of(resolve(content.get("schema")).path("description").asText()
                        .split("[^A-Za-z0-9_]+"));
                for (String column : header) {
                    assertTrue(named.contains(column), where + ": column " + column + " is not named in the document");
                }
            }
            default -> throw new AssertionError(where + ": no rule to check this media type");
        }
    }

    /** Asserts that a JSON body is what the document says GET {@code path} answers with that status and type. */
    public static void assertDocumentedBody(String path, int status, String mediaType, JsonNode body) {
        assertValid("GET " + path + " " + status + " " + mediaType,
                schema(content(path, status, mediaType).get("schema")), body);
    }

    private static JsonNode content(String path, int status, String mediaType) {
        JsonNode content = document().path("paths").path(path).path("get").path("responses")
                .path(Integer.toString(status)).path("content");
        assertTrue(content.has(mediaType), "GET " + path + " " + status + " " + mediaType
                + " is not in the document; it lists " + content);
        return content.get(mediaType);
    }

    /** The served document, fetched once. */
    public static synchronized JsonNode document() {
        if (document == null) {
            document = Api.json(Api.ok("/q/openapi", Map.of("format", "json")));
        }
        return document;
    }

    private static void assertValid(String where, Schema schema, JsonNode instance) {
        List<Error> errors = schema.validate(instance);
        assertEquals(List.of(), errors.stream().map(Error::toString).toList(), where + ": " + instance);
    }

    /** A schema of the document with every {@code $ref} replaced by what it names, then closed (see {@link #close}). */
    private static Schema schema(JsonNode schema) {
        JsonNode inlined = close(inline(schema, 0), false);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(inlined);
    }

    /** A schema, or the one its {@code $ref} names. */
    private static JsonNode resolve(JsonNode schema) {
        return schema.has("$ref") ? document().at(schema.get("$ref").asText().substring(1)) : schema;
    }

    /** A copy of {@code node} with each {@code $ref} replaced by the schema it names (its siblings kept). */
    private static JsonNode inline(JsonNode node, int depth) {
        assertTrue(depth < 50, "the document's schemas refer to each other in a cycle");
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            if (object.has("$ref")) {
                copy.setAll((ObjectNode) inline(resolve(object), depth + 1));
            }
            object.properties().forEach(e -> {
                if (!e.getKey().equals("$ref")) {
                    copy.set(e.getKey(), inline(e.getValue(), depth + 1));
                }
            });
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = array.arrayNode();
            array.forEach(item -> copy.add(inline(item, depth + 1)));
            return copy;
        }
        return node;
    }

    /**
     * Closes every object schema to properties it does not name, where it says nothing of others (a member of an
     * {@code allOf} stays open: the schema holding the {@code allOf} is closed, and sees all their properties), and
     * turns OpenAPI 3.0's {@code nullable} into a type that allows null.
     */
    private static JsonNode close(JsonNode node, boolean inAllOf) {
        if (node instanceof ObjectNode object) {
            if (!inAllOf && (object.has("properties") || object.has("allOf"))
                    && !object.has("additionalProperties") && !object.has("unevaluatedProperties")) {
                object.put("unevaluatedProperties", false);
            }
            if (object.path("nullable").asBoolean(false) && object.path("type").isTextual()) {
                object.set("type", object.arrayNode().add(object.get("type").asText()).add("null"));
            }
            object.properties().forEach(e -> {
                if (e.getKey().equals("allOf")) {
                    e.getValue().forEach(member -> close(member, true));
                } else {
                    close(e.getValue(), false);
                }
            });
        } else if (node instanceof ArrayNode array) {
            array.forEach(item -> close(item, false));
        }
        return node;
    }
}
