package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.pipeline.Home;
import dev.orderflow.pipeline.LaunchException;
import dev.orderflow.pipeline.LocalAws;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The query scenario of {@code ./pipeline bench}: one hour of the btcusd-like stream written as the capture writes
 * it (with a snapshot every 15 minutes), then page, export and book timings of the packaged query function behind the
 * local API Gateway. The archive's figures use an hour of their own ({@link ArchiveBench}).
 */
final class QueryBench {
    private static final String PAIR = Bench.PAIR;
    private static final long HOUR_MICROS = Bench.HOUR_MICROS;
    private static final int PAGE = 1_000;
    private static final int EXPORT_PAGE = 10_000;
    /** Walks through the whole hour; the median is the figure. */
    private static final int EXPORT_WALKS = 3;
    /** Exports before the concurrent figure: the function processes are new, and their JIT warms up on these. */
    private static final int EXPORT_WARM_UP = 6;
    /** Ranges of the hour walked at once for {@code export_events_per_s}. */
    private static final int EXPORT_PARTS = 4;
    /** Function processes behind the API for the concurrent export, as {@code ./pipeline api} starts by default. */
    private static final int API_INSTANCES = 2;
    private static final int BOOK_SAMPLES = 100;
    private static final int BOOK_WARM_UP = 5;
    /** Periodic snapshots in the stored hour: the capture's default {@code capture.snapshot.interval}, 15 min. */
    static final long SNAPSHOT_INTERVAL_MICROS = 15 * 60_000_000L;

    private final Home home;
    private final int pageSamples;
    private final PrintStream progress;
    private final PrintStream figures;
    private final Figures figure;

    QueryBench(Home home, int pageSamples, PrintStream progress, PrintStream figures, Figures figure) {
        this.home = home;
        this.pageSamples = pageSamples;
        this.progress = progress;
        this.figures = figures;
        this.figure = figure;
    }

    /** Query figures over one hour of the btcusd-like stream, served by the packaged query function. */
    void run(Path functionZip, Path runtime, DynamoDbLocal db, Tables tables, List<CapturedEvent> template,
             ObjectNode book) throws Exception {
        if (template.isEmpty()) {
            throw new LaunchException("the synthetic stream stored no order events; no query figures");
        }
        String table = "bench_query";
        Instant hourStart = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        long hourMicros = hourStart.toEpochMilli() * 1000;
        progress.println("bench: writing one hour of the btcusd-like stream for the query API");
        tables.create(table);
        long events = writeHour(tables, table, template, book, hourMicros);
        figures.printf(Locale.ROOT, "# query API: packaged query function behind the local API Gateway, one hour"
                + " of the btcusd-like stream (%,d order events); pages as NDJSON%n", events);

        try (IamFront front = LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION, table)) {
            query(functionZip, runtime, LocalAws.queryFunction(front.endpoint(), table), hourStart, hourMicros,
                    events);
        }
    }

    private void query(Path functionZip, Path runtime, Map<String, String> env, Instant hourStart, long hourMicros,
                       long events) throws Exception {
        try (LocalLambda api = LocalLambda.start(functionZip, runtime, Home.QUARKUS_HANDLER, Ports.free(), 1, env,
                null)) {
            QueryClient client = new QueryClient(URI.create("http://127.0.0.1:" + api.port()));
            Bench.awaitFirstAnswer(api, client);
            // from the function process's start, as Lambda's init: unpacking the package comes before, at deployment
            figure.figure("api_start_ms", (System.nanoTime() - api.functions().get(0).startedNanos()) / 1e6, "ms");

            Random random = new Random(1);
            String to = hourStart.plus(1, ChronoUnit.HOURS).toString();
            int warmUp = Math.max(10, pageSamples / 10);
            double[] millis = new double[pageSamples];
            for (int i = -warmUp; i < pageSamples; i++) {
                String from = hourStart.plusSeconds(random.nextInt(3000)).toString();
                long t0 = System.nanoTime();
                QueryClient.Page page = client.page("/v1/events?"
                        + QueryClient.query(PAIR, "orders", from, to, PAGE, "ndjson"));
                if (i >= 0) {
                    millis[i] = (System.nanoTime() - t0) / 1e6;
                }
                if (page.events().size() != PAGE) {
                    throw new IllegalStateException("a page held " + page.events().size() + " events, not " + PAGE);
                }
            }
            Arrays.sort(millis);
            figure.figure("query_page_1000_p50_ms", Bench.percentile(millis, 0.50), "ms");
            figure.figure("query_page_1000_p99_ms", Bench.percentile(millis, 0.99), "ms");

            figure.figure("export_one_walk_events_per_s", exportRate(client, hourStart, events, 1, EXPORT_WALKS),
                    "events/s");

            bookAt(client, hourMicros);
        }
        // as ./pipeline api runs it: two function processes, each taking one request at a time
        progress.printf("bench: starting %d function processes for the concurrent export%n", API_INSTANCES);
        try (LocalLambda api = LocalLambda.start(functionZip, runtime, Home.QUARKUS_HANDLER, Ports.free(),
                API_INSTANCES, env, null)) {
            QueryClient client = new QueryClient(URI.create("http://127.0.0.1:" + api.port()));
            Bench.awaitFirstAnswer(api, client);
            exportRate(client, hourStart, events, EXPORT_PARTS, EXPORT_WARM_UP); // the JIT of both processes
            figure.figure("export_events_per_s", exportRate(client, hourStart, events, EXPORT_PARTS, EXPORT_WALKS),
                    "events/s");
        }
    }

    /**
     * Events per second of exporting the hour as NDJSON pages of {@link #EXPORT_PAGE}, the median of
     * {@code exports}; the hour is cut into {@code parts} equal ranges, each walked page by page with its
     * cursor, all at once. The clock covers the requests and receiving every body; parsing and checking that every
     * event came back once, in time order, comes after.
     */
    private double exportRate(QueryClient client, Instant hourStart, long events, int parts, int exports)
            throws Exception {
        double[] rates = new double[exports];
        for (int walk = 0; walk < exports; walk++) {
            progress.printf("bench: exporting the hour page by page in %d walk%s (%d of %d)%n", parts,
                    parts == 1 ? "" : "s at once", walk + 1, exports);
            List<Callable<List<String>>> walks = new ArrayList<>();
            for (int part = 0; part < parts; part++) {
                Instant from = hourStart.plus(Duration.ofHours(1).multipliedBy(part).dividedBy(parts));
                Instant to = hourStart.plus(Duration.ofHours(1).multipliedBy(part + 1).dividedBy(parts));
                walks.add(() -> client.ndjsonBodies(PAIR, "orders", from.toString(), to.toString(), EXPORT_PAGE));
            }
            ExecutorService threads = Executors.newFixedThreadPool(parts);
            List<String> bodies = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                for (Future<List<String>> part : threads.invokeAll(walks)) {
                    bodies.addAll(part.get());
                }
            } finally {
                threads.shutdownNow();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            progress.printf("bench: export received in %.2f s; checking it%n", seconds);
            List<ObjectNode> all = QueryClient.events(bodies);
            if (all.size() != events) {
                throw new IllegalStateException("the export returned " + all.size() + " events of " + events);
            }
            for (int i = 1; i < all.size(); i++) {
                if (all.get(i).get("microtimestamp").asLong() < all.get(i - 1).get("microtimestamp").asLong()) {
                    throw new IllegalStateException("the export is out of time order at event " + i);
                }
            }
            rates[walk] = all.size() / seconds;
        }
        Arrays.sort(rates);
        return Bench.percentile(rates, 0.50);
    }

    /**
     * {@code GET /v1/book} (level 3, JSON) at random instants of the stored hour, warm; the hour holds a snapshot
     * every {@link #SNAPSHOT_INTERVAL_MICROS}, as the capture stores them by default, so an instant just before the
     * next one replays almost 15 minutes of events (about 63,000 on btcusd), and the average about half of that.
     * The clock covers the request and receiving the body; checking it comes after.
     */
    private void bookAt(QueryClient client, long hourMicros) throws Exception {
        progress.printf("bench: the book at %d random instants of the hour%n", BOOK_SAMPLES);
        Random random = new Random(2);
        double[] millis = new double[BOOK_SAMPLES];
        long applied = 0;
        long orders = 0;
        for (int i = -BOOK_WARM_UP; i < BOOK_SAMPLES; i++) {
            long at = hourMicros + (long) (random.nextDouble() * HOUR_MICROS);
            String path = "/v1/book?pair=" + PAIR + "&at=" + Bench.micros(at);
            long t0 = System.nanoTime();
            HttpResponse<String> answer = client.get(path);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + answer.statusCode() + ": "
                        + answer.body());
            }
            JsonNode book = Frames.MAPPER.readTree(answer.body());
            JsonNode counts = book.path("counts");
            int resting = counts.path("bid_orders").asInt() + counts.path("ask_orders").asInt();
            long last = book.path("last_event").path("microtimestamp").asLong(Long.MAX_VALUE);
            if (resting == 0 || book.path("bids").isEmpty() || book.path("asks").isEmpty() || last > at
                    || book.path("coverage").path("snapshot").path("microtimestamp").asLong()
                    != at - (at - hourMicros) % SNAPSHOT_INTERVAL_MICROS) {
                throw new IllegalStateException("GET " + path + ": an implausible book (" + resting
                        + " orders, last event at " + last + ", counts " + counts + ")");
            }
            if (i >= 0) {
                millis[i] = ms;
                applied += counts.path("events_applied").asLong();
                orders += resting;
            }
        }
        progress.printf(Locale.ROOT, "bench: the books held %,d orders and applied %,d events on average%n",
                orders / BOOK_SAMPLES, applied / BOOK_SAMPLES);
        Arrays.sort(millis);
        figure.figure("book_at_p50_ms", Bench.percentile(millis, 0.50), "ms");
        figure.figure("book_at_p99_ms", Bench.percentile(millis, 0.99), "ms");
    }

    /**
     * Fills {@code [hourStart, hourStart + 1 h)} with copies of {@code template} shifted in time, stored as the
     * capture service stores them, plus a snapshot every {@link #SNAPSHOT_INTERVAL_MICROS} from {@code hourStart}
     * (as the capture stores them by default) and the catalog item the API looks pairs up in. Each snapshot is
     * {@code book}, the simulator's book at the end of the steady run, dated at its instant: not the true book of the
     * copied hour (the template started from an earlier one), but of its size and shape, which is what the timing of
     * {@code /v1/book} needs. Returns the events written.
     */
    private static long writeHour(Tables tables, String table, List<CapturedEvent> template, ObjectNode book,
                                  long hourStart) throws InterruptedException {
        long first = template.get(0).microtimestamp();
        long span = Math.max(1_000_000, template.get(template.size() - 1).microtimestamp() - first + 1_000);
        long hourEnd = hourStart + 3_600_000_000L;
        TreeMap<Long, List<CapturedEvent>> windows = new TreeMap<>();
        long events = 0;
        for (long offset = 0; hourStart + offset < hourEnd; offset += span) {
            for (CapturedEvent event : template) {
                long micros = hourStart + offset + (event.microtimestamp() - first);
                if (micros >= hourEnd) {
                    break;
                }
                ObjectNode frame = event.frame().deepCopy();
                ((ObjectNode) frame.get("data")).put("microtimestamp", Long.toString(micros));
                windows.computeIfAbsent(TableLayout.slotStart(micros), w -> new ArrayList<>())
                        .add(new CapturedEvent(micros, micros, frame));
                events++;
            }
        }
        List<Map<String, AttributeValue>> items = CapturedParts.items(PAIR, windows);
        for (long at = hourStart; at < hourEnd; at += SNAPSHOT_INTERVAL_MICROS) {
            ObjectNode snapshot = book.deepCopy();
            snapshot.put("timestamp", Long.toString(at / 1_000_000));
            snapshot.put("microtimestamp", Long.toString(at));
            items.addAll(SnapshotItems.toItems(new SnapshotRecord(PAIR, at, at, "periodic", snapshot)));
        }
        long last = windows.lastEntry().getValue().get(windows.lastEntry().getValue().size() - 1).microtimestamp();
        items.add(Tables.ordersCatalogItem(PAIR, hourStart, last));
        tables.write(table, items);
        return events;
    }
}
