package dev.orderflow.archive.aws;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import dev.orderflow.archive.Archiver;
import dev.orderflow.archive.HourArchiver;
import dev.orderflow.archive.TableSource;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archiver on AWS Lambda ({@code ArchiveFunction} in template.yaml). On its schedule (any event without
 * {@code from} or {@code to}) it archives the hours of the last {@link Archiver#DUE_WINDOW} that are due
 * ({@link Archiver#archiveDue}: sealed and not archived sealed yet, or settling); invoked with
 * {@code {"from": "2026-11-01", "to": "2026-11-08"}} (ISO dates or instants, UTC; either may be left out: from the
 * first stored event, up to the watermark) it backfills every sealed hour of that range, reading each again. Table
 * and bucket come from {@code ORDERFLOW_TABLE} and {@code ARCHIVE_BUCKET}.
 */
public final class ArchiveHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Archiver archiver;

    public ArchiveHandler() {
        DynamoDbClient db = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).build();
        this.archiver = new Archiver(new TableSource(db, required("ORDERFLOW_TABLE")),
                new S3Target(s3, required("ARCHIVE_BUCKET")));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Long from = input == null ? null : micros(input.get("from"));
        Long to = input == null ? null : micros(input.get("to"));
        List<HourArchiver.Result> results;
        try {
            results = from == null && to == null ? archiver.archiveDue(false) : archiver.archiveSealed(from, to);
        } catch (Archiver.HoursFailed e) {
            // the other hours are archived; the invocation fails (the function's Errors metric, ArchiveErrorsAlarm)
            context.getLogger().log("archived " + summary(e.archived()) + "; " + e.getMessage());
            throw e;
        }
        Map<String, Object> summary = summary(results);
        context.getLogger().log("archived " + summary);
        return summary;
    }

    private static Map<String, Object> summary(List<HourArchiver.Result> results) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("hours", results.size());
        summary.put("rewritten", results.stream().filter(r -> r.filesWritten() > 0).count());
        summary.put("events", results.stream().mapToLong(HourArchiver.Result::events).sum());
        summary.put("not_complete", results.stream().filter(r -> !r.complete()).map(r -> r.hour().toString()).toList());
        return summary;
    }

    private static Long micros(Object value) {
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        String text = value.toString();
        Instant t = text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                : Instant.parse(text);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000L;
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }
}
