package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;

import dev.orderflow.archive.DirectoryTarget;
import dev.orderflow.archive.Hour;
import dev.orderflow.archive.HourArchiver;
import dev.orderflow.archive.TableSource;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.storage.Channel;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The archive's figures on the bench's stored hour of the btcusd-like stream: how fast one thread archives it
 * (reading its windows from DynamoDB Local included), the Parquet bytes per event, and how long DuckDB takes to
 * count and sum a day of it (the hour's file copied into the 24 hours of a day).
 */
final class ArchiveBench {
    interface Figures {
        void figure(String name, double value, String unit);
    }

    private final Home home;
    private final PrintStream progress;
    private final PrintStream out;
    private final Figures figures;

    ArchiveBench(Home home, PrintStream progress, PrintStream out, Figures figures) {
        this.home = home;
        this.progress = progress;
        this.out = out;
        this.figures = figures;
    }

    void run(URI dynamoDb, String table, long hourMicros, long events) throws Exception {
        progress.println("bench: archiving the stored hour as Parquet");
        try (IamFront front = LocalAws.front(home, dynamoDb, LocalAws.ARCHIVE_ROLE, table);
             DynamoDbClient db = LocalAws.client(front.endpoint());
             Scratch scratch = Scratch.create("orderflow-bench-archive-")) {
            TableSource source = new TableSource(db, table);
            TableSource.Entry entry = source.catalog().stream()
                    .filter(e -> e.channel() == Channel.ORDERS).findFirst().orElseThrow();
            Hour hour = new Hour(entry.pair(), Channel.ORDERS, hourMicros);
            // the first pass warms the JIT up; the second is timed
            new HourArchiver(source, new DirectoryTarget(scratch.path().resolve("warm-up"))).archive(hour, entry);
            Path dir = scratch.path().resolve("archive");
            long started = System.nanoTime();
            HourArchiver.Result result = new HourArchiver(source, new DirectoryTarget(dir)).archive(hour, entry);
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf(Locale.ROOT, "# archive: one thread, the stored hour (%,d events) read from DynamoDB Local"
                    + " and written as one Parquet file (ZSTD)%n", result.events());
            figures.figure("archive_events_per_s", result.events() / seconds, "events/s");
            figures.figure("archive_bytes_per_event", (double) result.eventsFileBytes() / result.events(), "bytes");

            Path day = dir.resolve("day");
            Path file = dir.resolve(hour.eventsFile());
            for (int h = 0; h < 24; h++) {
                Path copy = day.resolve(String.format("hour=%02d/part-0.parquet", h));
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
            long scanStarted = System.nanoTime();
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement();
                 ResultSet rs = sql.executeQuery("SELECT count(*), sum(amount), sum(price * amount) FROM read_parquet('"
                         + day + "/*/part-0.parquet')")) {
                rs.next();
                double scan = (System.nanoTime() - scanStarted) / 1e9;
                out.printf(Locale.ROOT, "# archive: DuckDB counting and summing a day (%,d events in 24 files)%n",
                        rs.getLong(1));
                figures.figure("duckdb_day_scan_s", scan, "s");
            }
        }
    }
}
