package dev.orderflow.pipeline;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

import dev.orderflow.archive.ArchiveSchedule;
import dev.orderflow.archive.Archiver;
import dev.orderflow.archive.DirectoryTarget;
import dev.orderflow.archive.HourArchiver;
import dev.orderflow.archive.TableSource;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.pipeline.process.Components;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "archive", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Sealed hours of the table as Hive-partitioned Parquet under ./data/archive, then exits.",
        description = "Writes events/ and gaps/ (channel=/pair=/date=/hour=/part-0.parquet) and a _coverage.json per"
                + " hour, for every hour the capture has sealed (its confirmed watermark passed the hour's end);"
                + " files whose content would not change are left as they are. DynamoDB endpoint and table come from"
                + " the environment (QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE, ORDERFLOW_TABLE), by default"
                + " http://127.0.0.1:8000 (./pipeline dynamodb or run) and orderflow, reached through an IAM front"
                + " that enforces the archiver's policy of template.yaml.")
final class ArchiveCommand implements Callable<Integer> {
    /** How often {@code ./pipeline run} archives what has been sealed since. */
    static final Duration RUN_EVERY = Duration.ofMinutes(1);

    @Option(names = "--from", paramLabel = "TIME",
            description = "first hour (ISO-8601 instant or date, UTC; default: the first stored event)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "end of the range, exclusive (default: all sealed)")
    String to;

    @Option(names = "--out", paramLabel = "DIR", description = "where the archive goes (default: ./data/archive)")
    Path out;

    @Option(names = "--include-open", description = "also the hours not sealed yet, up to the last stored event"
            + " (their coverage says after_confirmed_writes; a later run rewrites them)")
    boolean includeOpen;

    @Override
    public Integer call() {
        Home home = Home.locate();
        Path dir = out != null ? out.toAbsolutePath() : home.dataDir().resolve("archive");
        try (Components components = new Components()) {
            String table = LocalAws.tableFromEnv();
            IamFront front = components.add(LocalAws.front(home, LocalAws.endpointFromEnv(), LocalAws.ARCHIVE_ROLE,
                    table));
            DynamoDbClient db = components.add(LocalAws.client(front.endpoint()));
            long started = System.nanoTime();
            List<HourArchiver.Result> results;
            Archiver.HoursFailed failed = null;
            try {
                results = new Archiver(new TableSource(db, table), new DirectoryTarget(dir))
                        .archive(micros(from, "--from"), micros(to, "--to"), includeOpen);
            } catch (Archiver.HoursFailed e) {
                failed = e;
                results = e.archived();
            }
            long events = results.stream().mapToLong(HourArchiver.Result::events).sum();
            long written = results.stream().filter(r -> r.filesWritten() > 0).count();
            long incomplete = results.stream().filter(r -> !r.complete()).count();
            System.out.printf("archived %d hours (%d events) to %s in %d ms: %d rewritten, %d unchanged,"
                            + " %d not complete (see their _coverage.json)%n", results.size(), events, dir,
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), written, results.size() - written,
                    incomplete);
            if (failed != null) {
                System.err.println(failed.getMessage() + " (run the command again for them): " + failed.getCause());
                return 1;
            }
        }
        return 0;
    }

    /** Archives sealed hours into {@code dir} every {@link #RUN_EVERY}, as {@code ./pipeline run} does. */
    static ArchiveSchedule schedule(Components components, Home home, URI dynamoDb, Path dir) {
        IamFront front = components.add(LocalAws.front(home, dynamoDb, LocalAws.ARCHIVE_ROLE,
                LocalAws.DEFAULT_TABLE));
        DynamoDbClient db = components.add(LocalAws.client(front.endpoint()));
        Archiver archiver = new Archiver(new TableSource(db, LocalAws.DEFAULT_TABLE), new DirectoryTarget(dir));
        return components.add(new ArchiveSchedule(archiver, RUN_EVERY, line -> System.out.println("archive: " + line)));
    }

    /** An ISO-8601 instant or a date (midnight UTC) as µs, or {@code null} when not given. */
    static Long micros(String value, String option) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Instant t = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000L;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + value
                    + ": not an ISO-8601 instant (2026-11-23T20:00:00Z) or date (2026-11-23)");
        }
    }
}
