package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;

/**
 * Reads events from the query API ({@code GET /v1/events}) page by page, in JSON (following {@code next_cursor})
 * or NDJSON (following the {@code Link: <...>; rel="next"} header). Numbers are parsed exactly ({@link Frames}).
 */
public final class QueryClient {
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @param base e.g. {@code http://127.0.0.1:8080} */
    public QueryClient(URI base) {
        this.base = base;
    }

    /** One page: its events, where the next page is (a path with query, or empty at the end), and its bytes. */
    public record Page(List<ObjectNode> events, Optional<String> next, int bytes) {
    }

    /** The query string of a first page. */
    public static String query(String pair, String channel, String from, String to, int limit, String format) {
        return "pair=" + enc(pair) + "&channel=" + enc(channel) + "&from=" + enc(from) + "&to=" + enc(to)
                + "&limit=" + limit + "&format=" + enc(format);
    }

    /** Every event of a range, following the pages to the end. */
    public List<ObjectNode> all(String pair, String channel, String from, String to, int limit, String format)
            throws IOException, InterruptedException {
        List<ObjectNode> events = new ArrayList<>();
        walk("/v1/events?" + query(pair, channel, from, to, limit, format), pathAndQuery -> {
            Page page = page(pathAndQuery);
            events.addAll(page.events());
            return page.next();
        });
        return events;
    }

    /**
     * The NDJSON bodies of every page of a range, as received, following the pages to the end; nothing is parsed
     * (see {@link #events(List)}).
     */
    public List<String> ndjsonBodies(String pair, String channel, String from, String to, int limit)
            throws IOException, InterruptedException {
        List<String> bodies = new ArrayList<>();
        walk("/v1/events?" + query(pair, channel, from, to, limit, "ndjson"), pathAndQuery -> {
            HttpURLConnection connection = (HttpURLConnection) base.resolve(pathAndQuery).toURL().openConnection();
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(60_000);
            int status = connection.getResponseCode();
            if (status != 200) {
                try (InputStream error = connection.getErrorStream()) {
                    String text = error == null ? "" : new String(error.readAllBytes(), StandardCharsets.UTF_8);
                    throw new IOException("GET " + pathAndQuery + " answered " + status + ": " + abbreviate(text));
                }
            }
            try (InputStream body = connection.getInputStream()) {
                bodies.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            List<String> links = connection.getHeaderFields().entrySet().stream()
                    .filter(h -> "Link".equalsIgnoreCase(h.getKey())).flatMap(h -> h.getValue().stream()).toList();
            return nextLink(links);
        });
        return bodies;
    }

    /** Reads one page; returns where the next one is. */
    private interface Step {
        Optional<String> read(String pathAndQuery) throws IOException, InterruptedException;
    }

    /** Follows the pages of a query from {@code first} to the end. */
    private static void walk(String first, Step step) throws IOException, InterruptedException {
        Optional<String> next = Optional.of(first);
        for (int pages = 1; next.isPresent(); pages++) {
            if (pages > 100_000) {
                throw new IOException("more than 100,000 pages: the cursor does not advance");
            }
            next = step.read(next.get());
        }
    }

    /** The events of NDJSON bodies, parsed exactly. */
    public static List<ObjectNode> events(List<String> ndjsonBodies) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        for (String body : ndjsonBodies) {
            for (String line : body.split("\n")) {
                if (!line.isBlank()) {
                    events.add(Frames.parse(line));
                }
            }
        }
        return events;
    }

    /** Fetches one page by its path and query ({@code /v1/events?...}); the format decides how it is read. */
    public Page page(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> answer = get(pathAndQuery);
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + answer.statusCode() + ": " + answer.body());
        }
        String type = answer.headers().firstValue("Content-Type").orElse("");
        List<ObjectNode> events = new ArrayList<>();
        if (type.startsWith("application/x-ndjson")) {
            for (String line : answer.body().split("\n")) {
                if (!line.isBlank()) {
                    events.add(Frames.parse(line));
                }
            }
            return new Page(events, nextLink(answer.headers().allValues("Link")), answer.body().length());
        }
        JsonNode body = Frames.MAPPER.readTree(answer.body());
        JsonNode list = body.get("events");
        if (list == null || !list.isArray()) {
            throw new IOException("GET " + pathAndQuery + ": no events array in " + abbreviate(answer.body()));
        }
        list.forEach(event -> events.add((ObjectNode) event));
        JsonNode cursor = body.get("next_cursor");
        Optional<String> next = cursor == null || cursor.isNull() ? Optional.empty()
                : Optional.of(withCursor(pathAndQuery, cursor.asText()));
        return new Page(events, next, answer.body().length());
    }

    /** A plain GET relative to the API's base. */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Optional<String> nextLink(List<String> linkHeaders) {
        for (String header : linkHeaders) {
            Matcher m = NEXT_LINK.matcher(header);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private static String withCursor(String pathAndQuery, String cursor) {
        String withoutCursor = pathAndQuery.replaceAll("&cursor=[^&]*", "");
        return withoutCursor + "&cursor=" + enc(cursor);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
