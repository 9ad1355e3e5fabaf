package dev.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.archive.DirectoryTarget;
import dev.orderflow.archive.EventSchema;
import dev.orderflow.archive.Hour;
import dev.orderflow.archive.HourArchiver;
import dev.orderflow.archive.TableSource;
import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.parentwatch.Scratch;
import dev.orderflow.pipeline.bench.Prometheus;
import dev.orderflow.pipeline.bench.QueryClient;
import dev.orderflow.pipeline.bench.SimulatorControl;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import dev.orderflow.simulator.SimulatorOptions;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import org.awaitility.Awaitility;

/**
 * Events written through the real capture path (simulator → packaged capture service → DynamoDB Local), archived
 * under the archiver's policy of template.yaml, read back with DuckDB, and compared field by field (decimal strings
 * byte for byte) with what the packaged query function's {@code /v1/events} returns; each file's coverage metadata
 * with {@code /v1/gaps}; the archived snapshots with {@code /v1/book/snapshots}.
 */
@Timeout(300)
class ArchiveEndToEndTest {
    private static final String PAIR = "btcusd";
    private static final int ORDER_EVENTS = 400;
    /** Columns that stand for API fields of another name, or hold what the API gives as {@code time}. */
    private static final Set<String> NOT_API_FIELDS = Set.of("price_text", "amount_text", "received", "extra",
            "time", "filename", "file_row_number");

    private static Components parts;
    private static SimulatorControl simulator;
    private static int simulatorPort;
    private static CaptureProcess capture;
    private static QueryClient api;
    private static DynamoDbClient archiverDb;
    private static Instant started;

    @BeforeAll
    static void startPipeline() throws Exception {
        Home home = Home.locate();
        assumeTrue(Files.isRegularFile(home.root().resolve("capture-service/target/quarkus-app/quarkus-run.jar"))
                        && Files.isRegularFile(home.root().resolve("query-lambda/target/function.zip")),
                "the packaged capture service and query function are missing: run ./mvnw verify from the"
                        + " repository root (this module is built after them)");
        started = Instant.now();
        parts = new Components();
        DynamoDbLocal db = parts.add(DynamoDbLocal.start(0, null));
        Simulator sim = parts.add(Simulator.start(
                SimulatorOptions.defaults().withPort(0).withRate(0).withPairs(List.of(PAIR))));
        simulatorPort = sim.port();
        simulator = new SimulatorControl(sim.port());
        LocalAws.createTable(db.endpoint(), LocalAws.DEFAULT_TABLE);
        IamFront captureFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE,
                LocalAws.DEFAULT_TABLE));
        IamFront queryFront = parts.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION,
                LocalAws.DEFAULT_TABLE));
        IamFront archiveFront = parts.add(LocalAws.front(home, db.endpoint(), LocalAws.ARCHIVE_ROLE,
                LocalAws.DEFAULT_TABLE));
        archiverDb = parts.add(LocalAws.client(archiveFront.endpoint()));
        Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(
                URI.create("ws://127.0.0.1:" + sim.port()), PAIR));
        env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), LocalAws.DEFAULT_TABLE));
        env.putAll(CaptureProcess.journalEnvironment(parts.add(Scratch.create("orderflow-archive-journal-")).path()));
        capture = parts.add(CaptureProcess.start(home.captureJar(), env, Ports.free(), System.out));
        LocalLambda lambda = parts.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                Home.QUARKUS_HANDLER, 0, 1, LocalAws.queryFunction(queryFront.endpoint(), LocalAws.DEFAULT_TABLE),
                System.out));
        api = new QueryClient(URI.create("http://127.0.0.1:" + lambda.port()));
        capture.awaitReady(Duration.ofSeconds(90));
        lambda.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopPipeline() {
        if (parts != null) {
            parts.close();
        }
    }

    @Test
    void shouldArchiveWhatTheApiReturnsFieldByFieldWithCoverageMatchingItsGaps(@TempDir Path dir) throws Exception {
        simulator.emit(PAIR, ORDER_EVENTS / 2);
        // an exchange-side loss, so that the hour has a gap record
        HttpResponse<String> skipped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + simulatorPort + "/sim/faults/skip?channel=live_orders_" + PAIR + "&count=3"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, skipped.statusCode(), skipped.body());
        simulator.emit(PAIR, ORDER_EVENTS / 2);
        // the connect snapshot is stored once the exchange's REST book is stamped after the first captured event
        // plus the margin: trading goes on until then (a burst shorter than the margin alone never gets there)
        String snapshotsQuery = "/v1/book/snapshots?pair=" + PAIR + "&from=" + iso(started.toEpochMilli() * 1000L)
                + "&to=" + iso((Instant.now().toEpochMilli() + 3_600_000L) * 1000L);
        // the API knows a pair once the capture has written its catalog item (every catalog interval)
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                Frames.MAPPER.readTree(api.get("/v1/pairs").body()).toString().contains("\"" + PAIR + "\""));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            simulator.emit(PAIR, 2);
            HttpResponse<String> answer = api.get(snapshotsQuery);
            assertEquals(200, answer.statusCode(), answer.body());
            return Frames.MAPPER.readTree(answer.body()).get("snapshots").size() > 0;
        });
        int sentOrders = simulator.sent(Channel.ORDERS.wireName(PAIR)).size();
        int sentTrades = simulator.sent(Channel.TRADES.wireName(PAIR)).size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Prometheus metrics = new Prometheus(capture.metrics());
            return metrics.sum(CaptureProcess.EVENTS_STORED_BY_CHANNEL, Map.of("pair", PAIR, "channel", "orders"))
                    >= sentOrders - 3
                    && metrics.sum(CaptureProcess.EVENTS_STORED_BY_CHANNEL, Map.of("pair", PAIR, "channel", "trades"))
                    >= sentTrades;
        });

        TableSource table = new TableSource(archiverDb, LocalAws.DEFAULT_TABLE);
        // the capture writes its catalog items every few seconds
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> table.catalog().stream().map(TableSource.Entry::channel).distinct().count() == 2);
        HourArchiver archiver = new HourArchiver(table, new DirectoryTarget(dir));
        long now = Instant.now().toEpochMilli() * 1000L;
        List<Hour> hours = new ArrayList<>();
        for (TableSource.Entry entry : table.catalog()) {
            // the hours are not sealed yet (the watermark is minutes old at most): archived as a backfill would
            for (Hour h = Hour.of(entry.pair(), entry.channel(), started.toEpochMilli() * 1000L);
                    h.startMicros() <= now; h = h.next()) {
                HourArchiver.Result result = archiver.archive(h, entry);
                assertFalse(result.complete(), "an hour the watermark has not passed is not complete");
                hours.add(h);
            }
        }
        assertEquals(2, hours.stream().map(Hour::channel).distinct().count(), "both channels are in the catalog");

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            for (Channel channel : Channel.values()) {
                List<Hour> ofChannel = hours.stream().filter(h -> h.channel() == channel).toList();
                String from = iso(ofChannel.get(0).startMicros());
                String to = iso(ofChannel.get(ofChannel.size() - 1).endMicros());
                List<ObjectNode> served = api.all(PAIR, channel.apiName(), from, to, 1000, "json");
                List<Map<String, Object>> rows = rows(sql, "SELECT *, price::VARCHAR AS price_decimal,"
                        + " amount::VARCHAR AS amount_decimal, extra::VARCHAR AS extra_text,"
                        + " epoch_us(time) AS time_us, epoch_us(received) AS received_us"
                        + " FROM read_parquet('" + dir + "/events/channel=" + channel.apiName() + "/**/*.parquet',"
                        + " hive_partitioning = true, filename = true, file_row_number = true)"
                        + " ORDER BY filename, file_row_number");
                assertTrue(served.size() > 0, channel + ": events served");
                assertEquals(served.size(), rows.size(), channel + ": events archived");
                for (int i = 0; i < served.size(); i++) {
                    assertSameEvent(channel + " event " + i + ": ", served.get(i), rows.get(i));
                }
                for (Hour hour : ofChannel) {
                    assertCoverageMatchesGaps(sql, dir, hour);
                }
            }
            // the snapshots the API lists, each with as many rows per side as it has orders
            List<JsonNode> listed = new ArrayList<>();
            Frames.MAPPER.readTree(api.get(snapshotsQuery).body()).get("snapshots").forEach(listed::add);
            List<Map<String, Object>> archived = rows(sql, "SELECT snapshot_microtimestamp,"
                    + " count(*) FILTER (WHERE side = 'buy') AS bids, count(*) FILTER (WHERE side = 'sell') AS asks"
                    + " FROM read_parquet('" + dir + "/snapshots/**/*.parquet', hive_partitioning = true)"
                    + " GROUP BY snapshot_microtimestamp ORDER BY snapshot_microtimestamp");
            assertEquals(listed.size(), archived.size(), "snapshots archived: " + archived + " listed: " + listed);
            for (int i = 0; i < listed.size(); i++) {
                JsonNode s = listed.get(i);
                Map<String, Object> a = archived.get(i);
                assertEquals(s.get("microtimestamp").longValue(), ((Number) a.get("snapshot_microtimestamp")).longValue());
                assertEquals(s.get("bid_orders").longValue(), ((Number) a.get("bids")).longValue(), s.toString());
                assertEquals(s.get("ask_orders").longValue(), ((Number) a.get("asks")).longValue(), s.toString());
            }
        }
    }

    /** Each API field is a column of the same value, or sits in extra with the same JSON value; nothing more. */
    private static void assertSameEvent(String where, ObjectNode event, Map<String, Object> row) throws Exception {
        JsonNode extra = row.get("extra_text") == null ? Frames.MAPPER.createObjectNode()
                : Frames.MAPPER.readTree((String) row.get("extra_text"));
        int columnsUsed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            String at = where + name + " (" + event + ")";
            if (name.equals("time")) {
                assertEquals(iso(((Number) row.get("time_us")).longValue()), value.textValue(), at);
            } else if (name.equals("price") || name.equals("amount")) {
                assertEquals(value.textValue(), row.get(name + "_text"), at + ": the exchange's string, byte for byte");
                assertEquals(0, new BigDecimal(value.textValue()).compareTo(new BigDecimal((String) row.get(name
                        + "_decimal"))), at + ": the DECIMAL column");
                columnsUsed++;
            } else if (row.containsKey(name) && row.get(name) != null) {
                Object column = row.get(name);
                if (value.isTextual()) {
                    assertEquals(value.textValue(), column, at);
                } else if (value.isBoolean()) {
                    assertEquals(value.booleanValue(), column, at);
                } else {
                    assertEquals(value.longValue(), ((Number) column).longValue(), at);
                }
                columnsUsed++;
            } else {
                assertNotNull(extra.get(name), at + ": neither a column nor in extra");
                assertEquals(value, extra.get(name), at);
            }
        }
        assertEquals(((Number) row.get("received_microtimestamp")).longValue(),
                ((Number) row.get("received_us")).longValue(), where + "received is received_microtimestamp");
        long nonNullColumns = EventSchema.SCHEMA.getFields().stream()
                .map(f -> f.getName())
                .filter(c -> !NOT_API_FIELDS.contains(c) && !c.equals("price") && !c.equals("amount"))
                .filter(c -> row.get(c) != null).count();
        assertEquals(nonNullColumns + (row.get("price") != null ? 1 : 0) + (row.get("amount") != null ? 1 : 0)
                + 2, columnsUsed + 0L, where + "every column holds a field the API returns: " + row + " API: " + event);
        assertEquals(extra.size(), countIn(event, extra), where + "extra holds only fields the API returns");
    }

    private static int countIn(ObjectNode event, JsonNode extra) {
        int n = 0;
        for (Iterator<String> names = extra.fieldNames(); names.hasNext(); ) {
            n += event.has(names.next()) ? 1 : 0;
        }
        return n;
    }

    /** The file's coverage metadata and manifest list the gap records /v1/gaps lists for the hour. */
    private static void assertCoverageMatchesGaps(Statement sql, Path dir, Hour hour) throws Exception {
        String file = dir.resolve(hour.eventsFile()).toString();
        ResultSet kv = sql.executeQuery("SELECT decode(value) FROM parquet_kv_metadata('" + file + "')"
                + " WHERE decode(key) = '" + HourArchiver.META_COVERAGE + "'");
        assertTrue(kv.next(), file + " has coverage metadata");
        JsonNode coverage = Frames.MAPPER.readTree(kv.getString(1));
        assertEquals(coverage, Frames.MAPPER.readTree(Files.readString(dir.resolve(hour.coverageFile()))));
        JsonNode gaps = Frames.MAPPER.readTree(api.get("/v1/gaps?pair=" + PAIR + "&channel="
                + hour.channel().apiName() + "&from=" + iso(hour.startMicros()) + "&to=" + iso(hour.endMicros()))
                .body()).get("gaps");
        assertEquals(gaps.size(), coverage.get("gaps").size(), hour + ": " + gaps + " vs " + coverage);
        for (int i = 0; i < gaps.size(); i++) {
            JsonNode served = gaps.get(i);
            JsonNode archived = coverage.get("gaps").get(i);
            assertEquals(served.get("kind"), archived.get("kind"), hour + " gap " + i);
            assertEquals(served.get("from_microtimestamp"), archived.get("from_microtimestamp"), hour + " gap " + i);
            assertEquals(served.get("to_microtimestamp"), archived.get("to_microtimestamp"), hour + " gap " + i);
        }
        assertEquals(!gaps.isEmpty(), coverage.get("reasons").toString().contains("gaps"), hour.toString());
        assertEquals(!gaps.isEmpty(), Files.exists(dir.resolve(hour.gapsFile())), hour + ": gaps file");
    }

    private static List<Map<String, Object>> rows(Statement sql, String query) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ResultSet rs = sql.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= n; i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String iso(long micros) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(t);
    }
}
