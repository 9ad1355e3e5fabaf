package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.archive.DirectoryTarget;
import dev.orderflow.archive.Hour;
import dev.orderflow.archive.HourArchiver;
import dev.orderflow.archive.TableSource;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.lambda.FrontDoor;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.s3local.S3Local;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archive's figures on an hour of the btcusd-like stream with every event distinct ({@link MarketHour}, its own
 * table): how fast one thread archives it (reading its windows from DynamoDB Local included), the Parquet bytes per
 * event beside the chunks' stored bytes per event of the same hour, and how long DuckDB takes to count and sum a day
 * of it (the hour's file copied into the 24 hours of a day). The query figures' hour repeats the steady run's events,
 * whose ids, amounts and stamps then repeat too: a file of it is far smaller than an hour of the exchange, and
 * dictionaries find every value, so it would flatter the archive.
 */
final class ArchiveBench {
    private static final String PAIR = Bench.PAIR;
    private static final long SEED = 7;
    private static final int PASSES = 3;
    private static final String ARCHIVE_HANDLER = "dev.orderflow.archive.aws.ArchiveHandler::handleRequest";
    /** What EventBridge Scheduler sends on a {@code rate(15 minutes)} schedule (the function reads no field of it). */
    private static final String SCHEDULED_EVENT = "{\"version\":\"0\",\"id\":\"bench\",\"detail-type\":"
            + "\"Scheduled Event\",\"source\":\"aws.events\",\"region\":\"us-east-1\",\"detail\":{}}";

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

    void run(URI dynamoDb, Tables tables, double rate) throws Exception {
        long hourMicros = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).toEpochMilli() * 1000;
        String table = "bench_archive";
        long storedEvents = storeHour(tables, table, hourMicros, rate);
        long chunkBytes = tables.chunks(table, PAIR, Channel.ORDERS).stream()
                .mapToLong(Tables.StoredChunk::itemBytes).sum();
        progress.println("bench: archiving the hour as Parquet");
        try (IamFront front = LocalAws.front(home, dynamoDb, LocalAws.ARCHIVE_ROLE, table);
             DynamoDbClient db = LocalAws.client(front.endpoint());
             HeldQueries held = new HeldQueries(db);
             Scratch scratch = Scratch.create("orderflow-bench-archive-")) {
            TableSource source = new TableSource(db, table);
            TableSource inMemory = new TableSource(held, table);
            TableSource.Entry entry = source.catalog().stream()
                    .filter(e -> e.channel() == Channel.ORDERS).findFirst().orElseThrow();
            Hour hour = new Hour(entry.pair(), Channel.ORDERS, hourMicros);
            // the first pass warms the JIT up and fills the held answers; then passes from the table and from memory
            new HourArchiver(inMemory, new DirectoryTarget(scratch.path().resolve("warm-up"))).archive(hour, entry);
            double[] fromTable = new double[PASSES];
            double[] fromMemory = new double[PASSES];
            HourArchiver.Result result = null;
            for (int pass = 0; pass < PASSES; pass++) {
                TimedPass fromTablePass = timed(source, scratch.path().resolve("table-" + pass), hour, entry);
                TimedPass fromMemoryPass = timed(inMemory, scratch.path().resolve("memory-" + pass), hour, entry);
                fromTable[pass] = fromTablePass.eventsPerSecond();
                fromMemory[pass] = fromMemoryPass.eventsPerSecond();
                result = fromTablePass.result();
            }
            Arrays.sort(fromTable);
            Arrays.sort(fromMemory);
            Path dir = scratch.path().resolve("table-" + (PASSES - 1)); // the pass whose result is printed
            out.printf(Locale.ROOT, "# archive: one thread, an hour of distinct %s events (%,d) written as one Parquet"
                    + " file (ZSTD), read from DynamoDB Local (archive_events_per_s) or from its query answers held in"
                    + " memory (archive_write_events_per_s), medians of %d passes; archive_chunk_bytes_per_event: the"
                    + " same hour's chunk items%n", PAIR, result.events(), PASSES);
            figures.figure("archive_events_per_s", Bench.percentile(fromTable, 0.5), "events/s");
            figures.figure("archive_write_events_per_s", Bench.percentile(fromMemory, 0.5), "events/s");
            figures.figure("archive_bytes_per_event", (double) result.eventsFileBytes() / result.events(), "bytes");
            figures.figure("archive_chunk_bytes_per_event", (double) chunkBytes / storedEvents, "bytes");

            Path day = dir.resolve("day");
            Path file = dir.resolve(hour.eventsFile());
            for (int h = 0; h < 24; h++) {
                Path copy = day.resolve(String.format("hour=%02d/part-0.parquet", h));
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
            functionColdStart(front, table, result.events());

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

    /**
     * The packaged archive function started as Lambda's Java runtime starts it ({@link LocalLambda}: the runtime
     * interface client, the template's memory and JIT options), on an S3 API server's bucket and the table behind
     * the archive role's IAM front ({@code front}), and invoked once as its schedule invokes it: the hour is due, so
     * the first pass archives it in a JVM that has compiled nothing yet.
     */
    private void functionColdStart(IamFront front, String table, long hourEvents) throws Exception {
        progress.println("bench: the archive function, cold, on its schedule");
        String bucket = "bench-archive";
        try (S3Local s3 = S3Local.start(0, null)) {
            try (S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1)
                    .forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(S3Local.ACCESS_KEY, S3Local.SECRET_KEY)))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                client.createBucket(b -> b.bucket(bucket));
            }
            Map<String, String> env = new LinkedHashMap<>();
            env.put("ORDERFLOW_TABLE", table);
            env.put("ARCHIVE_BUCKET", bucket);
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", S3Local.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", S3Local.SECRET_KEY);
            env.put("AWS_ENDPOINT_URL_DYNAMODB", front.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
            // S3Proxy answers 501 to the SDK's default flexible checksums; S3 needs none
            env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED");
            env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "WHEN_REQUIRED");
            try (LocalLambda function = LocalLambda.start(home.archiveFunctionZip(), home.lambdaRuntimeDir(),
                    ARCHIVE_HANDLER, "archive", LocalLambda.ARCHIVE_MEMORY_MB, Ports.free(), 1, env, null)) {
                long started = function.functions().get(0).startedNanos();
                function.awaitReady(Duration.ofSeconds(60));
                double initMillis = (System.nanoTime() - started) / 1e6;
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + function.port() + FrontDoor.RUNTIME_API_PATH))
                        // the runtime client crashes on an event without a content type; Lambda always sends one
                        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                        .POST(HttpRequest.BodyPublishers.ofString(SCHEDULED_EVENT)).build(),
                        HttpResponse.BodyHandlers.ofString());
                double firstMillis = (System.nanoTime() - started) / 1e6;
                long archived = Frames.MAPPER.readTree(answer.body()).path("events").asLong(-1);
                if (answer.statusCode() != 200 || archived != hourEvents) {
                    throw new IllegalStateException("the archive function answered " + answer.statusCode() + ": "
                            + answer.body() + " (expected the hour's " + hourEvents + " events)");
                }
                out.printf(Locale.ROOT, "# archive: the packaged function (%d MB, JAVA_TOOL_OPTIONS %s) from its"
                        + " process's start: ready for its first event (archive_function_init_ms), and its first"
                        + " scheduled pass answered, the hour's %,d events archived to an S3 API server"
                        + " (archive_function_first_pass_ms)%n", LocalLambda.ARCHIVE_MEMORY_MB,
                        LocalLambda.JAVA_TOOL_OPTIONS, archived);
                figures.figure("archive_function_init_ms", initMillis, "ms");
                figures.figure("archive_function_first_pass_ms", firstMillis, "ms");
            }
        }
    }

    /** Writes the hour of {@link MarketHour} to {@code table}; its events' count (the items are not kept). */
    private long storeHour(Tables tables, String table, long hourMicros, double rate) throws InterruptedException {
        progress.printf(Locale.ROOT, "bench: writing an hour of distinct %s events at %.0f events/s for the archive%n",
                PAIR, rate);
        MarketHour.Items hour = MarketHour.of(PAIR, hourMicros, rate, QueryBench.SNAPSHOT_INTERVAL_MICROS, SEED);
        tables.create(table);
        tables.write(table, hour.items());
        return hour.events();
    }

    private record TimedPass(HourArchiver.Result result, double eventsPerSecond) {
    }

    private static TimedPass timed(TableSource source, Path dir, Hour hour, TableSource.Entry entry) {
        long started = System.nanoTime();
        HourArchiver.Result result = new HourArchiver(source, new DirectoryTarget(dir)).archive(hour, entry);
        return new TimedPass(result, result.events() / ((System.nanoTime() - started) / 1e9));
    }
}
